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
export { spawnService, stopPid, waitReady, ServiceStartError, type ServiceHandle, type SpawnServiceOptions } from './process.js';
export {
  startAlertmanager,
  startPrometheus,
  startPushgateway,
  type AlertmanagerOptions,
  type PrometheusOptions,
  type PushgatewayOptions,
} from './services.js';
