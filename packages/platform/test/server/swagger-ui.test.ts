/**
 * The OpenAPI document and Swagger UI are built on their first request (server/swagger-ui.ts) and answer through
 * the app as if registered on it: the page, the assets it links, the document of every route (with the bearer
 * scheme when auth is on, and no token asked for), Odahu's addresses, and a 404 with a message.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { ADMIN, STATIC_TOKENS, call, closeApp, openSeededApp } from './helpers.js';

describe('Swagger UI', () => {
  let app: FastifyInstance;
  let store: Store;
  beforeAll(async () => ({ app, store } = await openSeededApp()));
  afterAll(() => closeApp(app, store));

  it('serves the page and every asset it links, from the first request on', async () => {
    const page = await call(app, 'GET', '/swagger');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const assets = [...page.body.matchAll(/(?:href|src)="(\/swagger\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toContain('/swagger/static/swagger-ui.css');
    expect(assets).toContain('/swagger/static/swagger-ui-bundle.js');
    for (const asset of assets) {
      const answer = await call(app, 'GET', asset);
      expect(answer.statusCode, asset).toBe(200);
      expect(answer.rawPayload.length, asset).toBeGreaterThan(0);
    }
  });

  it('serves the OpenAPI document of the app, Odahu addresses and a 404 with a message', async () => {
    const doc = (await call(app, 'GET', '/swagger/json')).data as { openapi: string; paths: object };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/model/training');
    expect((await call(app, 'GET', '/swagger/yaml')).body).toMatch(/^openapi: 3\.1\.0/m);
    const odahu = await call(app, 'GET', '/swagger/data.json');
    expect([odahu.statusCode, odahu.headers['location']]).toEqual([302, '/swagger/json']);
    const missing = await call(app, 'GET', '/swagger/no-such-file.js');
    expect(missing.statusCode).toBe(404);
    expect((missing.data as { message?: string }).message).toBeTruthy();
  });

  it('documents the bearer scheme when auth is on, and serves the pages without a token', async () => {
    const secured = await openSeededApp({ auth: { tokens: STATIC_TOKENS } });
    try {
      const doc = (await call(secured.app, 'GET', '/swagger/json')).data as { security?: unknown[] };
      expect(doc.security).toEqual([{ bearer: [] }]);
      expect((await call(secured.app, 'GET', '/swagger')).statusCode).toBe(200);
      expect((await call(secured.app, 'GET', '/api/v1/model/training')).statusCode).toBe(401);
      expect((await call(secured.app, 'GET', '/api/v1/model/training', undefined, ADMIN)).statusCode).toBe(
        200,
      );
    } finally {
      await closeApp(secured.app, secured.store);
    }
  });
});
