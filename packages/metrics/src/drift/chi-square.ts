import { chiSquareSf } from './special.js';

/** Result of a chi-square test. */
export interface ChiSquareResult {
  /** Pearson's statistic `Σ (O − E)² / E`. */
  readonly statistic: number;
  /** Upper-tail p-value `chi2.sf(statistic, dof)`; 1 when `dof` is 0. */
  readonly pValue: number;
  /** Degrees of freedom. */
  readonly dof: number;
}

/** Result of a contingency-table test: also the table of expected frequencies. */
export interface ChiSquareContingencyResult extends ChiSquareResult {
  readonly expected: readonly (readonly number[])[];
}

/** Options of {@link chiSquareGoodnessOfFit}. */
export interface ChiSquareGoodnessOfFitOptions {
  /**
   * Expected frequencies, one per category. Their sum must equal the sum of the observed frequencies to a
   * relative tolerance of `sqrt(2^-52)` ≈ 1.49e-8, as in SciPy ≥ 1.9.
   * @default the uniform mean of the observed frequencies
   */
  readonly expected?: ArrayLike<number>;
  /**
   * Change to the degrees of freedom: `dof = k − 1 − ddof` (e.g. parameters estimated from the data).
   * @default 0
   */
  readonly ddof?: number;
}

/** Relative tolerance on `Σ observed` vs `Σ expected`: SciPy's `finfo(float64).eps ** 0.5`. */
const SUM_RTOL = Math.sqrt(2 ** -52);

function checkFrequencies(name: string, values: ArrayLike<number>, allowZero: boolean): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      const want = allowZero ? 'finite and ≥ 0' : 'finite and > 0';
      throw new RangeError(`${name}[${i}] is ${v}: frequencies must be ${want}`);
    }
  }
}

/**
 * Pearson's chi-square goodness-of-fit test of observed frequencies against expected ones (SciPy's
 * `stats.chisquare`). The p-value comes from the upper incomplete gamma function, accurate far in the tail.
 *
 * Differences from SciPy, on input SciPy would turn into NaN: an expected frequency of 0 and a negative or
 * non-finite frequency are errors here.
 *
 * @example chiSquareGoodnessOfFit([16, 18, 16, 14, 12, 12]) // { statistic: 2, pValue: 0.849…, dof: 5 }
 * @throws RangeError on fewer than one category, invalid frequencies, mismatched lengths or sums, or dof ≤ 0
 */
export function chiSquareGoodnessOfFit(
  observed: ArrayLike<number>,
  options: ChiSquareGoodnessOfFitOptions = {},
): ChiSquareResult {
  const k = observed.length;
  if (k === 0) throw new RangeError('chiSquareGoodnessOfFit: no categories (observed is empty)');
  checkFrequencies('observed', observed, true);
  const ddof = options.ddof ?? 0;
  if (!Number.isInteger(ddof))
    throw new RangeError(`chiSquareGoodnessOfFit: ddof must be an integer, got ${ddof}`);
  let obsSum = 0;
  for (let i = 0; i < k; i++) obsSum += observed[i]!;
  let expected: ArrayLike<number>;
  if (options.expected === undefined) {
    expected = new Float64Array(k).fill(obsSum / k);
    if (obsSum === 0) throw new RangeError('chiSquareGoodnessOfFit: all observed frequencies are 0');
  } else {
    expected = options.expected;
    if (expected.length !== k) {
      throw new RangeError(
        `chiSquareGoodnessOfFit: ${k} observed but ${expected.length} expected frequencies; give one per category`,
      );
    }
    checkFrequencies('expected', expected, false);
    let expSum = 0;
    for (let i = 0; i < k; i++) expSum += expected[i]!;
    const rel = Math.abs(obsSum - expSum) / Math.min(obsSum, expSum);
    if (!(rel <= SUM_RTOL)) {
      throw new RangeError(
        `chiSquareGoodnessOfFit: observed frequencies sum to ${obsSum} but expected ones to ${expSum} ` +
          `(relative difference ${rel}, tolerance ${SUM_RTOL}); scale the expected frequencies to the observed total`,
      );
    }
  }
  const dof = k - 1 - ddof;
  if (dof <= 0) {
    throw new RangeError(
      `chiSquareGoodnessOfFit: ${k} categories and ddof ${ddof} leave ${dof} degrees of freedom`,
    );
  }
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const e = expected[i]!;
    const d = observed[i]! - e;
    statistic += (d * d) / e;
  }
  return { statistic, pValue: chiSquareSf(statistic, dof), dof };
}

