/**
 * @module client
 * Typed REST client of the Gangplank API, speaking Odahu-flow 1.6's wire format.
 */
export {
  GangplankClient,
  ResourceClient,
  TrainingClient,
  ConnectionClient,
  RESOURCE_PATHS,
  type ClientOptions,
  type ResourceKind,
} from './client.js';
export { ApiError, UnreachableError } from './errors.js';
export type { HttpOptions } from './http.js';
export type {
  ListQuery,
  WireArtifact,
  WireConnection,
  WireModelTraining,
  WireResource,
  WireToolchainIntegration,
  WireTrainingRun,
  WireTrainingState,
  WireTrainingStatus,
} from './types.js';
