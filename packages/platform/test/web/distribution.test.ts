import { describe, expect, it } from 'vitest';
import { basisValues, quantile, type Bucket } from '../../webapp/src/distribution.js';

const buckets: Bucket[] = [
  { le: -1, count: 0 },
  { le: 0, count: 50 },
  { le: 1, count: 100 },
  { le: '+Inf', count: 100 },
];

describe('distribution from cumulative buckets', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    expect(quantile(buckets, 0.5)).toBeCloseTo(0);
    expect(quantile(buckets, 0.25)).toBeCloseTo(-0.5);
    expect(quantile(buckets, 0.75)).toBeCloseTo(0.5);
    expect(quantile(buckets, 1)).toBeCloseTo(1);
    expect(quantile(buckets, 0)).toBeCloseTo(-1);
  });

  it('gives nine ordered basis-point values, and none for an empty histogram', () => {
    const values = basisValues(buckets) as number[];
    expect(values).toHaveLength(9);
    expect(values.slice().sort((a, b) => a - b)).toEqual(values);
    expect(values[4]).toBeCloseTo(0);
    expect(basisValues([{ le: '+Inf', count: 0 }]).every((v) => v === null)).toBe(true);
  });

  it('stands the edge bucket for observations beyond the finite bounds', () => {
    const over: Bucket[] = [
      { le: 1, count: 10 },
      { le: '+Inf', count: 20 },
    ];
    expect(quantile(over, 0.9)).toBe(1);
    expect(quantile(over, 0.2)).toBe(1);
  });
});
