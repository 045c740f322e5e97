/**
 * Submitted→running latency of one run on a real single-node Slurm versus the local executor, side by side in one
 * run (alternating, `samples` each). Latency = from `submit()` until `status()` first says `running` (polled every
 * 10 ms; the Slurm executor's own poll of scontrol is set to 100 ms, which bounds what it can see). Slurm is the
 * tests' throw-away cluster (test/support/slurm.ts: installs slurm-wlm when root, auth/none,
 * `batch_sched_delay=0`), started and stopped by this script.
 *
 *   npm run build && npx tsx bench/slurm-latency.ts [samples=5]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalExecutor, createSlurmExecutor } from '@gangplank/platform';
import type { Executor } from '@gangplank/platform';
import { nodeSpec, tempDir } from '../packages/platform/test/fixtures/specs.js';
import { startSlurm } from '../packages/platform/test/support/slurm.js';

const samples = Number(process.argv[2] ?? 5);
const started = await startSlurm();
if (!started.cluster) {
  console.log(`Slurm not available: ${started.skip}`);
  process.exit(0);
}
const cluster = started.cluster;
const root = tempDir('gp-bench-slurm-');

async function latency(executor: Executor & { settled(runId: string): Promise<unknown> }): Promise<number> {
  const spec = nodeSpec('sleep.mjs', { args: ['300'] });
  const t0 = performance.now();
  const handle = await executor.submit(spec);
  for (;;) {
    const status = await executor.status(handle);
    if (status.phase === 'running' || status.phase === 'succeeded' || status.phase === 'failed') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - t0;
  await executor.settled(spec.runId);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
};

try {
  const slurm = createSlurmExecutor({
    workRoot: join(cluster.dir, 'work', 'runs'),
    slurmConf: cluster.conf,
    jobCompFile: cluster.jobCompFile,
    pollMs: 100,
  });
  const local = createLocalExecutor({ root: join(root, 'runs'), graceMs: 500 });
  // One warm-up each: the first Slurm job waits for slurmctld's first scheduling pass (about 3 s).
  await latency(slurm);
  await latency(local);
  const s: number[] = [];
  const l: number[] = [];
  for (let i = 0; i < samples; i++) {
    s.push(await latency(slurm));
    l.push(await latency(local));
  }
  await slurm.close();
  await local.close();
  console.log(`submitted→running, ${samples} runs each (after one warm-up), median [min–max] ms`);
  console.log(`local  ${median(l).toFixed(0)} [${Math.min(...l).toFixed(0)}–${Math.max(...l).toFixed(0)}]`);
  console.log(`slurm  ${median(s).toFixed(0)} [${Math.min(...s).toFixed(0)}–${Math.max(...s).toFixed(0)}]`);
  console.log(`slurm / local: ${(median(s) / median(l)).toFixed(1)}×`);
} finally {
  await cluster.stop();
  rmSync(root, { recursive: true, force: true });
}
