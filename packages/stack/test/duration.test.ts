import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, isDuration, parseDuration } from '@gangplank/stack';

describe('Prometheus durations', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1m500ms', 60_500],
    ['0s', 0],
    ['2w', 1_209_600_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '5 m', '-1m', '1.5h', 'm5', '5M'])(
    'rejects %j with a message that shows valid ones',
    (text) => {
      expect(isDuration(text)).toBe(false);
      expect(() => parseDuration(text)).toThrow(/use e\.g\. 30s/);
    },
  );

  it.each([
    [90_000, '1m30s'],
    [30_000, '30s'],
    [6_000, '6s'],
    [1_500, '1s500ms'],
    [0, '0s'],
    [0.4, '0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('format and parse round-trip any whole number of milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 31_536_000_000 }), (ms) => {
        const text = formatDuration(ms);
        expect(isDuration(text)).toBe(true);
        expect(parseDuration(text)).toBe(ms);
      }),
    );
  });
});
