/**
 * The finite-n two-sided one-sample Kolmogorov–Smirnov distribution, `P(D_n ≥ x)` (SciPy's `kstwo.sf`), which
 * SciPy's `ks_2samp(method='asymp')` evaluates at `n = round(n1·n2/(n1+n2))`.
 *
 * The regions follow Simard & L'Ecuyer (2011), with the same cut-offs SciPy 1.17 uses, so that the results
 * agree with SciPy where it is exact and also where it approximates:
 * - `n·x ≤ 1` or `n·x ≥ n − 1`: Ruben–Gambino closed forms;
 * - `x ≥ 0.5`, or `n·x² > 4` (n ≤ 140), or `n·x² ≥ 2.2` (n > 140): `2·P(D⁺_n ≥ x)` (Miller), with the one-sided
 *   probability from the Birnbaum–Tingey sum;
 * - otherwise, for n ≤ 140, Durbin's matrix method (Marsaglia–Tsang–Wang); SciPy uses Pomeranz' recursion for
 *   `0.754693 < n·x² ≤ 4`, an exact method too, so both agree to rounding;
 * - for n > 140 and `n·x² < 2.2`: Durbin's matrix when `n ≤ 100000` and `n·x^1.5 ≤ 1.4`, else the Pelz–Good
 *   asymptotic series.
 *
 * @param n - sample size, a positive integer
 * @param x - the statistic
 */
