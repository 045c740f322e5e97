/**
 * The `p`-quantile of `values` with linear interpolation between order statistics (Hyndman–Fan type 7, numpy's
 * and PyTorch's default): position `h = (n - 1)·p`, result `v[⌊h⌋] + (h - ⌊h⌋)·(v[⌊h⌋+1] - v[⌊h⌋])`.
 *
 * `values` is not modified. Example: `quantile([0.3, 0.1, 0.4, 0.2, 0.5], 0.8)` is `0.42`.
 *
 * @throws RangeError on an empty array, a `p` outside [0, 1] or a `NaN` value
 */
export function quantile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) throw new RangeError('quantile: no values');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must lie in [0, 1], got ${p}`);
  const sorted = Float64Array.from(values);
  for (const v of sorted) {
    if (Number.isNaN(v)) throw new RangeError('quantile: values contain NaN');
  }
  sorted.sort();
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (h - lo) * (b - a);
}
