/** How per-feature p-values are combined into one batch decision (alibi-detect's `correction`). */
export type Correction = 'bonferroni' | 'fdr';

/** Result of {@link bonferroni} and {@link benjaminiHochberg}. */
export interface CorrectionResult {
  /** Drift in the batch as a whole. */
  readonly drift: boolean;
  /** The smallest adjusted p-value; `drift` is `pValue < alpha`. */
  readonly pValue: number;
  /** Adjusted p-values, one per feature, in the input order. */
  readonly adjusted: readonly number[];
  /**
   * The level the raw p-values were compared with: `alpha/n` for Bonferroni; for Benjamini–Hochberg
   * `alpha·i/n` at the largest rejected rank i, or `alpha/n` when nothing is rejected.
   */
  readonly threshold: number;
}

function check(pValues: readonly number[], alpha: number, name: string): void {
  if (pValues.length === 0) throw new RangeError(`${name}: no p-values`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${name}: alpha must lie in (0, 1), got ${alpha}`);
  for (let i = 0; i < pValues.length; i++) {
    const p = pValues[i]!;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}: p-value ${i} is ${p}, not in [0, 1]`);
  }
}

/** Bonferroni: drift when any `pᵢ < alpha/n`; adjusted p-values `min(1, n·pᵢ)`. */
export function bonferroni(pValues: readonly number[], alpha: number): CorrectionResult {
  check(pValues, alpha, 'bonferroni');
  const n = pValues.length;
  const adjusted = pValues.map((p) => Math.min(1, n * p));
  const pValue = Math.min(...adjusted);
  const threshold = alpha / n;
  return { drift: pValues.some((p) => p < threshold), pValue, adjusted, threshold };
}

/**
 * Benjamini–Hochberg false discovery rate control: with p sorted ascending, drift when any `p₍ᵢ₎ < alpha·i/n`.
 * Adjusted p-values (q-values) are `min_{j≥i} min(1, n·p₍ⱼ₎/j)`.
 */
export function benjaminiHochberg(pValues: readonly number[], alpha: number): CorrectionResult {
  check(pValues, alpha, 'benjaminiHochberg');
  const n = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
  const adjusted = new Array<number>(n);
  let running = 1;
  for (let r = n - 1; r >= 0; r--) {
    const i = order[r]!;
    running = Math.min(running, (n * pValues[i]!) / (r + 1));
    adjusted[i] = running;
  }
  let largest = -1;
  for (let r = 0; r < n; r++) {
    if (pValues[order[r]!]! < (alpha * (r + 1)) / n) largest = r;
  }
  return {
    drift: largest >= 0,
    pValue: Math.min(...adjusted),
    adjusted,
    threshold: largest >= 0 ? (alpha * (largest + 1)) / n : alpha / n,
  };
}

/** Applies the named correction. */
export function correct(pValues: readonly number[], alpha: number, correction: Correction): CorrectionResult {
  if (correction === 'bonferroni') return bonferroni(pValues, alpha);
  if (correction === 'fdr') return benjaminiHochberg(pValues, alpha);
  throw new RangeError(`unknown correction ${String(correction)}: use 'bonferroni' or 'fdr'`);
}
