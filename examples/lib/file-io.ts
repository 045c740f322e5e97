import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { io } from '@tensorflow/tfjs-core';

/** The files of a saved model, in TF.js' usual layout. */
const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * Turns `file://<dir>` (absolute `file:///abs/dir` or relative `file://./dir`), `file://<dir>/model.json` or a plain
 * path into a folder path.
 */
export function modelDir(urlOrPath: string): string {
  let path: string;
  if (urlOrPath.startsWith('file:///')) path = fileURLToPath(urlOrPath);
  else if (urlOrPath.startsWith('file://')) path = resolve(urlOrPath.slice('file://'.length));
  else path = resolve(urlOrPath);
  // Accept the JSON file's URL as well as its folder's, as tfjs-node does.
  return basename(path) === MODEL_JSON ? dirname(path) : path;
}

/** Writes `model.json` + `weights.bin` into `dir`; each file is replaced atomically (written, then renamed). */
export function fileSaveHandler(dir: string): io.IOHandler {
  return {
    save: async (artifacts: io.ModelArtifacts): Promise<io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(
          'saving a binary (GraphDef) topology to file:// is not supported; save a LayersModel',
        );
      }
      await mkdir(dir, { recursive: true });
      const weightData =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
      };
      // A reader never sees a half-written checkpoint: weights first, then the JSON that points at them.
      await atomicWrite(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await atomicWrite(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Reads what {@link fileSaveHandler} wrote. */
export function fileLoadHandler(dir: string): io.IOHandler {
  return {
    load: async (): Promise<io.ModelArtifacts> => {
      let json: io.ModelJSON;
      try {
        json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as io.ModelJSON;
      } catch (error) {
        throw new Error(
          `no saved model in ${dir} (${(error as Error).message}); run the training example first: ` +
            '`npx tsx examples/train/train.ts`',
          { cause: error },
        );
      }
      const weightSpecs: io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const path of group.paths) {
          const bytes = await readFile(join(dir, path));
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        }
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs,
        weightData: tf.io.CompositeArrayBuffer.join(buffers),
        ...(json.trainingConfig === undefined ? {} : { trainingConfig: json.trainingConfig }),
      };
    },
  };
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

let registered = false;

/**
 * Makes `model.save('file://…')` and `tf.loadLayersModel('file://…')` work without `@tensorflow/tfjs-node`, which
 * alone ships a file router (pure TF.js says "Cannot find any save handlers" and Node's fetch has no `file:`).
 * Idempotent: a second router would make TF.js refuse the URL as ambiguous.
 */
export function registerFileRouter(): void {
  if (registered) return;
  registered = true;
  // TF.js declares routers as always returning a handler, but it skips a router that returns null.
  type Router = Parameters<typeof tf.io.registerSaveRouter>[0];
  const route = (make: (dir: string) => io.IOHandler) =>
    ((url: string | string[]) =>
      typeof url === 'string' && url.startsWith('file://') ? make(modelDir(url)) : null) as Router;
  tf.io.registerSaveRouter(route(fileSaveHandler));
  tf.io.registerLoadRouter(route(fileLoadHandler));
}
