import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSamples } from '../../src/index.js';

const tensor = (...shape: (number | null)[]) => ({ shape, dtype: 'float32' });

describe('countSamples', () => {
  it.each([
    ['a tensor: its batch dimension', tensor(8, 10), 8],
    ['a scalar tensor', tensor(), 1],
    ['a symbolic tensor (unknown batch)', tensor(null, 10), 0],
    ['a multi-output list: the first output', [tensor(8, 3), tensor(8, 1)], 8],
    ['a dict of tensors (NamedTensorMap)', { probs: tensor(5, 10), logits: tensor(5, 10) }, 5],
    ['an onnxruntime result (dims)', { out: { dims: [7, 2], data: new Float32Array(14) } }, 7],
    [
      'nested JS rows',
      [
        [0.1, 0.9],
        [0.8, 0.2],
        [0.5, 0.5],
      ],
      3,
    ],
    ['a list of result records', [{ label: 'cat' }, { label: 'dog' }], 2],
    ['one result record', { label: 'cat', score: 0.9 }, 1],
    ['a typed array', new Float32Array(6), 6],
    ['a number', 0.3, 1],
    ['an empty batch', [], 0],
    ['undefined', undefined, 1],
    ['an empty object', {}, 1],
  ])('%s', (_what, y, expected) => {
    expect(countSamples(y)).toBe(expected);
  });

  it('always returns a finite count >= 0 and never throws', () => {
    fc.assert(
      fc.property(fc.anything({ withTypedArray: true, withMap: true, withSet: true }), (y) => {
        const n = countSamples(y);
        expect(Number.isFinite(n) && n >= 0).toBe(true);
      }),
    );
  });
});

describe('countSamples on hostile values', () => {
  it('counts 1 when reading the output throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('disposed');
        },
        ownKeys() {
          throw new Error('disposed');
        },
      },
    );
    expect(countSamples(hostile)).toBe(1);
    expect(countSamples({ shape: [10n ** 400n] })).toBe(0);
  });
});
