/** Two API servers on one PostgreSQL database: same answers, reruns and deletes seen by both. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { call, cliTraining, seed } from './helpers.js';

const KEY = Buffer.alloc(32, 5).toString('base64');
let db: TestDatabase;
let stores: Store[];
let apps: FastifyInstance[];

beforeAll(async () => {
  db = await createTestDatabase();
  stores = await Promise.all([0, 1].map(() => createStore({ databaseUrl: db.url, secretKey: KEY })));
  apps = await Promise.all(stores.map((store) => createApp({ store })));
});
afterAll(async () => {
  for (const app of apps) await app.close();
  for (const store of stores) await store.close();
  await db.drop();
});

/** The other server hears of a write through NOTIFY, within milliseconds. */
const SOON = { timeout: 5000, interval: 20 };

describe('several API servers on one PostgreSQL', () => {
  it('share trainings, secrets, reruns and deletes', async () => {
    const [a, b] = apps as [FastifyInstance, FastifyInstance];
    await seed(a);
    expect((await call(b, 'POST', '/api/v1/model/training', cliTraining('shared'))).statusCode).toBe(201);
    expect((await call(a, 'POST', '/api/v1/model/training', cliTraining('shared'))).statusCode).toBe(409);
    const first = (await call(a, 'GET', '/api/v1/model/training/shared')).data as {
      status: { runId: string };
    };
    expect((await call(b, 'GET', '/api/v1/connection/wine/decrypted')).data).toMatchObject({
      spec: { keySecret: Buffer.from('{"sa":1}').toString('base64') },
    });
    const rerun = (await call(b, 'PUT', '/api/v1/model/training', cliTraining('shared'))).data as {
      status: { runId: string };
    };
    expect(rerun.status.runId).not.toBe(first.status.runId);
    await expect
      .poll(
        async () =>
          ((await call(a, 'GET', '/api/v1/model/training/shared')).data as { status: { runId: string } })
            .status.runId,
        SOON,
      )
      .toBe(rerun.status.runId);
    expect((await call(a, 'DELETE', '/api/v1/model/training/shared')).statusCode).toBe(200);
    await expect
      .poll(async () => (await call(b, 'GET', '/api/v1/model/training/shared')).statusCode, SOON)
      .toBe(404);
  });
});