export function kolmogorovSmirnovSf(n: number, x: number): number {
  const edge = edgeValue('kolmogorovSmirnovSf', n, x);
  if (edge !== undefined) return edge;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    return clip(1 - rubenGambinoLowerCdf(n, t));
  }
  if (t >= n - 1) return clip(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 4) return clip(1 - durbinCdf(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

/**
 * What a survival function of D_n is outside 0 < x < 1 (NaN for NaN), or undefined inside, where it must be
 * computed; throws for an `n` that is not a sample size.
 */
function edgeValue(name: string, n: number, x: number): number | undefined {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name}: n must be a positive integer, got ${n}`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  return undefined;
}

function clip(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** `P(D_n ≤ x)` for `1/(2n) < x ≤ 1/n` (t = n·x): `n!/n^n · (2t − 1)^n`. */
function rubenGambinoLowerCdf(n: number, t: number): number {
  const base = 2 * t - 1;
  if (n <= 140) {
    let p = 1;
    for (let i = 1; i <= n; i++) p *= (i / n) * base;
    return p;
  }
  return Math.exp(logFactorialOverPower(n) + n * Math.log(base));
}

/**
 * `log(n!/n^n)` from Stirling's series: `½log(2πn) − n + Σ B₂ₖ/(2k(2k−1)n^(2k−1))`, eight terms (exact to
 * rounding for n > 140, where it is used).
 */
function logFactorialOverPower(n: number): number {
  const coefficients = [
    1 / 12,
    -1 / 360,
    1 / 1260,
    -1 / 1680,
    1 / 1188,
    -691 / 360360,
    1 / 156,
    -3617 / 122400,
  ];
  const r2 = 1 / (n * n);
  let series = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) series = series * r2 + coefficients[i]!;
  return 0.5 * Math.log(2 * Math.PI * n) - n + series / n;
}

/**
 * One-sided `P(D⁺_n ≥ x)` by the Birnbaum–Tingey sum
 * `x · Σ_{j=0}^{⌊n(1−x)⌋} C(n,j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j)`; every term is positive, so the sum is
 * evaluated in log space against its largest term with no cancellation.
 */
export function smirnovSf(n: number, x: number): number {
  const edge = edgeValue('smirnovSf', n, x);
  if (edge !== undefined) return edge;
  const t = n * x;
  const last = Math.floor(n - t);
  const logs = new Float64Array(last + 1);
  let logBinom = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinom += Math.log((n - j + 1) / j);
    // 1 − x − j/n = ((n − j) − t)/n: n − j is exact, so only t carries a rounding error.
    const upper = (n - j - t) / n;
    let l: number;
    if (upper <= 0) {
      l = Number.NEGATIVE_INFINITY;
    } else {
      l = logBinom + (n - j) * Math.log(upper);
      if (j !== 1) l += (j - 1) * Math.log((t + j) / n);
    }
    logs[j] = l;
    if (l > max) max = l;
  }
  if (max === Number.NEGATIVE_INFINITY) return 0;
  let sum = 0;
  for (let j = 0; j <= last; j++) sum += Math.exp(logs[j]! - max);
  return clip(x * sum * Math.exp(max));
}

const SCALE_UP = 2 ** 128;
const SCALE_DOWN = 2 ** -128;

/**
 * `P(D_n < x)` by Durbin's matrix method as Marsaglia, Tsang and Wang (2003) formulate it: with k = ⌈n·x⌉,
 * h = k − n·x and m = 2k − 1, the answer is `n!/n^n · (H^n)[k−1][k−1]` for an m×m matrix H of inverse
 * factorials corrected along the first column and the last row. Powers are kept in range by tracking a binary
 * exponent, so it works for any n (cost O(m³ log n)).
 */
export function durbinCdf(n: number, x: number): number {
  if (x >= 1) return 1;
  const t = n * x;
  if (t <= 0.5) return 0;
  const k = Math.ceil(t);
  const h = k - t;
  const m = 2 * k - 1;
  const invFact = new Float64Array(m + 1);
  invFact[0] = 1;
  for (let i = 1; i <= m; i++) invFact[i] = invFact[i - 1]! / i;
  const H = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const d = i - j + 1;
      if (d >= 0) H[i * m + j] = invFact[d]!;
    }
  }
  for (let i = 0; i < m; i++) {
    H[i * m]! -= Math.pow(h, i + 1) * invFact[i + 1]!;
    H[(m - 1) * m + i]! -= Math.pow(h, m - i) * invFact[m - i]!;
  }
  if (2 * h - 1 > 0) H[(m - 1) * m]! += Math.pow(2 * h - 1, m) * invFact[m]!;

  let result: Float64Array | undefined;
  let resultExp = 0;
  let base = H;
  let baseExp = 0;
  let e = n;
  const scratch = new Float64Array(m * m);
  while (e > 0) {
    if (e & 1) {
      if (result === undefined) {
        result = Float64Array.from(base);
      } else {
        multiply(result, base, scratch, m);
        result.set(scratch);
      }
      resultExp += baseExp;
      resultExp += rescale(result);
    }
    e = Math.floor(e / 2);
    if (e > 0) {
      multiply(base, base, scratch, m);
      base = Float64Array.from(scratch);
      baseExp *= 2;
      baseExp += rescale(base);
    }
  }
  let p = result![(k - 1) * m + (k - 1)]!;
  let exp = resultExp;
  for (let i = 1; i <= n; i++) {
    p = (p * i) / n;
    if (Math.abs(p) < SCALE_DOWN) {
      p *= SCALE_UP;
      exp -= 128;
    }
  }
  return clip(ldexp(p, exp));
}

function multiply(a: Float64Array, b: Float64Array, out: Float64Array, m: number): void {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l]!;
      if (ail === 0) continue;
      const bRow = l * m;
      const oRow = i * m;
      for (let j = 0; j < m; j++) out[oRow + j]! += ail * b[bRow + j]!;
    }
  }
}

/** Divides the matrix by 2^128 while its largest entry exceeds 2^128; returns the exponent removed. */
function rescale(a: Float64Array): number {
  let removed = 0;
  for (;;) {
    let max = 0;
    for (const v of a) if (Math.abs(v) > max) max = Math.abs(v);
    if (!(max > SCALE_UP)) return removed;
    for (let i = 0; i < a.length; i++) a[i]! *= SCALE_DOWN;
    removed += 128;
  }
}

function ldexp(v: number, exp: number): number {
  let r = v;
  let e = exp;
  while (e > 1000) {
    r *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    r *= 2 ** -1000;
    e += 1000;
  }
  return r * 2 ** e;
}

/**
 * Pelz–Good asymptotic series for `P(D_n ≤ x)`: the Li-Chien/Korolyuk expansion
 * `K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5` (z = x√n) rewritten with Jacobi theta functions for small z,
 * summed over k = 1…⌈16z/π⌉ as SciPy does.
 */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const logQ = -pi2 / 8 / z2;
  if (logQ < -708) return 0;
  const q = Math.exp(logQ);
  const kMax = Math.ceil((16 * z) / Math.PI);
  // Σ_k c_k(m) q^(m²) with m = 2k − 1, by Horner in q^(8k): m² = 1 + 8·(1 + … + (k − 1)).
  const s = [0, 0, 0, 0];
  for (let k = kMax; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qk = Math.pow(q, 8 * k);
    const c1 = -z2 + (pi2 / 4) * m2;
    const c2 = 6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * pi2 * m2) / 4 + (pi4 * (1 - 2 * z2) * m4) / 16;
    const c3 =
      -30 * z6 -
      90 * z4 * z4 +
      (pi2 * (135 * z4 - 96 * z6) * m2) / 4 +
      (pi4 * (212 * z4 - 60 * z2) * m4) / 16 +
      (pi6 * (5 - 30 * z2) * m6) / 64;
    s[0] = s[0]! * qk + 1;
    s[1] = s[1]! * qk + c1;
    s[2] = s[2]! * qk + c2;
    s[3] = s[3]! * qk + c3;
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const denominators = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4];
  const K = s.map((v, i) => (v * q * sqrt2pi) / denominators[i]!);
  const q2 = Math.exp(-pi2 / 2 / z2);
  let extra2 = 0;
  let extra3 = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = kMax; k >= 1; k--) {
    const k2 = k * k;
    const w = k2 * Math.pow(q2, k2);
    extra2 += w;
    extra3 += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * w;
  }
  K[2]! += (extra2 * pi2 * sqrt2pi) / (-36 * z2 * z);
  K[3]! += (extra3 * pi2 * sqrt2pi) / (216 * z6);
  return K[0]! + K[1]! / Math.sqrt(n) + K[2]! / n + K[3]! / Math.pow(n, 1.5);
}
