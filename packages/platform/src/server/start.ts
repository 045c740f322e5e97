/**
 * `startServer`: what `gangplank serve` runs, and the platform's one composition root: the only module that wires
 * configuration, store, executor (loaded lazily by `executorFor`), dispatcher and the HTTP app together. Opens
 * the store, builds the app, wires the dispatcher with the configured executor (local by default; unless
 * `dispatcher: false`), and listens.
 */
import { setFlagsFromString } from 'node:v8';
import type { FastifyInstance } from 'fastify';
import { isLoopback, type ServerConfig } from '../config/server-config.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import { createStore } from '../store/create-store.js';
import type { Store } from '../store/store.js';
import type { AuthOptions } from './auth.js';
import { executorFor, preloadExecutor, workerIdFor } from './executor-for.js';
import { createRunCredentials, historyPath, loadRunCredentialKey } from './run-credential.js';

/**
 * V8 re-compiles a WebAssembly function with its optimising compiler once the function has run about 1.8 MB of code
 * (its default budget). PGlite's start-up (PostgreSQL's) passes that for many functions that never run again: about
 * 0.3 s of CPU on compile threads right after the start, and 30–40 MiB the threads' allocator keeps (idle RSS 165 →
 * 130 MiB for PGlite alone). With a budget of 2 GB start-up code stays as first compiled (Liftoff); a function
 * a workload keeps calling still tiers up, only much later, and bench/history-ingest.ts measured no change.
 * Process-wide and for WebAssembly only (serve runs no other wasm; trainings run in their own processes); set
 * before PGlite compiles its module (the first store opened in the process).
 */
const WASM_TIERING_BUDGET = '--wasm-tiering-budget=2000000000';

async function checkGatewayAddress(address: string): Promise<void> {
  const { parseGatewayAddress } = await import('@gangplank/metrics');
  parseGatewayAddress(address);
}

/**
 * The HTTP app's and the dispatcher's modules (Fastify, its plugins, TypeBox, prom-client: about 0.3 s on 2 vCPU),
 * imported while the store opens instead of before it (see `startServer`).
 */
async function loadWiring(config: Pick<ServerConfig, 'dispatcher' | 'executor' | 'pushgatewayAddr'>) {
  const [{ createApp }, { createDispatcher }, { createDispatcherCounters }] = await Promise.all([
    import('./app.js'),
    import('../dispatcher/dispatcher.js'),
    import('./metrics.js'),
    config.dispatcher ? preloadExecutor(config) : undefined,
    // The dispatcher's run metrics load the gateway client in the background; a bad address still stops the start.
    config.dispatcher && config.pushgatewayAddr ? checkGatewayAddress(config.pushgatewayAddr) : undefined,
  ]);
  return { createApp, createDispatcher, createDispatcherCounters };
}

/** Where runs reach this server: the advertised URL, else the address listened on (a wildcard as loopback). */
function baseUrlFor(config: Pick<ServerConfig, 'advertiseUrl' | 'host'>, port: number): string {
  if (config.advertiseUrl) return config.advertiseUrl;
  const host =
    config.host === '0.0.0.0' || config.host === '::' || config.host === '' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export interface RunningServer {
  /** `http://host:port` actually listened on. */
  url: string;
  app: FastifyInstance;
  store: Store;
  dispatcher?: Dispatcher;
  /** Stops listening, then the dispatcher (runs keep going and are re-attached next time), then the store. */
  close(): Promise<void>;
}

/** Authentication for a configuration; throws when it must be on but nothing can authenticate. */
export function authFor(
  config: Pick<ServerConfig, 'auth' | 'host' | 'tokens' | 'oidc'>,
): AuthOptions | undefined {
  const on = config.auth === 'on' || (config.auth === 'auto' && !isLoopback(config.host));
  if (!on) return undefined;
  if (config.tokens.length === 0 && !config.oidc) {
    throw new Error(
      `authentication is on (listening on ${config.host}) but no tokens or OIDC issuer are configured: set GANGPLANK_TOKENS="admin:<token>" or GANGPLANK_OIDC_ISSUER, or auth: off`,
    );
  }
  return { tokens: config.tokens, ...(config.oidc ? { oidc: config.oidc } : {}) };
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const auth = authFor(config);
  if (!config.databaseUrl) setFlagsFromString(WASM_TIERING_BUDGET);
  // Opening the store is most of a start (PGlite: reading its files, compiling its WebAssembly, PostgreSQL's own
  // start-up); the modules load during its waits rather than before it. Nothing is built until the store is open.
  const [opened, loaded] = await Promise.allSettled([
    createStore({
      dataDir: config.dataDir,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.secretKey ? { secretKey: config.secretKey } : {}),
    }),
    loadWiring(config),
  ]);
  if (opened.status === 'rejected') throw opened.reason;
  const store = opened.value;
  let dispatcher: Dispatcher | undefined;
  let app: FastifyInstance | undefined;
  try {
    if (loaded.status === 'rejected') throw loaded.reason;
    const { createApp, createDispatcher, createDispatcherCounters } = loaded.value;
    const runCredentials = createRunCredentials(await loadRunCredentialKey({ dataDir: config.dataDir }));
    // Known once listening when the port is 0: the dispatcher, made once the app listens, names it in its lease
    // identity (on a shared PostgreSQL) and in the history URL it hands to runs.
    let port = config.port;
    // Counted by the dispatcher, served by the app's /metrics (zero with --no-dispatcher).
    const dispatcherCounters = createDispatcherCounters();
    // Resolved before listening, so a configuration the executor refuses stops the start before the port opens.
    const executor = config.dispatcher ? await executorFor(config) : undefined;
    const wake = executor ? () => dispatcher?.wake() : undefined;
    app = await createApp({
      store,
      ...(auth ? { auth } : {}),
      training: {
        ...(config.outputConnection ? { defaultOutputConnection: config.outputConnection } : {}),
        nodePools: config.nodePools,
        gpuNodePools: config.gpuNodePools,
      },
      disabled: config.disabled,
      ...(config.prometheusUrl ? { prometheusUrl: config.prometheusUrl } : {}),
      ...(config.pushgatewayAddr ? { pushgatewayUrl: config.pushgatewayAddr } : {}),
      bodyLimit: config.bodyLimit,
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
      ...(wake ? { onTrainingChange: wake } : {}),
      runCredentials,
      dispatcherCounters,
    });
    const address = await app.listen({ host: config.host, port: config.port });
    port = Number(new URL(address).port) || config.port;
    if (executor) {
      dispatcher = createDispatcher({
        store,
        executor,
        workerId: workerIdFor({ ...config, port }, executor),
        events: dispatcherCounters.events,
        ...(config.concurrency ? { concurrency: config.concurrency } : {}),
        ...(config.pushgatewayAddr ? { pushgateway: config.pushgatewayAddr } : {}),
        ...(config.outputConnection ? { outputConnection: config.outputConnection } : {}),
        history: (trainingId, runId) => ({
          url: `${baseUrlFor(config, port)}${historyPath(trainingId, runId)}`,
          ...(auth ? { token: runCredentials.issue(trainingId, runId) } : {}),
        }),
      });
      await dispatcher.start();
    }
    const running: RunningServer = {
      url: address,
      app,
      store,
      async close() {
        await app?.close();
        await dispatcher?.stop();
        await store.close();
      },
    };
    if (dispatcher) running.dispatcher = dispatcher;
    return running;
  } catch (error) {
    await app?.close().catch(() => undefined);
    await dispatcher?.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
