/**
 * Weight histograms over typed arrays: one pass per tensor with no call per weight (Gangplank 0.5 made one Python
 * call per weight, about 49 s for 10^7 weights on a 2-core machine). `_sum` is kept (Python's client dropped it
 * whenever the first bound was negative, so the mean weight could not be derived).
 */
import type { MetricFamily, Sample } from './exposition.js';
import { formatBound } from './exposition.js';

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

/**
 * Adds every value of `values` to `h` (mutates it). Each value takes a binary search over the bounds, so the
 * cost is O(n·log b) with no allocation; 10^7 float32 weights take well under 100 ms (see bench/README.md).
 * A NaN value lands in `+Inf` only (it is `<=` no bound) and makes the sum NaN, as in Prometheus clients.
 */
export function observeAll(h: HistogramData, values: NumericArray): void {
  const bounds = h.bounds;
  const nb = bounds.length;
  const counts = h.counts;
  // A local copy is several times faster than indexing a readonly number[] through the object in the hot loop.
  const b = new Float64Array(nb);
  for (let i = 0; i < nb; i++) b[i] = bounds[i]!;
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    // First index whose bound is >= v; nb when none (the +Inf bucket), including NaN.
    let lo = 0;
    let hi = nb;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    if (v !== v) lo = nb;
    counts[lo]! += 1;
  }
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
