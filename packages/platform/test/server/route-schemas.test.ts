/**
 * Route schemas are compiled on each route's first request (lazy-schema-compilers.ts), so a schema that does not
 * compile would not stop the start: here every route's schemas are compiled eagerly, with Fastify's own compilers,
 * and the lazy ones are checked to refuse and serialize exactly as those do. None of these requests reaches the
 * store (validation refuses them first, or the route does not read it).
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import type { Store } from '../../src/store/store.js';

const store = {} as Store;
let eager: FastifyInstance;
let lazy: FastifyInstance;

beforeAll(async () => {
  eager = await createApp({ store, metrics: false, eagerSchemas: true });
  lazy = await createApp({ store, metrics: false });
});
afterAll(async () => {
  await eager.close();
  await lazy.close();
});

async function both(request: InjectOptions): Promise<[unknown, unknown]> {
  const answer = async (app: FastifyInstance) => {
    const response = await app.inject(request);
    return { status: response.statusCode, body: response.json<unknown>() };
  };
  return [await answer(eager), await answer(lazy)];
}

describe('route schemas', () => {
  it("all compile with Fastify's compilers", async () => {
    await expect(eager.ready()).resolves.toBe(eager);
  });

  it('a query the schema refuses: the same 400 and message, lazily compiled', async () => {
    const [expected, actual] = await both({ method: 'GET', url: '/api/v1/model/training-history' });
    expect(expected).toMatchObject({ status: 400, body: { message: expect.stringContaining('runs') } });
    expect(actual).toEqual(expected);
  });

  it('a body the schema refuses: the same 400 and message, lazily compiled', async () => {
    const [expected, actual] = await both({
      method: 'POST',
      url: '/api/v1/model/training',
      payload: [1],
    });
    expect(expected).toMatchObject({ status: 400 });
    expect(actual).toEqual(expected);
  });

  it('a reply through its response schema: the same body, lazily compiled', async () => {
    const [expected, actual] = await both({ method: 'GET', url: '/api/v1/user/info' });
    expect(expected).toEqual({ status: 200, body: { username: '', email: '', roles: [] } });
    expect(actual).toEqual(expected);
  });
});
