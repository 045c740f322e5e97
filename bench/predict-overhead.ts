// Overhead of PrometheusModel per predict call over calling the model directly, with a trivial model (returns its
// input), so the figure is the proxy's cost alone. Target: at most 2 µs added per call (median).
// Side by side in one run, interleaved so drift in CPU frequency or load hits every variant alike:
//   direct          model.predict(x)
//   proxy           new PrometheusModel(model).predict(x)
//   proxy+drift     the same with a drift function (queued off the request path; the queue is full in a tight
//                   loop, so each call also drops the oldest check)
//   prom-client     a hand-written wrapper updating prom-client labelled children (the obvious design this one
//                   avoids), for comparison
// Run: npx tsx bench/predict-overhead.ts [callsPerSample] [samples]
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  DEFAULT_BATCH_BUCKETS,
  DEFAULT_LATENCY_BUCKETS,
  PrometheusModel,
} from '../packages/metrics/src/index.js';

const callsPerSample = Number(process.argv[2] ?? 20_000);
const samples = Number(process.argv[3] ?? 41);
const TARGET_NS = 2000;

const x = [[0.1, 0.2, 0.3]];
const model = { predict: (input: number[][]) => input };
const proxy = new PrometheusModel(model, { name: 'bench', version: '1' });
const drifting = new PrometheusModel(model, { name: 'bench-drift', drift: () => ({ pValue: 1 }) });
const promClient = promClientWrapper(model);

const variants: Record<string, (input: number[][]) => number[][]> = {
  direct: (input) => model.predict(input),
  proxy: (input) => proxy.predict(input),
  'proxy+drift': (input) => drifting.predict(input),
  'prom-client': (input) => promClient.predict(input),
};

let sink = 0;
function measure(run: (input: number[][]) => number[][]): number {
  const t0 = performance.now();
  for (let i = 0; i < callsPerSample; i++) sink += run(x).length;
  return ((performance.now() - t0) * 1e6) / callsPerSample;
}

const names = Object.keys(variants);
const results: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (const name of names) for (let w = 0; w < 5; w++) measure(variants[name]!); // warm-up: let the JIT settle
for (let s = 0; s < samples; s++) {
  for (const name of names) results[name]!.push(measure(variants[name]!));
}

const median = (v: number[]): number => {
  const sorted = [...v].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const direct = median(results.direct!);
console.log(
  `predict overhead, ${samples} samples x ${callsPerSample} calls, trivial model (Node ${process.version})`,
);
console.log('variant        median ns/call   added ns vs direct');
for (const name of names) {
  const m = median(results[name]!);
  console.log(`${name.padEnd(14)} ${m.toFixed(1).padStart(14)}   ${(m - direct).toFixed(1).padStart(18)}`);
}
const added = median(results.proxy!) - direct;
console.log(
  `proxy adds ${added.toFixed(0)} ns per call: ${(added / TARGET_NS).toFixed(3)} of the ${TARGET_NS} ns target ` +
    `(${added <= TARGET_NS ? 'met' : 'MISSED'})`,
);
if (sink === -1) console.log(sink);
await drifting.prometheus.close();

/** The same metrics through prom-client's own labelled children (pre-bound with `labels()`). */
function promClientWrapper(inner: { predict: (input: number[][]) => number[][] }) {
  const registry = new Registry();
  const labels = { model: 'bench', version: '1' };
  const total = new Counter({
    name: 'p_total',
    help: 'p',
    labelNames: ['model', 'version'],
    registers: [registry],
  });
  const secs = new Counter({
    name: 's_total',
    help: 's',
    labelNames: ['model', 'version'],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'f',
    help: 'f',
    labelNames: ['model', 'version'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'l',
    help: 'l',
    labelNames: ['model', 'version', 'method'],
    buckets: [...DEFAULT_LATENCY_BUCKETS],
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'b',
    help: 'b',
    labelNames: ['model', 'version', 'method'],
    buckets: [...DEFAULT_BATCH_BUCKETS],
    registers: [registry],
  });
  const t = total.labels(labels);
  const s = secs.labels(labels);
  const f = inFlight.labels(labels);
  const l = latency.labels({ ...labels, method: 'predict' });
  const b = batch.labels({ ...labels, method: 'predict' });
  return {
    predict(input: number[][]): number[][] {
      const t0 = performance.now();
      f.inc();
      const y = inner.predict(input);
      const seconds = (performance.now() - t0) / 1000;
      f.dec();
      t.inc(y.length);
      s.inc(seconds);
      l.observe(seconds);
      b.observe(y.length);
      return y;
    },
  };
}
