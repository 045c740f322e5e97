/**
 * API throughput: GET of one training and of a 500-item list against a hello-world route of the same Fastify
 * instance, measured in one run (ratios), on PGlite and on PostgreSQL; plus create throughput (POST).
 * Target: the single GET at least 0.5× the hello-world's requests per second.
 *
 *   npx tsx bench/api-throughput.ts [--seconds 3] [--concurrency 16] [--backends pglite,postgres]
 *
 * The load generator runs in the same process as the server (keep-alive agent on loopback), like autocannon
 * would; both sides share the machine's cores, so the ratios matter, not the absolute numbers.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../packages/platform/src/server/app.js';
import { createStore } from '../packages/platform/src/store/create-store.js';
import type { Store } from '../packages/platform/src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../packages/platform/test/support/postgres.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    backends: { type: 'string', default: 'pglite,postgres' },
    creates: { type: 'string', default: '500' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const CREATES = Number(values.creates);

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function request(base: URL, method: string, pathName: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
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

/** Requests per second of `pathName` for `seconds`, with `CONCURRENCY` requests in flight. */
async function throughput(base: URL, pathName: string, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const status = await request(base, 'GET', pathName);
      if (status !== 200) throw new Error(`GET ${pathName} answered ${status}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done / ((performance.now() - start) / 1000);
}

function training(id: string): string {
  return JSON.stringify({
    kind: 'ModelTraining',
    id,
    spec: {
      model: { name: 'wine', version: '1.0' },
      toolchain: 'mlflow',
      entrypoint: 'main',
      algorithmSource: { vcs: { connection: 'repo' } },
      data: [{ connection: 'wine', localPath: 'data/wine.csv' }],
      hyperParameters: { alpha: '1.0' },
    },
  });
}

async function bench(name: string, store: Store): Promise<Record<string, number | string>> {
  const app = await createApp({ store, metrics: true });
  app.get('/hello', () => ({ hello: 'world' }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const base = new URL(address);
  try {
    await request(
      base,
      'POST',
      '/api/v1/toolchain/integration',
      JSON.stringify({ id: 'mlflow', spec: { entrypoint: '/run', defaultImage: 'img' } }),
    );
    await request(
      base,
      'POST',
      '/api/v1/connection',
      JSON.stringify({ id: 'repo', spec: { type: 'git', uri: 'https://example.com/r.git' } }),
    );
    await request(
      base,
      'POST',
      '/api/v1/connection',
      JSON.stringify({ id: 'wine', spec: { type: 'local', uri: '/srv/wine' } }),
    );

    // Create throughput: POSTs with CONCURRENCY in flight.
    let next = 0;
    const createStart = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CREATES) {
          const id = `train-${String(next++).padStart(4, '0')}`;
          const status = await request(base, 'POST', '/api/v1/model/training', training(id));
          if (status !== 201) throw new Error(`create ${id} answered ${status}`);
        }
      }),
    );
    const creates = CREATES / ((performance.now() - createStart) / 1000);

    // Warm up, then interleave so drift in machine load hits every route alike.
    await throughput(base, '/hello', 0.5);
    await throughput(base, '/api/v1/model/training/train-0042', 0.5);
    const sums = { hello: 0, one: 0, list: 0 };
    for (let round = 0; round < 2; round++) {
      sums.hello += await throughput(base, '/hello', SECONDS / 2);
      sums.one += await throughput(base, '/api/v1/model/training/train-0042', SECONDS / 2);
      sums.list += await throughput(base, '/api/v1/model/training?size=500', SECONDS / 2);
    }
    const hello = sums.hello / 2;
    const one = sums.one / 2;
    const list = sums.list / 2;
    return {
      backend: name,
      'hello req/s': Math.round(hello),
      'GET one req/s': Math.round(one),
      'GET one / hello': (one / hello).toFixed(2),
      'list 500 req/s': Math.round(list),
      'list 500 / hello': (list / hello).toFixed(3),
      'create req/s': Math.round(creates),
    };
  } finally {
    await app.close();
  }
}

const rows: Record<string, number | string>[] = [];
for (const backend of values.backends.split(',')) {
  if (backend === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'gangplank-bench-'));
    const store = await createStore({ dataDir: dir });
    try {
      rows.push(await bench('PGlite (on disk)', store));
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  } else if (backend === 'postgres') {
    const db: TestDatabase = await createTestDatabase();
    const store = await createStore({
      databaseUrl: db.url,
      secretKey: Buffer.alloc(32, 9).toString('base64'),
    });
    try {
      rows.push(await bench('PostgreSQL 15 (pg)', store));
    } finally {
      await store.close();
      await db.drop();
    }
  }
}
agent.destroy();
console.log(`concurrency ${CONCURRENCY}, ${SECONDS} s per route (2 interleaved rounds), ${CREATES} creates`);
console.table(rows);
const worst = Math.min(...rows.map((r) => Number(r['GET one / hello'])));
console.log(
  `single GET vs hello-world: worst ratio ${worst.toFixed(2)} (target ≥ 0.50) → ${worst >= 0.5 ? 'met' : 'NOT met'}`,
);
