import { describe, expect, it } from 'vitest';
import { debiasedEma } from '../../webapp/src/ema.js';

describe('debiasedEma (TensorBoard smoothing)', () => {
  it('leaves values as they are at weight 0 and keeps a constant series constant', () => {
    expect(debiasedEma([1, 2, 3], 0)).toEqual([1, 2, 3]);
    expect(debiasedEma([2, 2, 2], 0.9)).toEqual([2, 2, 2]);
  });

  it('is debiased: the first value is the first point, not pulled towards zero', () => {
    const [first, second] = debiasedEma([10, 0], 0.6) as [number, number];
    expect(first).toBeCloseTo(10);
    // (0.6·0.4·10 + 0.4·0) / (1 − 0.6²) = 2.4 / 0.64
    expect(second).toBeCloseTo(2.4 / 0.64);
  });

  it('lets gaps and non-finite values through without entering the average', () => {
    const out = debiasedEma([1, null, Number.NaN, 3], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNaN();
    // (0.5·0.5·1 + 0.5·3) / (1 − 0.25)
    expect(out[3]).toBeCloseTo((0.25 + 1.5) / 0.75);
  });
});
