import * as tfl from '@tensorflow/tfjs-layers';
import { registerFileRouter } from './file-io.js';
import { compileForMnist } from './model.js';
import { modelUrl } from './paths.js';

/**
 * Loads the checkpoint the training example saved in `dir` and compiles it for evaluation (the checkpoint has no
 * optimizer state, so TF.js would otherwise return it uncompiled).
 */
export async function loadSavedModel(dir: string): Promise<tfl.LayersModel> {
  registerFileRouter();
  const model = await tfl.loadLayersModel(modelUrl(dir));
  compileForMnist(model);
  return model;
}
