/** Requests refused (or no longer refused) at the door: issue 15 item 6, through the in-process app. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { buildApp, call, cliTraining, openStore, seed } from './helpers.js';

let store: Store;
let app: FastifyInstance;
beforeAll(async () => {
  store = await openStore();
  app = await buildApp(store);
  await seed(app);
  expect((await call(app, 'POST', '/api/v1/model/training', cliTraining('wine'))).statusCode).toBe(201);
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('PUT …/result', () => {
  it('refuses an artifact name that leaves the artifacts folder, and stores nothing', async () => {
    const before = (await call(app, 'GET', '/api/v1/model/training/wine')).data;
    for (const artifactName of ['../../../etc/passwd', '/etc/passwd', 'a/../../b']) {
      const response = await call(app, 'PUT', '/api/v1/model/training/wine/result', { artifactName });
      expect(response.statusCode).toBe(400);
      expect((response.data as { message: string }).message).toContain('artifactName');
    }
    expect((await call(app, 'GET', '/api/v1/model/training/wine')).data).toEqual(before);
    const ok = await call(app, 'PUT', '/api/v1/model/training/wine/result', { artifactName: 'wine-1.zip' });
    expect(ok.statusCode).toBe(200);
  });
});
