/**
 * Dispatcher benchmark: submitted→running latency of a training (median, p99), with the in-process wake-up against
 * the poll fallback alone, measured side by side in one run; then a burst of 100 short trainings submitted at once,
 * all of which must reach a final state with nothing lost. Store: PGlite in memory; executor: local.
 *
 *   npm run build && npx tsx bench/dispatch-latency.ts [samples=40] [burst=100]
 *
 * Latency = `startedAt − createdAt` of the run, both stamped by the same clock (the store's create, the dispatcher's
 * hand-over to the executor), so the figure does not depend on how often the benchmark polls.
 */
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher, createLocalExecutor, createStore } from '@gangplank/platform';
import type { Dispatcher, Store, TrainingRun } from '@gangplank/platform';

const samples = Number(process.argv[2] ?? 40);
const burst = Number(process.argv[3] ?? 100);
const root = mkdtempSync(join(tmpdir(), 'gp-bench-dispatch-'));

const spec = (name: string) => ({
  model: { name, version: '1' },
  toolchain: 'true',
  entrypoint: '',
  algorithmSource: {},
});

async function waitFinal(store: Store, runIds: string[], timeoutMs: number): Promise<TrainingRun[]> {
  // One query per poll (not one per run): PGlite runs in this process and would otherwise be the bottleneck.
  const wanted = new Set(runIds);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const active = (await store.listActiveRuns()).filter((r) => wanted.has(r.id));
    if (active.length === 0) break;
    await new Promise((r) => setTimeout(r, runIds.length > 1 ? 100 : 10));
  }
  const runs = await Promise.all(runIds.map((id) => store.getRun(id)));
  return runs.filter((r): r is TrainingRun => r !== undefined);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function latency(store: Store, d: Dispatcher, wake: boolean, label: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { run } = await store.createTraining(`lat-${label}-${i}`, spec('lat'));
    if (wake) d.wake();
    const [done] = await waitFinal(store, [run.id], 30_000);
    out.push(Date.parse(done!.startedAt!) - Date.parse(done!.createdAt));
    // a pause so that a sample does not start right on a poll tick
    await new Promise((r) => setTimeout(r, 37 + (i % 7) * 29));
  }
  return out;
}

async function main(): Promise<void> {
  const store = await createStore({});
  await store.createToolchain('true', {
    entrypoint: 'true',
    defaultImage: 'none',
    kind: 'command',
    command: ['/bin/true'],
  });
  const make = (id: string, concurrency: number) =>
    createDispatcher({
      store,
      executor: createLocalExecutor({ root: join(root, id), graceMs: 1000 }),
      workerId: id,
      concurrency,
      pollMs: 500,
      warn: () => {},
    });

  const d = make('bench', 4);
  await d.start();
  const woken = await latency(store, d, true, 'wake');
  const polled = await latency(store, d, false, 'poll');
  const row = (name: string, v: number[]) =>
    `${name.padEnd(28)} median ${percentile(v, 50).toFixed(0).padStart(5)} ms   p99 ${percentile(v, 99).toFixed(0).padStart(5)} ms`;
  console.log(`submitted → running, ${samples} trainings each (one at a time), poll fallback every 500 ms`);
  console.log(row('wake() after create', woken));
  console.log(row('poll only', polled));
  console.log(
    `ratio poll/wake: median ×${(percentile(polled, 50) / Math.max(1, percentile(woken, 50))).toFixed(1)}` +
      `; Odahu polls every 3000 ms before it even creates a pod`,
  );

  const started = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < burst; i++) ids.push((await store.createTraining(`burst-${i}`, spec('burst'))).run.id);
  d.wake();
  const submittedMs = Date.now() - started;
  const runs = await waitFinal(store, ids, 300_000);
  const elapsed = Date.now() - started;
  const succeeded = runs.filter((r) => r.state === 'succeeded' && r.exitCode === 0).length;
  const perTraining = await Promise.all(ids.map(async (id) => (await store.getRun(id))?.trainingId));
  const distinct = new Set(perTraining).size;
  console.log(
    `burst: ${burst} trainings submitted in ${submittedMs} ms, all final after ${elapsed} ms ` +
      `(concurrency 4): ${succeeded}/${burst} succeeded, ${runs.length - succeeded} failed, ` +
      `${burst - runs.length} missing, ${distinct} distinct trainings; ${(burst / (elapsed / 1000)).toFixed(1)} runs/s`,
  );
  await d.stop();
  await store.close();
  rmSync(root, { recursive: true, force: true });
  if (succeeded !== burst) process.exitCode = 1;
}

await main();
