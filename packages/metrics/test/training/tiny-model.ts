/** The smallest real TF.js model that trains in milliseconds on the cpu backend, and seeded data that fits it. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export function tinyModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }),
      tfl.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** `n` seeded rows of three features, with one-hot labels alternating between the two classes. */
export function tinyData(n: number): [tf.Tensor, tf.Tensor] {
  const x = tf.randomNormal([n, 3], 0, 1, 'float32', 7);
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 2),
    'int32',
  );
  return [x, tf.oneHot(labels, 2)];
}
