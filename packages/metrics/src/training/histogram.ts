/**
 * Weight histograms over typed arrays: one pass per tensor with no call per weight (Gangplank 0.5 made one Python
 * call per weight, about 49 s for 10^7 weights on a 2-core machine). `_sum` is kept (Python's client dropped it
 * whenever the first bound was negative, so the mean weight could not be derived).
 */
import type { MetricFamily, Sample } from './exposition.js';
import { formatBound } from './exposition.js';
import { countUniform, uniformStep } from './histogram-uniform.js';

/** Values a histogram can read: typed arrays or plain arrays of numbers. */
export type NumericArray = ArrayLike<number>;

/** Histogram counts: `counts[i]` = values with `bounds[i-1] < v <= bounds[i]`, the last slot is `+Inf`. */
export interface HistogramData {
  /** Sorted, finite, distinct upper bounds (without `+Inf`). */
  bounds: readonly number[];
  /** Per-bucket (not cumulative) counts, `bounds.length + 1` slots. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** Sorts, de-duplicates and drops non-finite bounds (`+Inf` is always implied). */
export function normalizeBounds(bounds: readonly number[]): number[] {
  return [...new Set(bounds.filter((b) => Number.isFinite(b)))].sort((a, b) => a - b);
}

export function emptyHistogram(bounds: readonly number[]): HistogramData {
  return { bounds, counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
}

/** Cells of the lookup grid per bound: enough that a cell rarely holds more than one bound. */
const CELLS_PER_BOUND = 16;

/**
 * Adds every value of `values` to `h` (mutates it), with no call and no allocation per value: by index arithmetic
 * when the bounds are evenly spaced (histogram-uniform.ts), else through the general path below.
 *
 * General path:
 * A uniform grid over [first bound, last bound] maps each cell to the first bound at or above the cell's start;
 * a value's bucket is then one multiply, one table read and usually zero or one comparison step. A binary search
 * took 556 ms for 10^7 float32 weights on the 2-core bench machine (its branches are unpredictable); the grid
 * takes a small fraction of that (see bench/README.md). The result is exact for any sorted bounds: the steps
 * correct both grid rounding and cells holding several bounds.
 *
 * A NaN value lands in `+Inf` only (it is `<=` no bound) and makes the sum NaN, as in Prometheus clients.
 */
export function observeAll(h: HistogramData, values: NumericArray): void {
  const step = uniformStep(h.bounds);
  if (step === undefined) {
    observeGeneral(h, values);
    return;
  }
  const nb = h.bounds.length;
  const local = new Uint32Array(nb + 1);
  const sum = countUniform(h.bounds, step, values, local);
  for (let k = 0; k <= nb; k++) h.counts[k]! += local[k]!;
  h.sum += sum;
  h.count += values.length;
}

/** {@link observeAll} for any sorted bounds (a lookup grid and steps); the reference the uniform path is tested against. */
export function observeGeneral(h: HistogramData, values: NumericArray): void {
  const nb = h.bounds.length;
  const counts = h.counts;
  const n = values.length;
  let sum = 0;
  if (nb === 0) {
    for (let i = 0; i < n; i++) sum += values[i]!;
    counts[0]! += n;
    h.sum += sum;
    h.count += n;
    return;
  }
  // Bounds plus a +Inf sentinel, so the upward step always stops inside the array.
  const b = new Float64Array(nb + 1);
  b.set(h.bounds);
  b[nb] = Infinity;
  const lo = b[0]!;
  const cells = nb > 1 ? nb * CELLS_PER_BOUND : 1;
  const width = (b[nb - 1]! - lo) / cells;
  const inv = width > 0 ? 1 / width : 0;
  const last = cells - 1;
  const table = new Int32Array(cells);
  for (let c = 0, k = 0; c < cells; c++) {
    const start = lo + c * width;
    while (k < nb && b[k]! < start) k++;
    table[c] = k;
  }
  // Integer counts in the loop (cheaper than float adds), folded into the histogram after.
  const local = new Uint32Array(nb + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    if (v !== v) {
      local[nb]! += 1; // NaN
      continue;
    }
    // Clamp before the integer conversion: values far outside the bounds would overflow `| 0`.
    const x = (v - lo) * inv;
    let k = table[x <= 0 ? 0 : x >= last ? last : x | 0]!;
    // First bound >= v: step up past bounds below v, and down if rounding put us one cell too far.
    while (b[k]! < v) k++;
    while (k > 0 && b[k - 1]! >= v) k--;
    local[k]! += 1;
  }
  for (let k = 0; k <= nb; k++) counts[k]! += local[k]!;
  h.sum += sum;
  h.count += n;
}

/** Renders a histogram family with cumulative `_bucket{le}`, `_sum` and `_count`. */
export function histogramFamily(name: string, help: string, h: HistogramData): MetricFamily {
  const samples: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    cumulative += h.counts[i]!;
    samples.push({ suffix: '_bucket', labels: { le: formatBound(h.bounds[i]!) }, value: cumulative });
  }
  cumulative += h.counts[h.bounds.length]!;
  samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: cumulative });
  samples.push({ suffix: '_sum', value: h.sum });
  samples.push({ suffix: '_count', value: h.count });
  return { name, help, type: 'histogram', samples };
}
