import type * as tf from '@tensorflow/tfjs-core';
import type { CustomCallbackArgs, Logs } from '@tensorflow/tfjs-layers';

/**
 * The seed's `LearningRateMetric`: puts the optimizer's current learning rate into the epoch logs as
 * `learning_rate`, so an exporter listed after it pushes `gangplank_train_learning_rate`. TF.js hands every
 * plain callback of one `fit` the same logs object, in list order, which is what makes this work.
 */
export function learningRateMetric(optimizer: tf.Optimizer): CustomCallbackArgs {
  return {
    onEpochEnd: (_epoch: number, logs?: Logs) => {
      const rate = optimizer.getConfig()['learningRate'];
      if (logs !== undefined && typeof rate === 'number') logs['learning_rate'] = rate;
    },
  };
}
