import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, Logs } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { bestCheckpoint } from '../lib/checkpoint.js';
import { initTf } from '../lib/tf.js';
import { learningRateMetric } from '../train/learning-rate.js';

describe('the examples’ training callbacks', () => {
  beforeAll(async () => {
    await initTf('wasm');
  });

  it('saves only when val_loss improves, never on NaN, and names a missing key', async () => {
    const saved: string[] = [];
    const model = { save: (url: string) => Promise.resolve(saved.push(url)) } as unknown as LayersModel;
    const epochs: number[] = [];
    const cb = bestCheckpoint(model, { url: 'file:///tmp/x', onSave: (e) => epochs.push(e) });
    for (const [epoch, valLoss] of [
      [0, 0.5],
      [1, 0.6],
      [2, Number.NaN],
      [3, 0.4],
      [4, 0.4],
    ] as const) {
      await cb.onEpochEnd!(epoch, { val_loss: valLoss });
    }
    expect(epochs).toEqual([0, 3]);
    expect(saved).toEqual(['file:///tmp/x', 'file:///tmp/x']);
    await expect(Promise.resolve(cb.onEpochEnd!(5, { loss: 0.1 }))).rejects.toThrow(
      /no "val_loss".*validation/,
    );
  });

  it('puts the optimizer’s learning rate into the shared epoch logs', async () => {
    const cb = learningRateMetric(tf.train.adagrad(0.005));
    const logs: Logs = { loss: 1 };
    await cb.onEpochEnd!(0, logs);
    expect(logs).toEqual({ loss: 1, learning_rate: 0.005 });
  });
});
