/** Shared set-up of the server tests: one in-memory PGlite store per file, apps built on it. */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createApp, type AppOptions } from '../../src/server/app.js';
import type { AuthOptions } from '../../src/server/auth.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';

export { cliTraining } from '../support/cli-training.js';

export const b64 = (text: string): string => Buffer.from(text).toString('base64');

export async function openStore(): Promise<Store> {
  return createStore({ secretKey: Buffer.alloc(32, 3).toString('base64') });
}

export async function buildApp(store: Store, options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  return createApp({ store, logPollMs: 20, ...options });
}

/** A fresh store and an app on it with the {@link seed} objects: what most server test files start from. */
export async function openSeededApp(
  options: Partial<AppOptions> = {},
): Promise<{ store: Store; app: FastifyInstance }> {
  const store = await openStore();
  const app = await buildApp(store, options);
  await seed(app);
  return { store, app };
}

/** The app first, so no request is left running against a closed store. */
export async function closeApp(app: FastifyInstance, store: Store): Promise<void> {
  await app.close();
  await store.close();
}

/** One static token per role, and the headers that send them. */
export const STATIC_TOKENS: NonNullable<AuthOptions['tokens']> = [
  { token: 'admin-token-123', role: 'admin', subject: 'ops' },
  { token: 'viewer-token-123', role: 'viewer', subject: 'watcher' },
];
export const ADMIN = { authorization: 'Bearer admin-token-123' };
export const VIEWER = { authorization: 'Bearer viewer-token-123' };

export async function call(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse & { data: unknown }> {
  const response = await app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
  let data: unknown;
  try {
    data = response.json();
  } catch {
    data = response.body;
  }
  return Object.assign(response, { data });
}

/** A toolchain, a git connection and the wine training of odahuflowctl's wire capture (reference §1.7). */
export async function seed(
  app: FastifyInstance,
  prefix = '',
  headers: Record<string, string> = {},
): Promise<void> {
  await call(
    app,
    'POST',
    '/api/v1/toolchain/integration',
    {
      id: `${prefix}mlflow`,
      spec: { entrypoint: '/opt/run', defaultImage: 'toolchain:1' },
    },
    headers,
  );
  await call(
    app,
    'POST',
    '/api/v1/connection',
    {
      id: `${prefix}repo`,
      spec: { type: 'git', uri: 'https://example.com/repo.git', reference: 'origin/master' },
    },
    headers,
  );
  await call(
    app,
    'POST',
    '/api/v1/connection',
    {
      id: `${prefix}wine`,
      spec: { type: 'gcs', uri: 'gs://bucket/wine', region: 'us', keySecret: b64('{"sa":1}') },
    },
    headers,
  );
}
