import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input.js';
import { registerFileRouter } from './file-io.js';

/** The backends the examples can run on. */
export type BackendName = 'wasm' | 'cpu';

let ready: Promise<BackendName> | undefined;

/**
 * Initialises TensorFlow.js once per process, without native bindings: the wasm backend (SIMD, one thread in
 * Node) with the missing `Conv2DBackpropFilter` kernel registered, or the pure-JS cpu backend; and makes
 * `file://` URLs work for `model.save` and `loadLayersModel` ({@link registerFileRouter}).
 *
 * Kernel swaps, measured on the seed's convnet with `bench/mnist-train.ts` (2 cores, Node 20):
 * - `Conv2DBackpropFilter`: wasm has none; the composed one also replaces cpu's stock kernel, which reads
 *   element by element through `TensorBuffer.get` (cpu training 3 → 36 samples/s).
 * - `Conv2DBackpropInput` on wasm: the stock kernel is a plain loop; stride-1 cases run as a forward conv
 *   on XNNPACK instead.
 *
 * @param backend @default process.env.GANGPLANK_TF_BACKEND ?? 'wasm'
 */
export function initTf(backend: BackendName = defaultBackend()): Promise<BackendName> {
  ready ??= (async () => {
    for (const name of ['wasm', 'cpu']) {
      if (tf.getKernel(tf.Conv2DBackpropFilter, name) !== undefined) {
        tf.unregisterKernel(tf.Conv2DBackpropFilter, name);
      }
      tf.registerKernel(conv2dBackpropFilterKernel(name));
    }
    const stockInput = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
    if (stockInput !== undefined) {
      tf.unregisterKernel(tf.Conv2DBackpropInput, 'wasm');
      tf.registerKernel(conv2dBackpropInputKernel('wasm', stockInput.kernelFunc));
    }
    // Silences the "install tfjs-node" banner; the examples deliberately run without native bindings.
    tf.enableProdMode();
    registerFileRouter();
    if (!(await tf.setBackend(backend)))
      throw new Error(`TensorFlow.js backend ${backend} failed to initialise`);
    await tf.ready();
    return backend;
  })();
  return ready;
}

function defaultBackend(): BackendName {
  const env = process.env['GANGPLANK_TF_BACKEND'];
  if (env === undefined || env === '') return 'wasm';
  if (env === 'wasm' || env === 'cpu') return env;
  throw new Error(`GANGPLANK_TF_BACKEND must be wasm or cpu, got ${JSON.stringify(env)}`);
}
