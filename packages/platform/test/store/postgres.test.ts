import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, openSqlStore } from '../../src/store/create-store.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { describeStoreConformance, spec, uid } from './conformance.js';

const KEY = Buffer.alloc(32, 1).toString('base64');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describeStoreConformance('PostgreSQL', {
  open: (clock) => openSqlStore({ databaseUrl: db.url, secretKey: KEY, clock }),
});

describe('PostgreSQL with several servers', () => {
  it('migrates once when servers start together, and two stores never claim the same run', async () => {
    const [a, b] = await Promise.all([
      createStore({ databaseUrl: db.url, secretKey: KEY }),
      createStore({ databaseUrl: db.url, secretKey: KEY }),
    ]);
    try {
      const created: string[] = [];
      for (let i = 0; i < 40; i++) created.push((await a.createTraining(uid('race'), spec())).run.id);
      const claims: string[][] = [[], []];
      const claimLoop = async (store: typeof a, into: string[], worker: string): Promise<void> => {
        for (;;) {
          const got = await store.claimRuns(worker, 3, 60_000);
          if (got.length === 0) return;
          into.push(...got.map((r) => r.id));
        }
      };
      await Promise.all([
        claimLoop(a, claims[0] ?? [], 'worker-a'),
        claimLoop(b, claims[1] ?? [], 'worker-b'),
      ]);
      const all = [...(claims[0] ?? []), ...(claims[1] ?? [])];
      expect(new Set(all).size).toBe(all.length);
      for (const id of created) expect(all).toContain(id);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('keeps the training cache coherent across servers through NOTIFY', async () => {
    const [a, b] = await Promise.all([
      createStore({ databaseUrl: db.url, secretKey: KEY }),
      createStore({ databaseUrl: db.url, secretKey: KEY }),
    ]);
    try {
      const id = uid('shared');
      const { run } = await a.createTraining(id, spec());
      expect((await b.getTraining(id))?.status.state).toBe('scheduling');
      await a.updateRun(run.id, { state: 'running' });
      await expect
        .poll(async () => (await b.getTraining(id))?.status.state, { interval: 20, timeout: 5000 })
        .toBe('running');
      await a.deleteTraining(id);
      await expect.poll(() => b.getTraining(id), { interval: 20, timeout: 5000 }).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses to start without a key when secrets are stored', async () => {
    const store = await createStore({ databaseUrl: db.url, secretKey: KEY });
    await store.createConnection(uid('docker'), { type: 'docker', uri: 'r', username: 'u', password: 'pw' });
    await store.close();
    const saved = process.env.GANGPLANK_SECRET_KEY;
    delete process.env.GANGPLANK_SECRET_KEY;
    try {
      await expect(createStore({ databaseUrl: db.url })).rejects.toThrow('no secret key is configured');
    } finally {
      if (saved !== undefined) process.env.GANGPLANK_SECRET_KEY = saved;
    }
  });
});
