import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { registerFileRouter } from './file-io.js';

/** The backends the examples can run on. */
export type BackendName = 'wasm' | 'cpu';

let ready: Promise<BackendName> | undefined;

/**
 * Initialises TensorFlow.js once per process, without native bindings: the wasm backend (SIMD, one thread in
 * Node) with the missing `Conv2DBackpropFilter` kernel registered, or the pure-JS cpu backend; and makes
 * `file://` URLs work for `model.save` and `loadLayersModel` ({@link registerFileRouter}).
 *
 * The same kernel replaces cpu's stock one too: the stock kernel reads element by element through
 * `TensorBuffer.get`, and the composed one was measured 5.7× faster (reference §D.5).
 *
 * @param backend @default process.env.GANGPLANK_TF_BACKEND ?? 'wasm'
 */
export function initTf(backend: BackendName = defaultBackend()): Promise<BackendName> {
  ready ??= (async () => {
    for (const name of ['wasm', 'cpu']) {
      if (tf.getKernel(tf.Conv2DBackpropFilter, name) !== undefined)
        tf.unregisterKernel(tf.Conv2DBackpropFilter, name);
      tf.registerKernel(conv2dBackpropFilterKernel(name));
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
