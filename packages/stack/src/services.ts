import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './binaries.js';
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

export async function startPushgateway(options: PushgatewayOptions): Promise<ServiceHandle> {
  const bin = ensureBinaries(['pushgateway'], { install: options.install })['pushgateway']!;
  mkdirSync(options.stateDir, { recursive: true });
  const { host, port, url } = await endpoint(options);
  const args = [`--web.listen-address=${host}:${port}`];
  // Debian's build defaults --persistence.file to /var/lib/prometheus/...; always pass ours (or none).
  args.push(
    options.persistence
      ? `--persistence.file=${join(options.stateDir, 'pushgateway.data')}`
      : '--persistence.file=',
  );
  if (options.persistence) args.push(`--persistence.interval=${options.persistenceInterval ?? '1m'}`);
  if (options.adminApi ?? true) args.push('--web.enable-admin-api');
  return spawnService({
    name: 'pushgateway',
    command: bin,
    args,
    url,
    logFile: join(options.stateDir, 'pushgateway.log'),
    detached: options.detached,
    readyTimeoutMs: options.readyTimeoutMs,
  });
}

export interface PrometheusOptions extends CommonOptions {
  configFile: string;
  /** Enables POST /-/reload. @default true */
  lifecycle?: boolean;
}

export async function startPrometheus(options: PrometheusOptions): Promise<ServiceHandle> {
  const bin = ensureBinaries(['prometheus'], { install: options.install })['prometheus']!;
  mkdirSync(join(options.stateDir, 'prometheus-data'), { recursive: true });
  const { host, port, url } = await endpoint(options);
  const args = [
    `--config.file=${options.configFile}`,
    `--storage.tsdb.path=${join(options.stateDir, 'prometheus-data')}`,
    `--web.listen-address=${host}:${port}`,
    `--web.external-url=${url}/`,
  ];
  if (options.lifecycle ?? true) args.push('--web.enable-lifecycle');
  return spawnService({
    name: 'prometheus',
    command: bin,
    args,
    url,
    logFile: join(options.stateDir, 'prometheus.log'),
    detached: options.detached,
    readyTimeoutMs: options.readyTimeoutMs,
  });
}

export interface AlertmanagerOptions extends CommonOptions {
  configFile: string;
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<ServiceHandle> {
  const bin = ensureBinaries(['alertmanager'], { install: options.install })['alertmanager']!;
  mkdirSync(join(options.stateDir, 'alertmanager-data'), { recursive: true });
  const { host, port, url } = await endpoint(options);
  return spawnService({
    name: 'alertmanager',
    command: bin,
    args: [
      `--config.file=${options.configFile}`,
      `--storage.path=${join(options.stateDir, 'alertmanager-data')}`,
      `--web.listen-address=${host}:${port}`,
      `--web.external-url=${url}/`,
      // Gossip would bind 0.0.0.0:9094 and clash between stacks; a single node needs no cluster.
      '--cluster.listen-address=',
    ],
    url,
    logFile: join(options.stateDir, 'alertmanager.log'),
    detached: options.detached,
    readyTimeoutMs: options.readyTimeoutMs,
  });
}
