/**
 * Claim throughput on PostgreSQL with 1, 2 and 4 dispatchers (workers), measured side by side in one run.
 * Each worker loops as a dispatcher does: `claimRuns(batch)` (`FOR UPDATE SKIP LOCKED` + lease), then for every
 * claimed run `updateRun(running)` and `updateRun(succeeded, release)` under its lease. Each worker has its own
 * store (its own connection pool), as separate servers would; they share this process's CPU, and the database
 * runs on the same 2 cores, so the figure is a lower bound of what separate machines get. Also checks that no run
 * was claimed twice.
 *
 *   npm run build && npx tsx bench/claims-throughput.ts [runs=1000] [batch=10]
 *
 * Database: GANGPLANK_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/postgres, else a private cluster
 * (the tests' helper); a fresh database per worker count.
 */
import { createStore } from '@gangplank/platform';
import type { Store } from '@gangplank/platform';
import { createTestDatabase } from '../packages/platform/test/support/postgres.js';

const runs = Number(process.argv[2] ?? 1000);
const batch = Number(process.argv[3] ?? 10);
const KEY = Buffer.alloc(32, 3).toString('base64');

async function measure(workers: number): Promise<{ perSecond: number; seconds: number; duplicates: number }> {
  const db = await createTestDatabase();
  const stores: Store[] = [];
  try {
    for (let i = 0; i < workers; i++) stores.push(await createStore({ databaseUrl: db.url, secretKey: KEY }));
    const first = stores[0] as Store;
    await first.createToolchain('true', {
      entrypoint: 'true',
      defaultImage: 'none',
      kind: 'command',
      command: ['/bin/true'],
    });
    for (let i = 0; i < runs; i++) {
      await first.createTraining(`claims-${i}`, {
        model: { name: 'claims', version: '1' },
        toolchain: 'true',
        entrypoint: '',
        algorithmSource: {},
      });
    }
    const claimed: string[] = [];
    const started = performance.now();
    await Promise.all(
      stores.map(async (store, w) => {
        const workerId = `bench-worker-${w}`;
        for (;;) {
          const got = await store.claimRuns(workerId, batch, 30_000);
          if (got.length === 0) return;
          for (const run of got) {
            claimed.push(run.id);
            const now = new Date().toISOString();
            await store.updateRun(run.id, { state: 'running', startedAt: now }, { workerId });
            await store.updateRun(
              run.id,
              { state: 'succeeded', reason: 'Succeeded', exitCode: 0, finishedAt: now, release: true },
              { workerId },
            );
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      perSecond: claimed.length / seconds,
      seconds,
      duplicates: claimed.length - new Set(claimed).size,
    };
  } finally {
    for (const store of stores) await store.close();
    await db.drop();
  }
}

const results: { workers: number; perSecond: number; seconds: number; duplicates: number }[] = [];
for (const workers of [1, 2, 4]) results.push({ workers, ...(await measure(workers)) });
const base = results[0]?.perSecond ?? 1;
console.log(`claim → running → succeeded cycles on PostgreSQL, ${runs} runs, batch ${batch}`);
console.log('workers  runs/s  seconds  vs 1 worker  claimed twice');
for (const r of results) {
  console.log(
    `${String(r.workers).padStart(7)}  ${r.perSecond.toFixed(0).padStart(6)}  ${r.seconds.toFixed(2).padStart(7)}  ` +
      `${(r.perSecond / base).toFixed(2).padStart(10)}×  ${String(r.duplicates).padStart(13)}`,
  );
}
