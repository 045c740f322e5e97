import { kolmogorovSmirnovSf } from './kolmogorov.js';

/** How {@link ksTwoSample} computes the p-value. */
export type KsMethod = 'auto' | 'exact' | 'asymp';

/** Options of {@link ksTwoSample}. */
export interface KsTwoSampleOptions {
  /**
   * `'exact'`: the exact null distribution of the statistic (a lattice-path recursion, O(n1·n2) at worst);
   * `'asymp'`: the finite-n one-sample KS distribution at `n = round(n1·n2/(n1+n2))` (SciPy's `kstwo.sf`);
   * `'auto'`: exact when both samples hold at most {@link KS_EXACT_MAX_N} values, as in SciPy.
   * `'exact'` falls back to `'asymp'` when `lcm(n1, n2)` reaches 2^31 − 1, as SciPy does, and also when the
   * lattice recursion would visit more than 2.5·10^8 cells (SciPy has no such bound).
   * @default 'auto'
   */
  readonly method?: KsMethod;
}

/** Result of {@link ksTwoSample}. */
export interface KsTwoSampleResult {
  /** `D = max |F1(v) − F2(v)|` over the pooled values, with right-continuous empirical CDFs. */
  readonly statistic: number;
  /**
   * Two-sided p-value. NaN, as in SciPy, for `'asymp'` on one value per sample (`round(n1·n2/(n1+n2)) = 0`):
   * use `'exact'` (or `'auto'`) there.
   */
  readonly pValue: number;
  /** The method actually used. */
  readonly method: 'exact' | 'asymp';
}

/** Largest sample size for which `method: 'auto'` uses the exact distribution (SciPy's `MAX_AUTO_N`). */
export const KS_EXACT_MAX_N = 10_000;

const INT32_MAX = 2 ** 31 - 1;

/**
 * Lattice cells the exact method may visit before `'exact'` falls back to `'asymp'` (about 1 s here): SciPy has
 * no such bound and would run for minutes on, say, 10^5 × 10^5 samples with a large D. `'auto'` never gets near
 * it (at most 10^4 × 10^4 cells).
 */
const EXACT_MAX_WORK = 2.5e8;

/** Cells the band recursion visits: m columns of about 2h/(m/g) + 1 cells (the whole column at most). */
function exactWork(n1: number, n2: number, g: number, d: number): number {
  if (n1 === n2) return n1;
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const h = d * (m / g) * n;
  return m * Math.min(n + 1, (2 * h) / (m / g) + 1);
}

/**
 * Two-sample, two-sided Kolmogorov–Smirnov test, matching SciPy's `stats.ks_2samp` (statistic and p-value to
 * 1e-9 relative on the committed fixtures). Ties are handled: the ECDFs count `x ≤ v`.
 *
 * As in SciPy, the exact method rounds D to the lattice `h / lcm(n1, n2)` and reports that value.
 *
 * @throws RangeError on an empty sample or a value that is `NaN`
 */
export function ksTwoSample(
  sample1: ArrayLike<number>,
  sample2: ArrayLike<number>,
  options: KsTwoSampleOptions = {},
): KsTwoSampleResult {
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'exact' && method !== 'asymp') {
    throw new RangeError(`ksTwoSample: method must be 'auto', 'exact' or 'asymp', got ${String(method)}`);
  }
  return ksTwoSampleSorted(sortedCopy(sample1, 'sample1'), sortedCopy(sample2, 'sample2'), method);
}

/**
 * {@link ksTwoSample} on samples already sorted ascending (not checked), e.g. a reference sorted once.
 * @internal
 */
