/**
 * Training speed of the examples' model on TF.js without native bindings: Chollet's convnet (104,202 parameters)
 * on wasm with the composed Conv2DBackpropFilter/-Input kernels (`examples/lib/tf.ts`), against wasm with its
 * stock input gradient, the pure-JS cpu backend (stock and composed filter gradient) and an MLP of similar size
 * on wasm. Samples per second of `model.fit`, batch 64, one epoch each,
 * measured side by side in one run. Run: `npx tsx bench/mnist-train.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { splitMnist } from '../examples/lib/mnist.js';
import { compileForMnist, createConvnet, toTensors } from '../examples/lib/model.js';
import { initTf } from '../examples/lib/tf.js';

const stockCpuKernel = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu');
const stockWasmInputKernel = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
await initTf('wasm');
const composedCpuKernel = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu');
const composedWasmInputKernel = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');

function swap(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

function mlp(): tfl.Sequential {
  // 784-128-10 has 101,770 parameters, the closest plain MLP to the convnet's 104,202.
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [28, 28, 1] }));
  model.add(tfl.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

async function samplesPerSecond(
  backend: string,
  make: () => tfl.LayersModel,
  samples: number,
): Promise<number> {
  await tf.setBackend(backend);
  const { train } = splitMnist({ trainLimit: samples, evalLimit: 10 });
  const model = make();
  compileForMnist(model);
  const { x, y } = toTensors(train);
  // One warm-up batch: kernels compile and allocate on first use.
  await model.fit(tf.slice(x, 0, 64), tf.slice(y, 0, 64), { epochs: 1, batchSize: 64 });
  const t0 = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: 64 });
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return samples / seconds;
}

const rows: [string, number][] = [];
rows.push(['convnet, wasm, composed kernels', await samplesPerSecond('wasm', createConvnet, 2048)]);
if (stockWasmInputKernel !== undefined) {
  swap(stockWasmInputKernel);
  rows.push(['convnet, wasm, stock input gradient', await samplesPerSecond('wasm', createConvnet, 1024)]);
  swap(composedWasmInputKernel);
}
rows.push(['convnet, cpu, composed filter gradient', await samplesPerSecond('cpu', createConvnet, 256)]);
if (stockCpuKernel !== undefined) {
  swap(stockCpuKernel);
  rows.push(['convnet, cpu, stock filter gradient', await samplesPerSecond('cpu', createConvnet, 128)]);
  swap(composedCpuKernel);
}
rows.push(['MLP 784-128-10, wasm', await samplesPerSecond('wasm', mlp, 4096)]);

const base = rows[0]![1];
console.log('model, backend, kernels'.padEnd(40), 'samples/s', '  ratio to convnet on wasm');
for (const [name, rate] of rows)
  console.log(name.padEnd(40), rate.toFixed(0).padStart(9), `  ${(rate / base).toFixed(3)}`);
