/**
 * Bucketing by index arithmetic for evenly spaced bounds (both weight-bucket constants are): a value's bucket is
 * computed, not searched, then checked against the real bounds with one comparison each way, so `le` holds
 * exactly at the bounds even though bounds such as -0.7 are not exactly -1 + 3 × 0.1 in binary. Measured side by
 * side with a plain summing pass over the same arrays in bench/weights-histogram.ts.
 */
// Spelled out rather than imported from histogram.ts, which imports this module (no cycle).
type NumericArray = ArrayLike<number>;

/** How far a bound may sit from its even position, in steps; far below one, so an estimate is off by at most one. */
const UNIFORM_TOLERANCE = 1e-9;

/** The step of evenly spaced bounds (at least two, sorted, finite), or `undefined` when they are not. */
export function uniformStep(bounds: readonly number[]): number | undefined {
  const n = bounds.length;
  if (n < 2) return undefined;
  const lo = bounds[0]!;
  const step = (bounds[n - 1]! - lo) / (n - 1);
  if (!(step > 0) || !Number.isFinite(step) || !Number.isFinite(1 / step)) return undefined;
  for (let i = 1; i < n - 1; i++) {
    if (Math.abs(bounds[i]! - (lo + i * step)) > UNIFORM_TOLERANCE * step) return undefined;
  }
  return step;
}

/**
 * Adds per-bucket counts of `values` to `local` (`bounds.length + 1` slots, the last one `+Inf`) and returns
 * their sum. `bounds` must be evenly spaced with `step` (see {@link uniformStep}).
 */
export function countUniform(
  bounds: readonly number[],
  step: number,
  values: NumericArray,
  local: Uint32Array,
): number {
  const nb = bounds.length;
  // edge[k] = bounds[k - 1], so bucket k holds edge[k] < v <= edge[k + 1]. edge[0] is NaN: `v <= NaN` is false,
  // so bucket 0 never steps down; edge[nb + 1] is +Inf: `v > +Inf` is false, so the last never steps up.
  const edge = new Float64Array(nb + 2);
  edge[0] = NaN;
  edge.set(bounds, 1);
  edge[nb + 1] = Infinity;
  const lo = bounds[0]!;
  const inv = 1 / step;
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    if (v !== v) {
      local[nb]! += 1; // NaN is <= no bound: +Inf only
      continue;
    }
    // floor(position + 1) is the bucket, give or take one; clamped before `| 0`, which would wrap huge values.
    let x = (v - lo) * inv + 1;
    x = x < 0 ? 0 : x > nb ? nb : x;
    let k = x | 0;
    if (v > edge[k + 1]!) k += 1;
    else if (v <= edge[k]!) k -= 1;
    local[k]! += 1;
  }
  return sum;
}