export function ksTwoSampleSorted(a: Float64Array, b: Float64Array, method: KsMethod): KsTwoSampleResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ksTwoSample: empty sample');
  let d = ksStatisticSorted(a, b);
  const g = gcd(n1, n2);
  let use: 'exact' | 'asymp';
  if (method === 'auto') use = Math.max(n1, n2) <= KS_EXACT_MAX_N ? 'exact' : 'asymp';
  else if (method === 'exact')
    use = n1 / g >= INT32_MAX / (n2 / g) || exactWork(n1, n2, g, d) > EXACT_MAX_WORK ? 'asymp' : 'exact';
  else use = 'asymp';
  if (use === 'exact') {
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: use };
    const p = n1 === n2 ? exactSquare(n1, h) : exactLattice(n1, n2, g, h);
    return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: use };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = roundHalfEven((m * n) / (m + n));
  // One value in each sample: n·m/(n+m) = 0.5 rounds to 0, a sample size the distribution does not have. SciPy's
  // kstwo.sf answers NaN there; taking n = 1 instead gave p = 0 where the exact p is 1.
  if (en < 1) return { statistic: d, pValue: NaN, method: use };
  return { statistic: d, pValue: kolmogorovSmirnovSf(en, d), method: use };
}

/** The two-sample statistic alone (no p-value), for callers that only need D. */
export function ksStatistic(sample1: ArrayLike<number>, sample2: ArrayLike<number>): number {
  return ksStatisticSorted(sortedCopy(sample1, 'sample1'), sortedCopy(sample2, 'sample2'));
}

function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  if (values.length === 0) throw new RangeError(`ksTwoSample: ${name} is empty`);
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i]!)) throw new RangeError(`ksTwoSample: ${name}[${i}] is NaN`);
  }
  return out.sort();
}

/**
 * Walks both sorted samples once; at each distinct pooled value v, compares `#{a ≤ v}/n1` with `#{b ≤ v}/n2`
 * (the same floating-point expressions SciPy evaluates, so D is bit-identical before lattice rounding).
 */
function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxPlus = 0;
  let maxMinus = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxPlus) maxPlus = diff;
    if (-diff > maxMinus) maxMinus = -diff;
  }
  return Math.min(1, Math.max(maxPlus, maxMinus));
}

/**
 * Equal sizes: `P(D ≥ h/n) = 2 Σ_{k≥1} (−1)^(k−1) C(2n, n−kh)/C(2n, n)` (reflection principle), evaluated in
 * nested form `2a₁(1 − a₂(1 − a₃(…)))` with `aₖ = C(2n, n−kh)/C(2n, n−(k−1)h)` to avoid cancellation.
 */
function exactSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h) + 1; k >= 1; k--) {
    const top = n - (k - 1) * h;
    const bottom = n + (k - 1) * h;
    let a = 1;
    for (let j = 0; j < h; j++) a = (a * (top - j)) / (bottom + j + 1);
    p = a * (1 - p);
  }
  return 2 * p;
}

/**
 * Unequal sizes: the probability that a uniformly random monotone lattice path from (0,0) to (m,n) leaves the
 * band `|i/m − j/n| < h/lcm`, i.e. `|i·n/g − j·m/g| < h` in integers. With q(i,j) the probability that the path
 * has left the band given that it passes through (i,j): q = 1 outside the band, and inside
 * `q(i,j) = (i·q(i−1,j) + j·q(i,j−1)) / (i+j)` (the last step came from the left with probability i/(i+j)).
 * Every term is a convex combination, so the result never overflows and small p-values keep their relative
 * precision (unlike `1 − P(inside)`). One column is kept, updated in place: O(m·band width) time, O(n) memory.
 */
function exactLattice(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  const col = new Float64Array(n + 1).fill(1);
  let lo = 0;
  const hi0 = Math.min(n, Math.ceil(h / mg) - 1);
  for (let j = 0; j <= hi0; j++) col[j] = 0;
  for (let i = 1; i <= m; i++) {
    const newLo = Math.max(0, Math.floor((i * ng - h) / mg) + 1);
    const newHi = Math.min(n, Math.ceil((i * ng + h) / mg) - 1);
    if (newLo > newHi) return 1;
    // Both band edges only rise with i: cells above the band keep the initial 1, cells that just fell below it
    // become 1 (outside).
    for (let j = lo; j < newLo && j <= n; j++) col[j] = 1;
    for (let j = newLo; j <= newHi; j++) {
      const left = col[j]!;
      const below = j === 0 ? 0 : col[j - 1]!;
      col[j] = (i * left + j * below) / (i + j);
    }
    lo = newLo;
  }
  return col[n]!;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** numpy's `round`: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
