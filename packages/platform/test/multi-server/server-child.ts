/**
 * One API server with its dispatcher, in its own process, for the several-servers test: what `gangplank serve`
 * wires, plus a distinct worker id (startServer's default `<hostname>/local` would be the same for every server on
 * one machine) and a short lease so a killed server's runs are taken over within seconds.
 * Env: GP_DATABASE_URL, GP_SECRET_KEY, GP_WORKER, GP_DATA_DIR, GP_LEASE_MS. Prints `{"url": …}` once listening.
 */
import { join } from 'node:path';
import { createDispatcher } from '../../src/dispatcher/dispatcher.js';
import { notifyingStore } from '../../src/dispatcher/notifying-store.js';
import { LocalExecutor } from '../../src/executors/local.js';
import { createApp } from '../../src/server/app.js';
import { createStore } from '../../src/store/create-store.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const store = await createStore({ databaseUrl: env('GP_DATABASE_URL'), secretKey: env('GP_SECRET_KEY') });
const leaseMs = Number(process.env.GP_LEASE_MS ?? 3000);
const dispatcher = createDispatcher({
  store,
  executor: new LocalExecutor({
    root: join(env('GP_DATA_DIR'), 'runs'),
    graceMs: 500,
    inheritEnv: ['GP_SERVER', 'GP_RECORD_FILE'],
  }),
  workerId: env('GP_WORKER'),
  concurrency: Number(process.env.GP_CONCURRENCY ?? 3),
  leaseMs,
  pollMs: 200,
  renewMs: Math.floor(leaseMs / 3),
  releaseFinished: true,
  warn: (message) => console.error(`[${env('GP_WORKER')}] ${message}`),
});
const app = await createApp({ store: notifyingStore(store, () => dispatcher.wake()), logger: false });
await dispatcher.start();
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ url }));

const stop = async () => {
  await app.close();
  await dispatcher.stop();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
