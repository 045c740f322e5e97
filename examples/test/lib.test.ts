import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackpropFilter } from '../lib/conv2d-backprop-filter.js';
import { composedInputGradientApplies, conv2dBackpropInput } from '../lib/conv2d-backprop-input.js';
import { modelDir } from '../lib/file-io.js';
import { IMAGE_SIZE, splitMnist } from '../lib/mnist.js';
import { compileForMnist, createConvnet, toTensors } from '../lib/model.js';
import { modelUrl } from '../lib/paths.js';
import { mulberry32, randomInt } from '../lib/prng.js';
import { formatEpochLine } from '../lib/progress.js';
import { loadSavedModel } from '../lib/saved-model.js';
import { initTf } from '../lib/tf.js';

describe('the examples’ TF.js and data foundations', () => {
  let dir = '';
  beforeAll(async () => {
    await initTf('wasm');
    dir = mkdtempSync(join(tmpdir(), 'gangplank-examples-lib-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [1, 'valid'],
    [2, 'valid'],
    [1, 'same'],
    [2, 'same'],
  ] as const)(
    'computes the conv2d filter gradient like TF.js’ own gradient (stride %i, %s)',
    (stride, pad) => {
      const random = mulberry32(7);
      const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
      const x = tf.tensor4d(values(3 * 9 * 8 * 2), [3, 9, 8, 2]);
      const filter = tf.tensor4d(values(3 * 3 * 2 * 4), [3, 3, 2, 4]);
      // Reference: the gradient of sum(conv2d(x, f) * dy) with respect to f is the filter gradient for dy,
      // computed here as a plain sum over positions with ops that never call Conv2DBackpropFilter.
      const y = tf.conv2d(x, filter, stride, pad);
      const dy = tf.tensor4d(values(y.size), y.shape);
      const mine = conv2dBackpropFilter(x, dy, { strides: stride, pad, filterShape: [3, 3, 2, 4] });
      const expected = bruteForceFilterGradient(x, dy, [3, 3, 2, 4], stride, pad);
      expect(mine.shape).toEqual([3, 3, 2, 4]);
      const diff = tf.max(tf.abs(tf.sub(mine, expected))).dataSync()[0]!;
      expect(diff).toBeLessThan(1e-4);
    },
  );

  it.each(['valid', 'same'] as const)(
    'computes the stride-1 conv2d input gradient like the cpu backend’s stock kernel (%s)',
    async (pad) => {
      const random = mulberry32(11);
      const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
      const inputShape: [number, number, number, number] = [2, 7, 6, 3];
      const filter = tf.tensor4d(values(3 * 3 * 3 * 4), [3, 3, 3, 4]);
      const outShape = tf.conv2d(tf.zeros<tf.Rank.R4>(inputShape), filter, 1, pad).shape;
      const dy = tf.tensor4d(values(outShape.reduce((a, b) => a * b, 1)), outShape);
      const attrs = { strides: 1, pad, dataFormat: 'NHWC' as const, inputShape };
      expect(composedInputGradientApplies(attrs, filter.shape)).toBe(true);
      const mine = conv2dBackpropInput(dy, filter, attrs).arraySync();
      await tf.setBackend('cpu');
      try {
        // The cpu backend keeps TF.js' own input-gradient kernel; only wasm's is replaced.
        const stock = tf.conv2dTranspose(dy, filter, inputShape, 1, pad).arraySync();
        const a = mine.flat(3);
        const b = stock.flat(3);
        expect(a.length).toBe(b.length);
        expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5);
      } finally {
        await tf.setBackend('wasm');
      }
      expect(composedInputGradientApplies({ ...attrs, strides: 2 }, filter.shape)).toBe(false);
    },
  );

  it('splits the 10,000 digits the same way for the same seed, with no image in two sets', () => {
    const a = splitMnist({ seed: 3 });
    const b = splitMnist({ seed: 3 });
    const c = splitMnist({ seed: 4 });
    expect([a.train.count, a.validation.count, a.test.count]).toEqual([8100, 900, 1000]);
    expect(a.train.images.length).toBe(8100 * IMAGE_SIZE);
    expect(Array.from(a.test.labels.slice(0, 50))).toEqual(Array.from(b.test.labels.slice(0, 50)));
    expect(Array.from(a.test.labels.slice(0, 50))).not.toEqual(Array.from(c.test.labels.slice(0, 50)));
    for (const set of [a.train, a.validation, a.test]) expect(new Set(set.labels).size).toBe(10);
    const small = splitMnist({ seed: 3, trainLimit: 100, evalLimit: 20 });
    expect([small.train.count, small.validation.count, small.test.count]).toEqual([100, 20, 20]);
    expect(() => splitMnist({ testFraction: 1.5 })).toThrow(/testFraction/);
  });

  it('builds the seed’s convnet with its 104,202 parameters and trains it on wasm', async () => {
    const model = createConvnet();
    compileForMnist(model);
    expect(model.countParams()).toBe(104_202);
    const { train } = splitMnist({ trainLimit: 128, evalLimit: 10 });
    const { x, y } = toTensors(train);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 64 });
    const loss = history.history['loss'] as number[];
    expect(loss[1]).toBeLessThan(loss[0]!);
  });

  it('saves to file:// and loads back a model that predicts identically', async () => {
    const model = createConvnet();
    compileForMnist(model);
    const target = join(dir, 'nested', 'mnist');
    await model.save(modelUrl(target));
    const loaded = await loadSavedModel(target);
    const { test } = splitMnist({ evalLimit: 16 });
    const { x } = toTensors(test);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    await expect(loadSavedModel(join(dir, 'missing'))).rejects.toThrow(/run the training example first/);
    expect(modelDir(`${modelUrl(target)}/model.json`)).toBe(target);
  });

  it('draws the same seeded integers every run, within bounds', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const draws = Array.from({ length: 200 }, () => randomInt(a, 1, 10));
    expect(draws).toEqual(Array.from({ length: 200 }, () => randomInt(b, 1, 10)));
    expect(Math.min(...draws)).toBe(1);
    expect(Math.max(...draws)).toBe(10);
  });

  it('formats an epoch line with what is in the logs', () => {
    expect(formatEpochLine(1, 3, { loss: 0.12345, acc: 0.9, val_loss: 0.2 }, 48_200)).toBe(
      'epoch 2/3  loss 0.1235  accuracy 0.9000  val_loss 0.2000  elapsed 48.2 s',
    );
  });
});

