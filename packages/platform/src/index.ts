export {};
// execution engineer: executor port, local executor, run description, toolchains, artifacts
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
