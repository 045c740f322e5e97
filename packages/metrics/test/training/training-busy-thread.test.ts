/**
 * Pushes that never stall: the push worker keeps pushing while the training's thread is busy in a synchronous
 * loop, and every retry sends the newest state. Watched from outside the training's thread (a watcher thread polls
 * the real Pushgateway), since that thread cannot look while it is busy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, inject, it } from 'vitest';
import { freePort, startPushgateway } from '@gangplank/stack';
import { TrainTestExporter, type PushHandler, type TrainTestExporterOptions } from '../../src/index.js';

const pgw = inject('pushgatewayUrl');
const unique = (name: string): string => `${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/** Keeps this thread busy for `ms` with no await, as a synchronous training step does. */
function busy(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

interface Sighting {
  t: number;
  epoch: number;
}

// Plain JS for a worker thread: polls the gateway every 20 ms and records each epochs_count it sees, with the time.
const WATCHER = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
const seen = [];
parentPort.on('message', () => { stop = true; });
(async () => {
  parentPort.postMessage({ ready: true });
  while (!stop) {
    try {
      const res = await fetch(workerData.url + '/api/v1/metrics');
      const { data } = await res.json();
      for (const g of data) {
        const m = g.gangplank_train_epochs_count;
        if (g.labels.job === workerData.job && m) seen.push({ t: Date.now(), epoch: Number(m.metrics[0].value) });
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  parentPort.postMessage({ seen });
})();
`;

async function watch(url: string, job: string): Promise<{ stop(): Promise<Sighting[]> }> {
  const worker = new Worker(WATCHER, { eval: true, workerData: { url, job } });
  const messages: { ready?: boolean; seen?: Sighting[] }[] = [];
  let notify = (): void => undefined;
  worker.on('message', (m: { ready?: boolean; seen?: Sighting[] }) => {
    messages.push(m);
    notify();
  });
  const next = (): Promise<{ ready?: boolean; seen?: Sighting[] }> =>
    new Promise((resolve) => {
      const take = (): void => {
        const m = messages.shift();
        if (m) resolve(m);
        else notify = take;
      };
      take();
    });
  await next(); // ready
  return {
    async stop() {
      worker.postMessage('stop');
      const { seen = [] } = await next();
      await worker.terminate();
      return seen;
    },
  };
}

function epochOf(text: string): number | undefined {
  const m = /^gangplank_train_epochs_count\{[^}]*\} (\S+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

interface FrozenRun {
  e: TrainTestExporter;
  metricsText: () => Promise<string>;
  successAt: () => string | undefined;
  before: string | undefined;
}

/**
 * Trains one epoch against a gateway of its own, freezes it (SIGSTOP), trains nine more while every attempt
 * times out, waits longer than an attempt and its back-off (so the attempt under way at the resume began after
 * the last epoch), resumes it (SIGCONT) and hands over to `after`.
 */
async function frozenGatewayRun(
  options: TrainTestExporterOptions,
  after: (run: FrozenRun) => Promise<void>,
): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gangplank-pgw-frozen-'));
  const gateway = await startPushgateway({ stateDir, port: await freePort() });
  const job = unique('frozen');
  const metricsText = async (): Promise<string> =>
    (await (await fetch(`${gateway.url}/metrics`)).text())
      .split('\n')
      .filter((l) => l.includes(`job="${job}"`))
      .join('\n');
  const e = new TrainTestExporter(gateway.url, job, {
    env: {},
    runId: 'r1',
    instance: 'w0',
    pushIntervalMs: 0,
    // Short attempts and many retries: the frozen gateway times every attempt out until it is resumed.
    client: { timeoutMs: 300, retry: { retries: 1000, initialDelayMs: 50, maxDelayMs: 200 } },
    ...options,
  });
  const successAt = (): string | undefined =>
    /^gangplank_exporter_last_push_success_timestamp_seconds (\S+)$/m.exec(e.render('train'))?.[1];
  let stopped = false;
  try {
    e.trainBegin({ targetEpochs: 10 });
    e.epochEnd(0, { loss: 1 });
    await e.flush();
    expect(epochOf(await metricsText())).toBe(1);
    const before = successAt();
    process.kill(gateway.pid, 'SIGSTOP');
    stopped = true;
    for (let epoch = 1; epoch < 10; epoch++) {
      busy(50);
      e.epochEnd(epoch, { loss: 1 / (epoch + 1) });
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(gateway.pid, 'SIGCONT');
    stopped = false;
    await after({ e, metricsText, successAt, before });
  } finally {
    if (stopped) process.kill(gateway.pid, 'SIGCONT');
    await e.close().catch(() => undefined);
    await gateway.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

describe('pushes that never stall', () => {
  it('a synchronous loop of 30 steps of 100 ms busy CPU shows at least 10 distinct epochs on the gateway during the loop', async () => {
    const job = unique('busy_loop');
    const watcher = await watch(pgw, job);
    const e = new TrainTestExporter(pgw, job, { env: {}, runId: 'r1', instance: 'w0', pushIntervalMs: 0 });
    e.trainBegin({ targetEpochs: 30 });
    // No await anywhere in the loop: the event loop of this thread never runs until it ends.
    for (let step = 0; step < 30; step++) {
      busy(100);
      e.epochEnd(step, { loss: 1 / (step + 1) });
    }
    const loopEnd = Date.now();
    const seen = await watcher.stop();
    e.trainEnd();
    await e.close();
    const during = new Set(seen.filter((s) => s.t <= loopEnd).map((s) => s.epoch));
    expect(during.size).toBeGreaterThanOrEqual(10);
    expect(e.problems).toEqual([]);
    await e.deleteGroups();
  });

  it('a gateway frozen with SIGSTOP and resumed shows the current epoch on its first successful push', async () => {
    await frozenGatewayRun({}, async ({ e, metricsText, successAt, before }) => {
      await expect.poll(successAt, { timeout: 20_000, interval: 5 }).not.toBe(before);
      // Requests the client gave up on while the gateway was frozen are applied by it on resume, in about the
      // order they came; the exporter's re-push after a recovery settles any that came late.
      await expect.poll(async () => epochOf(await metricsText()), { timeout: 2000 }).toBe(10);
      await e.close();
      expect(e.problems).toEqual([]);
    });
  });

  it('pushing from the training thread (a handler), the first successful attempt after the freeze carries the current epoch', async () => {
    const succeeded: string[] = [];
    const handler: PushHandler = async (request, send) => {
      const res = await send(request);
      if (res.status >= 200 && res.status < 300 && request.body !== undefined) succeeded.push(request.body);
      return res;
    };
    await frozenGatewayRun({ handler }, async ({ e }) => {
      const afterFreeze = succeeded.length;
      await expect
        .poll(() => succeeded.length, { timeout: 20_000, interval: 5 })
        .toBeGreaterThan(afterFreeze);
      expect(/^gangplank_train_epochs_count (\S+)$/m.exec(succeeded[afterFreeze]!)?.[1]).toBe('10');
      await e.close();
    });
  });
});
