// Executors: the port, local executor, run description, toolchains, artifacts
export type {
  Executor,
  ExecutorHandle,
  ExecutorPhase,
  ExecutorReason,
  ExecutorStatus,
  LogChunk,
  LogPage,
  LogStream,
  RunArtifact,
} from './executors/executor.js';
export { createLocalExecutor, LocalExecutor, type LocalExecutorOptions } from './executors/local.js';
export {
  DEFAULT_ARTIFACT_NAME_TEMPLATE,
  DEFAULT_TIMEOUT_MS,
  type DataBindingSpec,
  type MetricsWiring,
  type ResourcesSpec,
  type RunSpec,
  type SourceSpec,
  type ToolchainKind,
  type ToolchainSpec,
} from './executors/run-spec.js';
export type { ConnectionSpec } from './transfer/connection.js';
export { parseMLproject, renderEntryPoint, MLprojectError, type MLproject } from './toolchains/mlproject.js';
export { renderArtifactName, validateArtifactNameTemplate } from './artifacts/name-template.js';
// Domain types, Store port and adapters, the API server
export type {
  Connection,
  ConnectionSpec as StoredConnectionSpec,
  ConnectionType,
  LogChunk as StoreLogChunk,
  ModelTraining,
  ModelTrainingSpec,
  ModelTrainingStatus,
  StoredLogChunk,
  ToolchainIntegration,
  ToolchainIntegrationSpec,
  TrainingArtifact,
  TrainingRun,
  TrainingState,
} from './domain/types.js';
export { TRAINING_STATES, FINISHED_STATES, CONNECTION_TYPES } from './domain/types.js';
export {
  ApiError,
  NotFoundError,
  AlreadyExistsError,
  ValidationError,
  BadRequestError,
  LeaseLostError,
} from './domain/errors.js';
export type {
  Store,
  Page,
  ListResult,
  RunPatch,
  TrainingListQuery,
  ConnectionListQuery,
} from './store/store.js';
export { createStore, type StoreConfig } from './store/create-store.js';
export { SqlStore } from './store/sql-store.js';
export { createApp, type AppOptions } from './server/app.js';
export type { AuthOptions, OidcOptions, StaticToken } from './server/auth.js';
export type { Role } from './server/permissions.js';
// Typed REST client of the API (Odahu-flow 1.6 wire format), for scripts and the CLI
export {
  // `ApiError` is the domain error above; the client's is the same idea seen from the other side of the wire.
  ApiError as ClientApiError,
  ConnectionClient,
  GangplankClient,
  RESOURCE_PATHS,
  ResourceClient,
  TrainingClient,
  UnreachableError,
  type ClientOptions,
  type HttpOptions,
  type ListQuery,
  type ResourceKind,
  type WireArtifact,
  type WireConnection,
  type WireModelTraining,
  type WireResource,
  type WireToolchainIntegration,
  type WireTrainingRun,
  type WireTrainingState,
  type WireTrainingStatus,
} from './client/index.js';
// Dispatcher
export {
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type DispatcherStore,
} from './dispatcher/dispatcher.js';
export { resolveRunSpec, InvalidRunError, parseDuration } from './dispatcher/resolve-run-spec.js';
export { renderRunMetrics, RunMetricsPublisher } from './dispatcher/run-metrics.js';
// Local training without a server (`gangplank local train run`)
export {
  runTrainingLocally,
  type LocalTrainingOptions,
  type LocalTrainingResult,
} from './dispatcher/run-locally.js';
// Server start and configuration (`gangplank serve`)
export { startServer, authFor, type RunningServer } from './server/start.js';
export {
  resolveServerConfig,
  isLoopback,
  ConfigError,
  SERVER_ENV,
  DEFAULT_CONFIG_FILE,
  type ServerConfig,
  type ServerConfigInput,
  type ResolveOptions,
  type AuthMode,
} from './config/server-config.js';
// Wake the dispatcher from the HTTP app's store calls (`createApp({ store: notifyingStore(store, () => dispatcher.wake()) })`)
export { notifyingStore } from './dispatcher/notifying-store.js';
export {
  createSlurmExecutor,
  SlurmExecutor,
  type SlurmExecutorOptions,
  type SlurmRunSpec,
} from './executors/slurm/slurm-executor.js';
export type { CommandRunner, CommandResult } from './executors/slurm/command-runner.js';
export { mapSlurmState, type SlurmJobInfo } from './executors/slurm/slurm-state.js';
export {
  createKubernetesExecutor,
  KubernetesExecutor,
  type KubernetesExecutorOptions,
} from './executors/kubernetes/kubernetes-executor.js';
export {
  renderRunManifests,
  jobName,
  type KubernetesJobConfig,
  type KubernetesRunSpec,
  type RunManifests,
} from './executors/kubernetes/manifests.js';
export { mapJobStatus } from './executors/kubernetes/job-status.js';
