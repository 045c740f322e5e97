/** The drift helpers refuse what they cannot compute, instead of returning a wrong number. */
import { describe, expect, it } from 'vitest';
import { ksTwoSample, medianHeuristicSigma, mmd2Unbiased, type Matrix } from '../../src/index.js';

const matrix = (rows: number, cols: number, values: number[]): Matrix => ({
  data: Float64Array.from(values),
  rows,
  cols,
});
const good = matrix(3, 2, [0, 0, 1, 0, 0, 1]);

describe('medianHeuristicSigma', () => {
  it('refuses NaN or infinite values, naming the position', () => {
    expect(() => medianHeuristicSigma(matrix(3, 2, [0, 0, NaN, 0, 0, 1]))).toThrow(
      /medianHeuristicSigma: value at row 1, column 0 is NaN/,
    );
    expect(() => medianHeuristicSigma(matrix(2, 1, [0, Infinity]))).toThrow(/row 1, column 0 is Infinity/);
  });

  it('refuses a buffer shorter than rows × cols (it used to answer 1)', () => {
    expect(() => medianHeuristicSigma(matrix(4, 2, [0, 0, 1, 1]))).toThrow(
      /holds 4 values, fewer than 4 rows × 2 columns = 8/,
    );
  });

  it('still computes on good data', () => {
    // Squared distances 1, 1, 2: lower median 1, σ = sqrt(1/2).
    expect(medianHeuristicSigma(good)).toBeCloseTo(Math.SQRT1_2, 15);
  });
});

describe('mmd2Unbiased', () => {
  it.each([0, -1, Infinity, -Infinity, NaN])('refuses sigma = %s', (sigma) => {
    expect(() => mmd2Unbiased(good, good, sigma)).toThrow(/sigma must be a finite number above 0/);
  });

  it('refuses NaN data in either sample', () => {
    const bad = matrix(2, 2, [0, NaN, 1, 1]);
    expect(() => mmd2Unbiased(bad, good, 1)).toThrow(/mmd2Unbiased \(X\): value at row 0, column 1 is NaN/);
    expect(() => mmd2Unbiased(good, bad, 1)).toThrow(/mmd2Unbiased \(Y\)/);
  });

  it('still computes on good data: positive for distant samples', () => {
    const far = matrix(3, 2, [10, 10, 11, 10, 10, 11]);
    expect(mmd2Unbiased(good, far, 1)).toBeGreaterThan(0.5);
  });
});

describe('ksTwoSample', () => {
  it("gives SciPy's NaN for 'asymp' on one value per sample (it gave 0, the exact p is 1)", () => {
    const asymp = ksTwoSample([1], [2], { method: 'asymp' });
    expect(asymp.statistic).toBe(1);
    expect(asymp.pValue).toBeNaN();
    expect(ksTwoSample([1], [2], { method: 'exact' }).pValue).toBe(1);
    expect(ksTwoSample([1], [2]).pValue).toBe(1);
  });

  it("keeps 'asymp' from two values on", () => {
    expect(ksTwoSample([1], [2, 3], { method: 'asymp' }).pValue).not.toBeNaN();
  });
});
