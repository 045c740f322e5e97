import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { MnistSet } from './mnist.js';
import { IMAGE_SIZE, NUM_CLASSES } from './mnist.js';

/**
 * François Chollet's MNIST convnet, as in the seed (Deep Learning with Python, 2nd ed., ch. 8):
 * Conv2D(32,3) → MaxPool(2) → Conv2D(64,3) → MaxPool(2) → Conv2D(128,3) → Flatten → Dense(10, softmax);
 * 104,202 parameters, the same count the seed's Pushgateway output shows.
 *
 * Layers get explicit names so the saved checkpoint and any per-layer label are stable across processes
 * (TF.js auto-names increment per process).
 */
export function createConvnet(): tfl.Sequential {
  const model = tfl.sequential({ name: 'mnist_convnet' });
  model.add(
    tfl.layers.conv2d({
      name: 'conv1',
      inputShape: [28, 28, 1],
      filters: 32,
      kernelSize: 3,
      activation: 'relu',
    }),
  );
  model.add(tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(tfl.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  model.add(tfl.layers.conv2d({ name: 'conv3', filters: 128, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ name: 'softmax', units: NUM_CLASSES, activation: 'softmax' }));
  return model;
}

/**
 * Compiles as the seed does: `sparse_categorical_crossentropy` on integer labels, `accuracy` (logged by TF.js
 * as `acc`/`val_acc`, pushed by the exporter as Keras names them: `gangplank_train_accuracy`/`…_val_accuracy`).
 *
 * @param optimizer @default tf.train.adam() (learning rate 0.001, Keras' default)
 */
export function compileForMnist(model: tfl.LayersModel, optimizer: tf.Optimizer = tf.train.adam()): void {
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
}

/** The images of `set` as a `[count, 28, 28, 1]` tensor and the labels as `[count, 1]` floats. */
export function toTensors(set: MnistSet): { x: tf.Tensor4D; y: tf.Tensor2D } {
  if (set.images.length !== set.count * IMAGE_SIZE) {
    throw new Error(
      `an MNIST set of ${set.count} images needs ${set.count * IMAGE_SIZE} pixels, got ${set.images.length}`,
    );
  }
  return {
    x: tf.tensor4d(set.images, [set.count, 28, 28, 1]),
    y: tf.tensor2d(Float32Array.from(set.labels), [set.count, 1]),
  };
}