/** dW[i,j,c,o] = Σ_{n,p,q} x[n, p·s + i − padTop, q·s + j − padLeft, c] · dy[n,p,q,o], straight from the definition. */
function bruteForceFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  stride: number,
  pad: 'valid' | 'same',
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, stride, 1, pad);
  const [fh, fw, ci, co] = filterShape;
  const [n, h, w] = x.shape;
  const [, oh, ow] = dy.shape;
  const xs = x.arraySync();
  const dys = dy.arraySync();
  const out = new Float32Array(fh * fw * ci * co);
  for (let i = 0; i < fh; i++)
    for (let j = 0; j < fw; j++)
      for (let c = 0; c < ci; c++)
        for (let o = 0; o < co; o++) {
          let sum = 0;
          for (let b = 0; b < n; b++)
            for (let p = 0; p < oh; p++)
              for (let q = 0; q < ow; q++) {
                const r = p * stride + i - info.padInfo.top;
                const s = q * stride + j - info.padInfo.left;
                if (r < 0 || r >= h || s < 0 || s >= w) continue;
                sum += xs[b]![r]![s]![c]! * dys[b]![p]![q]![o]!;
              }
          out[((i * fw + j) * ci + c) * co + o] = sum;
        }
  return tf.tensor4d(out, filterShape);
}
