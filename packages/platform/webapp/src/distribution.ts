/**
 * TensorBoard's distribution view from Prometheus-style histograms: for each step, the values at the basis points
 * 0, 6.68, 15.87, 30.85, 50, 69.15, 84.13, 93.32 and 100 % (the normal distribution's 0, ±0.5σ, ±1σ, ±1.5σ, max),
 * read off the cumulative buckets by linear interpolation inside the bucket that holds each rank. Pure.
 */

export interface Bucket {
  /** Upper bound; `"+Inf"` for the last bucket. */
  le: number | '+Inf';
  /** Cumulative count of observations ≤ `le`. */
  count: number;
}

export const BASIS_POINTS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000] as const;

function bound(le: number | '+Inf'): number {
  return le === '+Inf' ? Infinity : le;
}

/** The value at `fraction` (0–1) of the observations, or null for an empty histogram. */
export function quantile(buckets: readonly Bucket[], fraction: number): number | null {
  const sorted = buckets.slice().sort((a, b) => bound(a.le) - bound(b.le));
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const finite = sorted.filter((b) => b.le !== '+Inf');
  const lowest = finite[0] ? bound(finite[0].le) : null;
  const highest = finite.at(-1) ? bound(finite.at(-1)!.le) : null;
  if (lowest === null || highest === null) return null;
  const rank = fraction * total;
  let previousCount = 0;
  let previousBound = lowest;
  for (const [i, b] of sorted.entries()) {
    if (b.count >= rank && b.count > previousCount) {
      // Below the first bound or above the last finite one the spread is unknown: the edge stands for it.
      if (i === 0) return lowest;
      if (b.le === '+Inf') return highest;
      const within = (rank - previousCount) / (b.count - previousCount);
      return previousBound + (bound(b.le) - previousBound) * within;
    }
    previousCount = b.count;
    if (b.le !== '+Inf') previousBound = bound(b.le);
  }
  return highest;
}

/** The nine basis-point values of one histogram (null when it is empty). */
export function basisValues(buckets: readonly Bucket[]): (number | null)[] {
  return BASIS_POINTS.map((bp) => quantile(buckets, bp / 10000));
}
