import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '../../src/push/backoff.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay and caps at the maximum, half of it jittered', () => {
    const p = DEFAULT_RETRY_POLICY;
    expect([1, 2, 3, 4].map((r) => backoffDelay(r, p, () => 1))).toEqual([200, 400, 800, 1600]);
    expect([1, 2, 3, 4].map((r) => backoffDelay(r, p, () => 0))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(30, p, () => 1)).toBe(5000);
  });

  it('stays within [exp/2, exp] for any random source (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: -1, max: 2, noNaN: true }),
        (retry, r) => {
          const exp = Math.min(5000, 200 * 2 ** (retry - 1));
          const d = backoffDelay(retry, DEFAULT_RETRY_POLICY, () => r);
          return d >= exp / 2 && d <= exp;
        },
      ),
    );
  });
});
