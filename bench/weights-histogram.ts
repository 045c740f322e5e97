/**
 * Weights histogram over 10^7 float32 weights: the exporter's typed-array bucketing (per epoch) against a
 * prom-client `Histogram.observe` loop (one call per weight, as Gangplank 0.5 did in Python).
 * Target: < 100 ms for 10^7 weights. Run: `npx tsx bench/weights-histogram.ts`.
 */
import { Histogram, Registry } from 'prom-client';
import {
  HISTOGRAM_WEIGHT_BUCKETS_0_3,
  HISTOGRAM_WEIGHT_BUCKETS_1_0,
  TrainTestExporter,
} from '../packages/metrics/src/index.js';
import { emptyHistogram, observeAll } from '../packages/metrics/src/training/histogram.js';

const TOTAL = 10_000_000;
const TENSORS = 10;
const RUNS = 7;

/** Seeded normal(0, 0.15) weights, spread over several tensors like a model's layers. */
function weights(): Float32Array[] {
  let s = 12345;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: Float32Array[] = [];
  for (let k = 0; k < TENSORS; k++) {
    const a = new Float32Array(TOTAL / TENSORS);
    for (let i = 0; i < a.length; i++)
      a[i] = 0.15 * Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    out.push(a);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Row {
  label: string;
  wallMs: number;
  /** CPU ms of the process (user + system): steadier than wall time on a shared machine. */
  cpuMs: number;
}

/** Median wall and CPU time of `runs` calls of `fn`. */
function measure(label: string, runs: number, fn: (run: number) => void, scale = 1): Row {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn(r);
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { label, wallMs: scale * median(walls), cpuMs: scale * median(cpus) };
}

const arrays = weights();
const rows: Row[] = [];

// The floor: one plain pass summing the same arrays, measured in the same run so the ratio survives a loaded machine.
let sink = 0;
const sumRow = measure('plain summing pass over the same arrays, 10^7 weights', RUNS, () => {
  let total = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) total += a[i]!;
  sink += total;
});
rows.push(sumRow);

for (const [label, bounds] of [
  ['HISTOGRAM_WEIGHT_BUCKETS_1_0 (21 bounds)', HISTOGRAM_WEIGHT_BUCKETS_1_0],
  ['HISTOGRAM_WEIGHT_BUCKETS_0_3 (13 bounds)', HISTOGRAM_WEIGHT_BUCKETS_0_3],
] as const) {
  rows.push(
    measure(`observeAll, 10^7 weights, ${label}`, RUNS, () => {
      const h = emptyHistogram(bounds);
      for (const a of arrays) observeAll(h, a);
      if (h.count !== TOTAL) throw new Error('count mismatch');
    }),
  );
}

const histRow = rows[1]!;

// The whole exporter path at an epoch end: read weights from the model, bucket, update state (push stubbed out).
const exporter = new TrainTestExporter('127.0.0.1:9091', 'bench', {
  env: {},
  runId: 'bench',
  instance: 'bench',
  pushIntervalMs: 0,
  histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_1_0,
  model: { countParams: () => TOTAL, getWeights: () => arrays.map((a) => ({ dataSync: () => a })) },
  client: { transport: () => Promise.resolve({ status: 200, body: '' }) },
});
exporter.trainBegin();
const epochRow = measure('exporter.epochEnd (weights histogram + state), 10^7 weights', RUNS, (epoch) =>
  exporter.epochEnd(epoch, { loss: 0.1 }),
);
rows.push(epochRow);
rows.push(measure('exporter.render (exposition text)', RUNS, () => exporter.render('train')));
await exporter.close();

// prom-client, one observe() per weight, on 10^6 weights (10^7 would take long), scaled ×10.
const registry = new Registry();
const promHist = new Histogram({
  name: 'w',
  help: 'w',
  buckets: [...HISTOGRAM_WEIGHT_BUCKETS_1_0],
  registers: [registry],
});
const sample = arrays[0]!;
const promRow = measure(
  'prom-client Histogram.observe per weight (10^6, scaled to 10^7)',
  3,
  () => {
    promHist.reset();
    for (let i = 0; i < sample.length; i++) promHist.observe(sample[i]!);
  },
  10,
);
rows.push(promRow);

console.log(`${'median of runs'.padEnd(66)} ${'wall ms'.padStart(9)} ${'cpu ms'.padStart(9)}`);
for (const r of rows)
  console.log(`${r.label.padEnd(66)} ${r.wallMs.toFixed(1).padStart(9)} ${r.cpuMs.toFixed(1).padStart(9)}`);
console.log(
  `\nratio prom-client per-weight / observeAll (1_0 buckets, cpu): ${(promRow.cpuMs / histRow.cpuMs).toFixed(1)}x`,
);
console.log(
  `target < 100 ms for 10^7 weights: ${epochRow.wallMs < 100 ? 'met' : 'NOT met'} (exporter epoch end ${epochRow.wallMs.toFixed(1)} ms wall, ${epochRow.cpuMs.toFixed(1)} ms cpu)`,
);
if (!Number.isFinite(sink)) console.log('(sum pass result not finite)');
// Last line, read by scripts: the histogram's cost over the floor of touching every weight once (target <= 4).
console.log(`histogram/sum-pass ratio: ${(histRow.cpuMs / sumRow.cpuMs).toFixed(2)}`);
