import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The `examples/` folder, wherever the examples are run from. */
export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The folder of the checkpoint the training example writes and the other examples read.
 * @default examples/models/mnist_convnet (or $GANGPLANK_MODEL_DIR)
 */
export function defaultModelDir(): string {
  const env = process.env['GANGPLANK_MODEL_DIR'];
  return env !== undefined && env !== '' ? env : join(EXAMPLES_DIR, 'models', 'mnist_convnet');
}

/** `file://` URL of a model folder, for `model.save` and `loadLayersModel` once the file router is registered. */
export function modelUrl(dir: string): string {
  return pathToFileURL(dir).href;
}
