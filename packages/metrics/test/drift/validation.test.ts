import { describe, expect, it } from 'vitest';
import {
  chiSquareContingency,
  chiSquareGoodnessOfFit,
  chiSquareTwoSample,
} from '../../src/drift/chi-square.js';
import { ksTwoSample } from '../../src/drift/ks.js';
import { quantile } from '../../src/drift/quantile.js';
import { seededRandom } from '../../src/drift/random.js';
import { chiSquareSf } from '../../src/drift/special.js';
import { normal } from './support.js';

describe('bad input gives clear errors, never NaN or a hang', () => {
  it('chi-square goodness of fit', () => {
    expect(() => chiSquareGoodnessOfFit([])).toThrow(/no categories/);
    expect(() => chiSquareGoodnessOfFit([1, -1])).toThrow(/observed\[1\] is -1/);
    expect(() => chiSquareGoodnessOfFit([1, 2], { expected: [1, 2, 3] })).toThrow(/one per category/);
    expect(() => chiSquareGoodnessOfFit([10, 20], { expected: [15, 16] })).toThrow(/scale the expected/);
    expect(() => chiSquareGoodnessOfFit([10, 20], { expected: [30, 0] })).toThrow(/> 0/);
    expect(() => chiSquareGoodnessOfFit([10, 20], { ddof: 1 })).toThrow(/leave 0 degrees of freedom/);
    expect(() => chiSquareGoodnessOfFit([0, 0])).toThrow(/all observed frequencies are 0/);
    // Within SciPy's relative tolerance (sqrt(eps) ≈ 1.5e-8) the sums are accepted.
    expect(chiSquareGoodnessOfFit([10, 20], { expected: [15, 15 + 1e-7] }).dof).toBe(1);
  });

  it('contingency tables', () => {
    expect(() => chiSquareContingency([])).toThrow(/empty/);
    expect(() => chiSquareContingency([[1, 2], [3]])).toThrow(/row 1 has 1 cells/);
    expect(() =>
      chiSquareContingency([
        [1, 0],
        [3, 0],
      ]),
    ).toThrow(/expected frequency at \(0, 1\) is 0/);
    expect(() => chiSquareTwoSample([], [1])).toThrow(/empty sample/);
    expect(chiSquareTwoSample(['a', 'a'], ['a'])).toMatchObject({ statistic: 0, pValue: 1, dof: 0 });
  });

  it('the chi-square tail', () => {
    expect(() => chiSquareSf(1, 0)).toThrow(/degrees of freedom/);
    expect(chiSquareSf(Number.POSITIVE_INFINITY, 3)).toBe(0);
    expect(chiSquareSf(-1, 3)).toBe(1);
    // 1 − cdf would be 0 far before this (already at x = 200); SciPy gives 9.92e-295.
    expect(chiSquareSf(1400, 10)).toBeGreaterThan(1e-295);
  });

  it('two-sample KS', () => {
    expect(() => ksTwoSample([], [1])).toThrow(/sample1 is empty/);
    expect(() => ksTwoSample([1, Number.NaN], [1])).toThrow(/sample1\[1\] is NaN/);
    expect(() => ksTwoSample([1], [2], { method: 'fast' as 'auto' })).toThrow(/method must be/);
    expect(ksTwoSample([1, 1, 1], [1, 1])).toMatchObject({ statistic: 0, pValue: 1 });
  });

  it("falls back from 'exact' to 'asymp' when the lattice is too large to walk in about a second", () => {
    const random = seededRandom(8);
    const a = Array.from({ length: 60_000 }, () => normal(random));
    const b = Array.from({ length: 50_000 }, () => normal(random) + 0.5);
    const r = ksTwoSample(a, b, { method: 'exact' });
    expect(r.method).toBe('asymp');
    expect(r.pValue).toBe(0);
    expect(ksTwoSample(a.slice(0, 3000), b.slice(0, 2000), { method: 'exact' }).method).toBe('exact');
  });

  it('quantile', () => {
    expect(() => quantile([], 0.5)).toThrow(/no values/);
    expect(() => quantile([1], 1.5)).toThrow(/p must lie/);
    expect(quantile([3, 1, 2], 0)).toBe(1);
    expect(quantile([3, 1, 2], 1)).toBe(3);
  });
});