/** Options of {@link chiSquareContingency}. */
export interface ChiSquareContingencyOptions {
  /**
   * Apply Yates' continuity correction when the table has exactly one degree of freedom (SciPy's default):
   * each observed count moves toward its expected count by `min(0.5, |E − O|)`.
   * @default true
   */
  readonly correction?: boolean;
}

/**
 * Chi-square test of independence on an r×c contingency table (SciPy's `stats.chi2_contingency` with the
 * Pearson statistic). `dof = (r − 1)(c − 1)`; with `dof = 0` the statistic is 0 and the p-value 1.
 *
 * @throws RangeError on an empty or ragged table, negative or non-finite counts, or a zero expected frequency
 *   (a row or column of zeros)
 */
export function chiSquareContingency(
  table: readonly ArrayLike<number>[],
  options: ChiSquareContingencyOptions = {},
): ChiSquareContingencyResult {
  const r = table.length;
  const c = r === 0 ? 0 : table[0]!.length;
  if (r === 0 || c === 0) throw new RangeError('chiSquareContingency: the table is empty');
  const rowSums = new Float64Array(r);
  const colSums = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < r; i++) {
    const row = table[i]!;
    if (row.length !== c) {
      throw new RangeError(`chiSquareContingency: row ${i} has ${row.length} cells, row 0 has ${c}`);
    }
    checkFrequencies(`table[${i}]`, row, true);
    for (let j = 0; j < c; j++) {
      const v = row[j]!;
      rowSums[i]! += v;
      colSums[j]! += v;
      total += v;
    }
  }
  const expected: number[][] = [];
  for (let i = 0; i < r; i++) {
    const e: number[] = [];
    for (let j = 0; j < c; j++) {
      const v = (rowSums[i]! * colSums[j]!) / total;
      if (v === 0 || !Number.isFinite(v)) {
        throw new RangeError(
          `chiSquareContingency: the expected frequency at (${i}, ${j}) is 0; drop empty rows and columns first`,
        );
      }
      e.push(v);
    }
    expected.push(e);
  }
  const dof = (r - 1) * (c - 1);
  if (dof === 0) return { statistic: 0, pValue: 1, dof, expected };
  const yates = dof === 1 && (options.correction ?? true);
  let statistic = 0;
  for (let i = 0; i < r; i++) {
    const row = table[i]!;
    for (let j = 0; j < c; j++) {
      const e = expected[i]![j]!;
      let o = row[j]!;
      if (yates) {
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      const d = o - e;
      statistic += (d * d) / e;
    }
  }
  return { statistic, pValue: chiSquareSf(statistic, dof), dof, expected };
}

/** Result of {@link chiSquareTwoSample}: also the categories (columns of the 2×K table) in order. */
export interface ChiSquareTwoSampleResult extends ChiSquareContingencyResult {
  readonly categories: readonly (string | number)[];
}

/**
 * Compares the category distribution of a batch with a reference sample, as alibi-detect's `ChiSquareDrift`
 * does per feature: a 2×K contingency table of counts (reference row, batch row) over the union of the
 * categories seen in either sample, tested with {@link chiSquareContingency} (Yates' correction only when
 * K = 2). One category in total gives statistic 0 and p-value 1.
 *
 * @throws RangeError when either sample is empty
 */
export function chiSquareTwoSample(
  reference: Iterable<string | number>,
  batch: Iterable<string | number>,
  options: ChiSquareContingencyOptions = {},
): ChiSquareTwoSampleResult {
  const counts = new Map<string | number, [number, number]>();
  let nRef = 0;
  let nBatch = 0;
  for (const v of reference) {
    let cell = counts.get(v);
    if (cell === undefined) counts.set(v, (cell = [0, 0]));
    cell[0]++;
    nRef++;
  }
  for (const v of batch) {
    let cell = counts.get(v);
    if (cell === undefined) counts.set(v, (cell = [0, 0]));
    cell[1]++;
    nBatch++;
  }
  if (nRef === 0 || nBatch === 0) {
    throw new RangeError(`chiSquareTwoSample: empty sample (reference ${nRef}, batch ${nBatch} values)`);
  }
  const categories = [...counts.keys()].sort(compareCategories);
  const table = [categories.map((k) => counts.get(k)![0]), categories.map((k) => counts.get(k)![1])];
  return { ...chiSquareContingency(table, options), categories };
}

function compareCategories(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
