/**
 * Run-history ingest: points per second stored from 20 concurrent runs, each POSTing batches of its own points as
 * fast as the server answers (one request in flight per run, as the exporter sends), against the same server's
 * hello-world (`GET /health`) requests per second with the same 20 clients, on PGlite (on disk) and PostgreSQL,
 * in one run. Target (issue 12): ≥ 10,000 points/s on PGlite on 2 cores.
 *
 *   npx tsc -b && npx tsx bench/history-ingest.ts [--seconds 5] [--runs 20] [--batch 500] [--backends pglite,postgres]
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../packages/platform/src/server/app.js';
import { createStore } from '../packages/platform/src/store/create-store.js';
import type { Store } from '../packages/platform/src/store/store.js';
import { createTestDatabase } from '../packages/platform/test/support/postgres.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '20' },
    batch: { type: 'string', default: '500' },
    backends: { type: 'string', default: 'pglite,postgres' },
  },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const BATCH = Number(values.batch);
const agent = new http.Agent({ keepAlive: true, maxSockets: RUNS });

function send(port: number, method: string, pathName: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: pathName,
        method,
        agent,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function bench(label: string, store: Store): Promise<Record<string, string | number>> {
  const app = await createApp({ store, metrics: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  try {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const { run } = await store.createTraining(`bench-${Date.now()}-${i}`, {
        model: { name: 'b', version: '1' },
        toolchain: 'none',
        entrypoint: 'main',
        algorithmSource: { vcs: { connection: 'none' } },
      });
      runs.push({ url: `/api/v1/model/training/${run.trainingId}/runs/${run.id}/history`, step: 0 });
    }
    // Ingest: each run records its own epochs (5 names per step) as fast as it is answered.
    let points = 0;
    const until = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      runs.map(async (run) => {
        while (performance.now() < until) {
          const batch = [];
          while (batch.length < BATCH) {
            run.step += 1;
            for (const name of ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'learning_rate']) {
              batch.push({
                phase: 'train',
                name,
                step: run.step,
                time: Date.now() / 1000,
                value: Math.random(),
              });
            }
          }
          const status = await send(port, 'POST', run.url, JSON.stringify({ points: batch }));
          if (status !== 200) throw new Error(`POST history answered ${status}`);
          points += batch.length;
        }
      }),
    );
    const ingest = points / ((performance.now() - started) / 1000);
    // Hello-world with the same clients.
    let hellos = 0;
    const helloUntil = performance.now() + SECONDS * 1000;
    const helloStart = performance.now();
    await Promise.all(
      runs.map(async () => {
        while (performance.now() < helloUntil) {
          await send(port, 'GET', '/health');
          hellos += 1;
        }
      }),
    );
    const hello = hellos / ((performance.now() - helloStart) / 1000);
    return {
      store: label,
      'points/s stored': Math.round(ingest),
      'requests/s (history)': Math.round(ingest / BATCH),
      'hello requests/s': Math.round(hello),
      'points/s per hello/s': Number((ingest / hello).toFixed(2)),
    };
  } finally {
    await app.close();
  }
}

const rows: Record<string, string | number>[] = [];
for (const backend of values.backends.split(',')) {
  if (backend === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'gangplank-bench-history-'));
    const store = await createStore({ dataDir: dir });
    try {
      rows.push(await bench('PGlite (on disk)', store));
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  } else if (backend === 'postgres') {
    const db = await createTestDatabase();
    const store = await createStore({
      databaseUrl: db.url,
      secretKey: Buffer.alloc(32, 9).toString('base64'),
    });
    try {
      rows.push(await bench('PostgreSQL (pg)', store));
    } finally {
      await store.close();
      await db.drop();
    }
  }
}
agent.destroy();
console.log(`${RUNS} concurrent runs, batches of ${BATCH} points, ${SECONDS} s per measurement`);
console.table(rows);
const pglite = rows.find((r) => String(r.store).startsWith('PGlite'));
if (pglite) {
  const n = Number(pglite['points/s stored']);
  console.log(`PGlite: ${n} points/s (target ≥ 10,000) → ${n >= 10_000 ? 'met' : 'NOT met'}`);
}
