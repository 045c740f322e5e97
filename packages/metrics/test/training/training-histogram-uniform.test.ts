/**
 * The index-arithmetic path for evenly spaced bounds against the general path, on adversarial values: the bounds
 * themselves and their neighbouring doubles, ±0, subnormals, NaN, ±Infinity, huge values, float32 roundings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_WEIGHT_BUCKETS_0_3, HISTOGRAM_WEIGHT_BUCKETS_1_0 } from '../../src/index.js';
import { uniformStep } from '../../src/training/histogram-uniform.js';
import { emptyHistogram, observeAll, observeGeneral } from '../../src/training/histogram.js';

/** The next double above (`+1`) or below (`-1`) `x`. */
function nextDouble(x: number, direction: 1 | -1): number {
  if (Number.isNaN(x) || x === direction * Infinity) return x;
  if (x === 0) return direction * Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigInt64(0);
  buf.setBigInt64(0, x > 0 === direction > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

function adversarial(bounds: readonly number[]): number[] {
  const out = [
    0,
    -0,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    2.2250738585072014e-308,
    -2.2250738585072014e-308,
    NaN,
  ];
  out.push(Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, -1e300, 2 ** 31, -(2 ** 32));
  for (const b of bounds) out.push(b, nextDouble(b, 1), nextDouble(b, -1), Math.fround(b), -b);
  return out;
}

function both(bounds: readonly number[], values: ArrayLike<number>) {
  const fast = emptyHistogram(bounds);
  const general = emptyHistogram(bounds);
  observeAll(fast, values);
  observeGeneral(general, values);
  return { fast, general };
}

function expectSame(bounds: readonly number[], values: ArrayLike<number>): void {
  const { fast, general } = both(bounds, values);
  expect([...fast.counts]).toEqual([...general.counts]);
  expect(fast.count).toBe(general.count);
  expect(Object.is(fast.sum, general.sum) || fast.sum === general.sum).toBe(true);
}

describe('uniform bucketing', () => {
  it('takes both weight-bucket constants as evenly spaced, and uneven bounds as not', () => {
    expect(uniformStep(HISTOGRAM_WEIGHT_BUCKETS_1_0)).toBeCloseTo(0.1, 12);
    expect(uniformStep(HISTOGRAM_WEIGHT_BUCKETS_0_3)).toBeCloseTo(0.05, 12);
    expect(uniformStep([0, 1, 3])).toBeUndefined();
    expect(uniformStep([1])).toBeUndefined();
  });

  it('puts every bound in its own bucket (le is inclusive) and NaN in +Inf only', () => {
    const b = HISTOGRAM_WEIGHT_BUCKETS_1_0;
    const { fast } = both(b, [...b, NaN, -0, Infinity, -Infinity]);
    // Bucket i (le = b[i]) holds b[i]; the zero bucket also holds -0; -Inf is in the first, NaN and +Inf in the last.
    const expected = b.map((x, i) => (i === 0 ? 2 : x === 0 ? 2 : 1));
    expect([...fast.counts]).toEqual([...expected, 2]);
  });

  it('agrees with the general path on adversarial values for the constants', () => {
    for (const bounds of [HISTOGRAM_WEIGHT_BUCKETS_1_0, HISTOGRAM_WEIGHT_BUCKETS_0_3]) {
      const values = adversarial(bounds);
      expectSame(bounds, values);
      expectSame(bounds, Float32Array.from(values));
    }
  });

  it('agrees with the general path on random evenly spaced bounds and adversarial or random values', () => {
    const grid = fc
      .record({
        lo: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        step: fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
        n: fc.integer({ min: 2, max: 64 }),
      })
      .map(({ lo, step, n }) => Array.from({ length: n }, (_, i) => lo + i * step));
    let uniform = 0;
    fc.assert(
      fc.property(grid, fc.array(fc.double(), { maxLength: 200 }), (bounds, random) => {
        const sorted = [...new Set(bounds)].sort((a, b) => a - b);
        const values = [...adversarial(sorted), ...random];
        if (uniformStep(sorted) !== undefined) uniform += 1;
        expectSame(sorted, values);
        expectSame(sorted, Float32Array.from(values));
      }),
      { numRuns: 300 },
    );
    // Most grids are even to the tolerance, so the comparison did exercise the uniform path.
    expect(uniform).toBeGreaterThan(150);
  });
});
