/**
 * The executor a server hands runs to, chosen by configuration. Each adapter is imported only when chosen, so a
 * local server never loads the Kubernetes client (packages/platform/test/cli/serve-imports.test.ts checks it).
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { ServerConfig } from '../config/server-config.js';
import { ConfigError } from '../config/server-config.js';
import type { Executor } from '../executors/executor.js';
import type { KubernetesExecutorOptions } from '../executors/kubernetes/kubernetes-executor.js';
import type { SlurmExecutorOptions } from '../executors/slurm/slurm-executor.js';

type ExecutorConfig = Pick<ServerConfig, 'executor' | 'dataDir' | 'slurm' | 'kubernetes' | 'runAsUser'>;

/** The adapter module of each kind, imported on demand. */
const ADAPTERS = {
  local: () => import('../executors/local.js'),
  slurm: () => import('../executors/slurm/slurm-executor.js'),
  kubernetes: () => import('../executors/kubernetes/kubernetes-executor.js'),
} satisfies Record<ServerConfig['executor'], () => Promise<unknown>>;

/**
 * Loads the configured adapter's modules without building it (which may create folders or a run user):
 * start.ts does it while the store opens, so that `executorFor` afterwards finds them loaded.
 */
export async function preloadExecutor(config: Pick<ServerConfig, 'executor'>): Promise<void> {
  await ADAPTERS[config.executor]();
}

export async function executorFor(config: ExecutorConfig): Promise<Executor> {
  switch (config.executor) {
    case 'local': {
      const { createLocalExecutor } = await ADAPTERS.local();
      return createLocalExecutor({
        root: path.join(config.dataDir, 'runs'),
        ...(config.runAsUser !== undefined ? { runAsUser: config.runAsUser } : {}),
      });
    }
    case 'slurm': {
      const options = { ...(config.slurm ?? {}) } as Partial<SlurmExecutorOptions>;
      if (typeof options.workRoot !== 'string' || options.workRoot === '') {
        throw new ConfigError(
          'executor slurm needs slurm.workRoot in the server config file: a folder every Slurm node sees at the same path',
        );
      }
      const { createSlurmExecutor } = await ADAPTERS.slurm();
      return createSlurmExecutor(options as SlurmExecutorOptions);
    }
    case 'kubernetes': {
      const options = { ...(config.kubernetes ?? {}) } as Partial<KubernetesExecutorOptions>;
      if (typeof options.namespace !== 'string' || typeof options.gangplankImage !== 'string') {
        throw new ConfigError(
          'executor kubernetes needs kubernetes.namespace and kubernetes.gangplankImage in the server config file',
        );
      }
      const { createKubernetesExecutor } = await ADAPTERS.kubernetes();
      return createKubernetesExecutor(options as KubernetesExecutorOptions);
    }
  }
}

/**
 * The dispatcher's lease identity: the configured one, else host and executor, and the port on a PostgreSQL
 * database. There the port tells apart servers on one machine sharing the database (they cannot share a port). A
 * PGlite data folder is one server's alone (pglite-lock.ts), so the port is left out: a server restarted on another
 * port still holds its runs, re-attaches them and counts them against its concurrency, instead of starting queued
 * runs beside them and stopping them as another worker's once their lease expires.
 */
export function workerIdFor(
  config: Pick<ServerConfig, 'workerId' | 'port' | 'databaseUrl'>,
  executor: Executor,
): string {
  if (config.workerId !== undefined) return config.workerId;
  return config.databaseUrl
    ? `${hostname()}:${config.port}/${executor.kind}`
    : `${hostname()}/${executor.kind}`;
}
