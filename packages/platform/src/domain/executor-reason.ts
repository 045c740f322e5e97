/**
 * Why a run ended, when it did not simply exit 0. Stored as the run's `reason`. Shared by the executors and the
 * steps under them (transfer, toolchains, artifacts), which end a run with one of these through `RunError`.
 */
export type ExecutorReason =
  | 'Succeeded'
  | 'Failed'
  | 'Cancelled'
  | 'Timeout'
  | 'SourceError'
  | 'DataError'
  | 'ToolchainError'
  | 'DependencyError'
  | 'ArtifactError'
  | 'ResourceError'
  | 'Lost';
