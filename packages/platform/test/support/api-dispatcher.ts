/**
 * The API in-process over a store that wakes a dispatcher on every write, the dispatcher running one executor: how
 * `serve` wires them, without HTTP. Tests that follow a training from the API to an executor and back start here.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import {
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
} from '../../src/dispatcher/dispatcher.js';
import { notifyingStore } from '../../src/dispatcher/notifying-store.js';
import { createApp } from '../../src/server/app.js';
import type { Store } from '../../src/store/store.js';

export interface ApiWithDispatcher {
  app: FastifyInstance;
  dispatcher: Dispatcher;
  /** Stops the dispatcher, then closes the app; the store stays open for its owner to close. */
  stop(): Promise<void>;
}

/** Warnings are dropped: the tests assert on what reaches the store. */
export async function startApiWithDispatcher(
  store: Store,
  options: Omit<DispatcherOptions, 'store' | 'warn'>,
): Promise<ApiWithDispatcher> {
  const dispatcher = createDispatcher({ ...options, store, warn: () => {} });
  const app = await createApp({ store: notifyingStore(store, () => dispatcher.wake()) });
  await dispatcher.start();
  return {
    app,
    dispatcher,
    async stop() {
      await dispatcher.stop();
      await app.close();
    },
  };
}

/** POSTs each `[url, body]` in order (toolchain and connections before the training that names them): each a 201. */
export async function postAll(
  app: FastifyInstance,
  posts: ReadonlyArray<readonly [string, object]>,
): Promise<void> {
  for (const [url, payload] of posts) {
    const res = await app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
    expect(res.statusCode, res.body).toBe(201);
  }
}
