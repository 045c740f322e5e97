// Online MMD calibration time for the configuration of Gangplank's MMD example (alibi-detect took over 90 minutes
// for it on a Ryzen 7 3700): a 20,000 × 10 reference, ERT 500, window 200, 5,000 bootstraps. Target: < 60 s.
// Side by side in the same run: the kernel-sum pass with the unrolled loops vs the plain loops.
// Run: npx tsx bench/drift-mmd-calibration.ts [rows] [bootstraps]
import { performance } from 'node:perf_hooks';
import { genericPair, pairKernel } from '../packages/metrics/src/drift/kernel-loops.js';
import { OnlineMmd } from '../packages/metrics/src/drift/mmd-online.js';
import { seededRandom } from '../packages/metrics/src/drift/random.js';

const rows = Number(process.argv[2] ?? 20_000);
const nBootstraps = Number(process.argv[3] ?? 5_000);
const d = 10;
const TARGET_S = 60;
const random = seededRandom(1);

// Softmax-like rows, as the example's reference (model predictions on 20,000 MNIST images).
const data = new Float64Array(rows * d);
for (let i = 0; i < rows; i++) {
  let sum = 0;
  for (let k = 0; k < d; k++) sum += data[i * d + k] = Math.exp(4 * random());
  for (let k = 0; k < d; k++) data[i * d + k]! /= sum;
}

const t0 = performance.now();
const mmd = new OnlineMmd({ data, rows, cols: d }, { ert: 500, windowSize: 200, nBootstraps, random });
const seconds = (performance.now() - t0) / 1000;

const steps = 2000;
const row = new Float64Array(d);
const t1 = performance.now();
for (let s = 0; s < steps; s++) {
  const src = (s * 7919) % rows;
  for (let k = 0; k < d; k++) row[k] = data[src * d + k]!;
  mmd.update(row);
}
const perStepUs = ((performance.now() - t1) * 1000) / steps;

// Unrolled vs plain kernel loops on the first 5,000 rows (12.5 M pairs), alternating, best of 3 each.
const sub = data.subarray(0, 5000 * d);
const sums = new Float64Array(5000);
const best = { unrolled: Infinity, plain: Infinity };
for (let r = 0; r < 3; r++) {
  for (const [name, loop] of [
    ['unrolled', pairKernel(d)],
    ['plain', genericPair(d)],
  ] as const) {
    const t = performance.now();
    loop(sub, 5000, 1 / (2 * mmd.sigma ** 2), sums, null);
    best[name] = Math.min(best[name], performance.now() - t);
  }
}
const pairs = (5000 * 4999) / 2;

console.log(`reference ${rows} x ${d}, ERT 500, window 200, ${nBootstraps} bootstraps`);
console.log(
  `calibration: ${seconds.toFixed(2)} s (${(seconds / TARGET_S).toFixed(3)} of the ${TARGET_S} s target)`,
);
console.log(
  `sigma ${mmd.sigma.toPrecision(6)}, thresholds[0] ${mmd.thresholds[0]!.toExponential(3)}, ` +
    `thresholds[W-1] ${mmd.thresholds[199]!.toExponential(3)}`,
);
console.log(`update: ${perStepUs.toFixed(1)} µs per sample (sub-reference ${mmd.referenceSize} rows)`);
console.log(
  `kernel pairs: unrolled ${((best.unrolled * 1e6) / pairs).toFixed(1)} ns, plain ${((best.plain * 1e6) / pairs).toFixed(1)} ns ` +
    `(plain/unrolled ${(best.plain / best.unrolled).toFixed(2)})`,
);
