import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries, type ServiceName } from './binaries.js';
import { freePort } from './ports.js';
import { spawnService, type ServiceHandle } from './process.js';

interface CommonOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Folder for data, logs and the pid file. Created if missing. */
  stateDir: string;
  /** Outlive this Node process (the launcher). @default false */
  detached?: boolean;
  /** Install missing binaries with apt-get when root. @default true */
  install?: boolean;
  /** How long to wait for the readiness endpoint. @default 30000 */
  readyTimeoutMs?: number;
}

export interface PushgatewayOptions extends CommonOptions {
  /** Keep pushed groups across restarts in `<stateDir>/pushgateway.data`. @default false */
  persistence?: boolean;
  /** @default '1m' when persistence is on */
  persistenceInterval?: string;
  /** Enables `PUT /api/v1/admin/wipe`. @default true */
  adminApi?: boolean;
}

async function endpoint(options: CommonOptions): Promise<{ host: string; port: number; url: string }> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort(host);
  return { host, port, url: `http://${host}:${port}` };
}

/**
 * Starts service `name` (its binary installed first if missing) on the endpoint `options` asks for, with the
 * arguments `args` gives for that endpoint; `dataDir` (default the state folder) is created first, and the log
 * goes to `<stateDir>/<name>.log`.
 */
async function startService(
  name: ServiceName,
  options: CommonOptions,
  args: (endpoint: { host: string; port: number; url: string }) => string[],
  dataDir = options.stateDir,
): Promise<ServiceHandle> {
  const bin = ensureBinaries([name], { install: options.install })[name]!;
  mkdirSync(dataDir, { recursive: true });
  const where = await endpoint(options);
  return spawnService({
    name,
    command: bin,
    args: args(where),
    url: where.url,
    logFile: join(options.stateDir, `${name}.log`),
    detached: options.detached,
    readyTimeoutMs: options.readyTimeoutMs,
  });
}

export function startPushgateway(options: PushgatewayOptions): Promise<ServiceHandle> {
  return startService('pushgateway', options, ({ host, port }) => {
    const args = [`--web.listen-address=${host}:${port}`];
    // Debian's build defaults --persistence.file to /var/lib/prometheus/...; always pass ours (or none).
    args.push(
      options.persistence
        ? `--persistence.file=${join(options.stateDir, 'pushgateway.data')}`
        : '--persistence.file=',
    );
    if (options.persistence) args.push(`--persistence.interval=${options.persistenceInterval ?? '1m'}`);
    if (options.adminApi ?? true) args.push('--web.enable-admin-api');
    return args;
  });
}

export interface PrometheusOptions extends CommonOptions {
  configFile: string;
  /** Enables POST /-/reload. @default true */
  lifecycle?: boolean;
}

export function startPrometheus(options: PrometheusOptions): Promise<ServiceHandle> {
  const lifecycle = options.lifecycle ?? true;
  return startConfigured(
    'prometheus',
    options,
    '--storage.tsdb.path',
    lifecycle ? ['--web.enable-lifecycle'] : [],
  );
}

export interface AlertmanagerOptions extends CommonOptions {
  configFile: string;
}

export function startAlertmanager(options: AlertmanagerOptions): Promise<ServiceHandle> {
  // Gossip would bind 0.0.0.0:9094 and clash between stacks; a single node needs no cluster.
  return startConfigured('alertmanager', options, '--storage.path', ['--cluster.listen-address=']);
}

/**
 * Prometheus and Alertmanager start alike: their config file, their data folder `<stateDir>/<name>-data` (passed
 * as `storageFlag`), their address and external URL, then `extra`.
 */
function startConfigured(
  name: 'prometheus' | 'alertmanager',
  options: CommonOptions & { configFile: string },
  storageFlag: string,
  extra: readonly string[],
): Promise<ServiceHandle> {
  const data = join(options.stateDir, `${name}-data`);
  return startService(
    name,
    options,
    ({ host, port, url }) => [
      `--config.file=${options.configFile}`,
      `${storageFlag}=${data}`,
      `--web.listen-address=${host}:${port}`,
      `--web.external-url=${url}/`,
      ...extra,
    ],
    data,
  );
}
