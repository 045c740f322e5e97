/**
 * @module @gangplank/stack
 * Starts Prometheus, the Pushgateway and Alertmanager from their Debian binaries, without Docker, on loopback ports.
 * Used by the tests, the quickstart and `gangplank stack`.
 */
export {
  SERVICE_BINARIES,
  TOOL_BINARIES,
  MissingBinaryError,
  ensureBinaries,
  findBinary,
  findOnPath,
  installDebianPackages,
  type ServiceName,
  type EnsureOptions,
} from './binaries.js';
export { freePort, isPortInUse } from './ports.js';
export {
  spawnService,
  stopPid,
  waitReady,
  ServiceStartError,
  type ServiceHandle,
  type SpawnServiceOptions,
} from './process.js';
export {
  startAlertmanager,
  startPrometheus,
  startPushgateway,
  type AlertmanagerOptions,
  type PrometheusOptions,
  type PushgatewayOptions,
} from './services.js';
export {
  DEFAULT_PORTS,
  STACK_SERVICES,
  PortInUseError,
  StackStartError,
  isRecordedProcess,
  stackStatus,
  startStack,
  stopStack,
  type ServiceStatus,
  type StackInfo,
  type StackServiceInfo,
  type StackStatus,
  type StopResult,
} from './stack.js';
export { defaultDeployDir, renderStackConfigs } from './stack-configs.js';
export type { StackOptions } from './stack-options.js';
export { downReport, statusReport, upReport, type ReportOptions } from './report.js';
export { StateLockedError } from './state-lock.js';
export { readStackState, type ServiceRecord, type StackState } from './stack-state.js';
export {
  renderPrometheusConfig,
  type PrometheusConfigOptions,
  type StackPorts,
} from './prometheus-config.js';
export { scaleExpressionWindows, scaleRuleWindows, type RuleWindowOptions } from './rule-windows.js';
export { formatDuration, isDuration, parseDuration } from './duration.js';
export {
  findPortOwner,
  isAlive,
  isRunning,
  readCommandLine,
  terminate,
  type PortOwner,
} from './process-identity.js';
