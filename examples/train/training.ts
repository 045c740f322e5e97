import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { CustomCallbackArgs, History } from '@tensorflow/tfjs-layers';
import { bestCheckpoint } from '../lib/checkpoint.js';
import { registerFileRouter } from '../lib/file-io.js';
import { splitMnist, type SplitOptions } from '../lib/mnist.js';
import { compileForMnist, createConvnet, toTensors } from '../lib/model.js';
import { modelUrl } from '../lib/paths.js';
import { progressReporter } from '../lib/progress.js';
import { initTf } from '../lib/tf.js';

export interface TrainMnistOptions {
  /** @default 3 */
  epochs?: number;
  /** @default 64 (the seed's) */
  batchSize?: number;
  /** Which digits, how many: see {@link SplitOptions}. @default all 8,100 training and 900 validation images */
  data?: SplitOptions;
  /** Hold out validation data and report `val_loss`/`val_acc` (the seed's `validation_split`). @default true */
  validation?: boolean;
  /** Save the best model by `val_loss` in this folder (needs validation). @default no checkpoint */
  checkpointDir?: string;
  /** @default tf.train.adam() */
  optimizer?: tf.Optimizer;
  /**
   * Callbacks run after the checkpoint and before `after`, in order; a callback that adds keys to the epoch logs
   * must come before the exporter that reads them. Plain callback objects only: TF.js wraps each in a
   * `CustomCallback`, which resolves the logs to numbers and passes one shared logs object along the list.
   */
  callbacks?: CustomCallbackArgs[];
  /** Callbacks run last (the exporter). */
  after?: CustomCallbackArgs[];
  /**
   * Called with the model before training. TF.js tells plain callback objects nothing about the model (its
   * `CustomCallback` wrapper drops `setModel`), so an exporter that reports the parameter count and weights needs
   * it handed over, e.g. `onModel: (m) => exporter.setModel(m)`.
   */
  onModel?: (model: tfl.LayersModel) => void;
  /** Progress lines; `null` for none. @default console.log */
  log?: ((line: string) => void) | null;
  /** Shuffle the training data every epoch (TF.js uses `Math.random` here; the split itself is seeded). @default true */
  shuffle?: boolean;
  /** Stops training after the current batch when aborted (Ctrl-C), keeping the best checkpoint. */
  signal?: AbortSignal;
}

export interface TrainMnistResult {
  model: tfl.LayersModel;
  history: History;
  /** Lowest validation loss seen, if validation was on. */
  bestValLoss?: number;
  /** Epoch (1-based) of the saved checkpoint, if any. */
  bestEpoch?: number;
  trainSamples: number;
  seconds: number;
}

/**
 * Trains the seed's convnet on MNIST digits: the core of the `train` and `train_with_custom_metric` examples
 * (which add the Pushgateway exporter) and of the quickstart.
 */
export async function trainMnist(options: TrainMnistOptions = {}): Promise<TrainMnistResult> {
  await initTf();
  registerFileRouter();
  const epochs = options.epochs ?? 3;
  const validation = options.validation ?? true;
  if (options.checkpointDir !== undefined && !validation) {
    throw new Error(
      'a best-by-val_loss checkpoint needs validation data; drop checkpointDir or keep validation on',
    );
  }
  const split = splitMnist(options.data);
  const model = createConvnet();
  compileForMnist(model, options.optimizer);
  options.onModel?.(model);

  const train = toTensors(split.train);
  const val = validation ? toTensors(split.validation) : undefined;
  const log = options.log === undefined ? (line: string) => console.log(line) : options.log;
  let bestValLoss: number | undefined;
  let bestEpoch: number | undefined;
  const callbacks: CustomCallbackArgs[] = [];
  if (log !== null) {
    // The live in-epoch line goes to stdout; only when the lines go there too (not to a caller's logger).
    const live = options.log === undefined ? undefined : false;
    callbacks.push(
      progressReporter({ epochs, samples: split.train.count, log, ...(live === undefined ? {} : { live }) }),
    );
  }
  if (options.checkpointDir !== undefined) {
    const dir = options.checkpointDir;
    callbacks.push(
      bestCheckpoint(model, {
        url: modelUrl(dir),
        onSave: (epoch, value) => {
          bestValLoss = value;
          bestEpoch = epoch + 1;
          log?.(`  saved the best model so far (val_loss ${value.toFixed(4)}) to ${dir}`);
        },
      }),
    );
  }
  callbacks.push(...(options.callbacks ?? []), ...(options.after ?? []));
  const signal = options.signal;
  if (signal !== undefined) {
    callbacks.push({
      onBatchEnd: () => {
        if (signal.aborted) model.stopTraining = true;
      },
    });
  }

  const started = Date.now();
  try {
    const history = await model.fit(train.x, train.y, {
      epochs,
      batchSize: options.batchSize ?? 64,
      ...(val === undefined ? {} : { validationData: [val.x, val.y] as [tf.Tensor, tf.Tensor] }),
      shuffle: options.shuffle ?? true,
      callbacks,
      // 'auto' yields every 125 ms to the event loop, so background pushes and signals get their turn.
      yieldEvery: 'auto',
    });
    return {
      model,
      history,
      ...(bestValLoss === undefined ? {} : { bestValLoss }),
      ...(bestEpoch === undefined ? {} : { bestEpoch }),
      trainSamples: split.train.count,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    tf.dispose([train.x, train.y, ...(val === undefined ? [] : [val.x, val.y])]);
  }
}
