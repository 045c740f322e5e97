/**
 * @module client
 * Typed REST client of the Gangplank API, speaking Odahu-flow 1.6's wire format.
 */
export {
  GangplankClient,
  ResourceClient,
  TrainingClient,
  ConnectionClient,
  type ClientOptions,
  type ResourceKind,
} from './client.js';
export { ApiError, UnreachableError } from './errors.js';
export type {
  ListQuery,
  WireConnection,
  WireModelTraining,
  WireResource,
  WireToolchainIntegration,
  WireTrainingRun,
} from './types.js';
