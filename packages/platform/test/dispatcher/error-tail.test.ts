import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendErrorTail,
  ERROR_TAIL_BYTES,
  ERROR_TAIL_LINES,
  messageWithErrorTail,
} from '../../src/dispatcher/error-tail.js';

describe('error tail', () => {
  it('keeps the last stderr lines only, across pages and partial chunks', () => {
    let tail: string | undefined;
    tail = appendErrorTail(tail, [
      { stream: 'stdout', text: 'epoch 1' },
      { stream: 'stderr', text: 'Traceback', partial: true },
    ]);
    tail = appendErrorTail(tail, [{ stream: 'stderr', text: ' (most recent call last):' }]);
    for (let i = 0; i < 20; i++) tail = appendErrorTail(tail, [{ stream: 'stderr', text: `line ${i}` }]);
    tail = appendErrorTail(tail, [
      { stream: 'stderr', text: 'ERROR: data file /data/missing.csv not found' },
    ]);
    expect(tail?.trimEnd().split('\n')).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `line ${i + 11}`),
      'ERROR: data file /data/missing.csv not found',
    ]);
    expect(messageWithErrorTail('the entry point exited with code 3', tail)).toMatch(
      /^the entry point exited with code 3; last lines of its error output:\nline 11\n[^]*missing\.csv not found$/,
    );
    expect(messageWithErrorTail('exited', undefined)).toBe('exited');
    expect(appendErrorTail(undefined, [{ stream: 'stdout', text: 'x' }])).toBeUndefined();
  });

  it('never holds more than its lines and bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ text: fc.string({ unit: 'grapheme', maxLength: 600 }), partial: fc.boolean() }),
          {
            maxLength: 30,
          },
        ),
        (chunks) => {
          let tail: string | undefined;
          for (const c of chunks) tail = appendErrorTail(tail, [{ stream: 'stderr', ...c }]);
          if (tail === undefined) return;
          expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(ERROR_TAIL_BYTES);
          expect(tail.trimEnd().split('\n').length).toBeLessThanOrEqual(ERROR_TAIL_LINES + 1);
        },
      ),
    );
  });
});
