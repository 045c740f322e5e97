/**
 * @module @gangplank/platform
 * The package's public surface: the REST client, the server's start and app, the Store and Executor ports with
 * their adapters' factories, the dispatcher, and the domain types a caller of those needs. Everything else is
 * internal and may move; tests reach it by path. Importing this module loads every executor adapter (the
 * Kubernetes client included); `gangplank serve` does not import it, it goes through `server/start.ts`.
 */

// REST client of the API (Odahu-flow 1.6 wire format), for scripts and the CLI
export {
  ApiError,
  ConnectionClient,
  GangplankClient,
  ResourceClient,
  TrainingClient,
  UnreachableError,
  type ClientOptions,
  type ListQuery,
  type ResourceKind,
  type WireConnection,
  type WireModelTraining,
  type WireToolchainIntegration,
  type WireTrainingRun,
} from './client/index.js';

// The server: the composition root (`gangplank serve`), its configuration, and the bare HTTP app
export { startServer, type RunningServer } from './server/start.js';
export {
  ConfigError,
  resolveServerConfig,
  type ResolveOptions,
  type ServerConfig,
  type ServerConfigInput,
} from './config/server-config.js';
export { createApp, type AppOptions } from './server/app.js';
export { createDispatcherCounters, type DispatcherCounters } from './server/metrics.js';
export type { AuthOptions } from './server/auth.js';
export type { OidcOptions, StaticToken } from './domain/auth-options.js';
export type { Role } from './domain/role.js';

// The Store port and its factory (PGlite or PostgreSQL)
export type {
  ConnectionListQuery,
  ListResult,
  Page,
  RunPatch,
  Store,
  TrainingListQuery,
} from './store/store.js';
export { createStore, type StoreConfig } from './store/create-store.js';
export { AlreadyExistsError, LeaseLostError, NotFoundError } from './domain/errors.js';

// The Executor port and its adapters' factories
export type {
  Executor,
  ExecutorHandle,
  ExecutorLogChunk,
  ExecutorPhase,
  ExecutorStatus,
  LogPage,
} from './executors/executor.js';
export { createLocalExecutor, type LocalExecutorOptions } from './executors/local.js';
export { createSlurmExecutor, type SlurmExecutorOptions } from './executors/slurm/slurm-executor.js';
export {
  createKubernetesExecutor,
  type KubernetesExecutorOptions,
} from './executors/kubernetes/kubernetes-executor.js';

// The dispatcher (store → executor), and a run without a server (`gangplank local train run`)
export { createDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher/dispatcher.js';
export { notifyingStore } from './dispatcher/notifying-store.js';
export {
  runTrainingLocally,
  type LocalTrainingOptions,
  type LocalTrainingResult,
} from './dispatcher/run-locally.js';

// Domain types the calls above take and return
export type {
  Connection,
  ConnectionSpec,
  ConnectionType,
  LogChunk,
  LogStream,
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
export { FINISHED_STATES, TRAINING_STATES } from './domain/types.js';
export type { ExecutorReason } from './domain/executor-reason.js';
export type { RunArtifact } from './domain/run-artifact.js';
export type { RunSpec } from './domain/run-spec.js';
