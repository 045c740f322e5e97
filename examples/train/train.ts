/**
 * The seed's training script: Chollet's convnet on MNIST digits, with a `TrainTestExporter` pushing
 * `gangplank_train_*` to the Pushgateway after every epoch and a checkpoint of the best model by validation loss
 * (the other examples load it).
 *
 *   npx tsx examples/train/train.ts [--epochs 10] [--pushgateway 127.0.0.1:9091] [--job mnist] [--model <dir>]
 */
import { HISTOGRAM_WEIGHT_BUCKETS_0_3, TrainTestExporter } from '@gangplank/metrics';
import { parseOptions } from '../lib/args.js';
import type { SplitOptions } from '../lib/mnist.js';
import { isMain, runMain } from '../lib/main.js';
import { defaultModelDir } from '../lib/paths.js';
import { TRAIN_OPTIONS, trainRunOptions } from './cli-options.js';
import { trainMnist, type TrainMnistResult } from './training.js';

export interface TrainExampleOptions {
  /** @default 10 */
  epochs?: number;
  /** @default '127.0.0.1:9091' (the seed's) */
  pushgateway?: string;
  /** @default 'mnist' (the seed's) */
  job?: string;
  /** Run id, the grouping label that tells runs of one job apart. @default env GANGPLANK_RUN_ID, else a new id */
  runId?: string;
  /** Where the best model goes. @default examples/models/mnist_convnet */
  modelDir?: string;
  /** Fewer images for short runs. @default all 8,100 training and 900 validation images */
  data?: SplitOptions;
  /** Surface push failures as errors instead of warnings. @default false (training goes on, as in the seed) */
  strictMetrics?: boolean;
  /** @default console.log */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface TrainExampleResult extends TrainMnistResult {
  job: string;
  /** The grouping labels of the pushed series besides `job` (`run_id`, `instance`, `phase`). */
  grouping: Readonly<Record<string, string>>;
  modelDir: string;
}

export async function runTrain(options: TrainExampleOptions = {}): Promise<TrainExampleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const modelDir = options.modelDir ?? defaultModelDir();
  const exporter = new TrainTestExporter(options.pushgateway ?? '127.0.0.1:9091', options.job ?? 'mnist', {
    ...(options.runId === undefined ? {} : { runId: options.runId }),
    // The seed's train.py passes no buckets; its README's own instantiation does. With them every epoch's weights
    // histogram goes to the gateway and the run's history, and the web app draws the weights distribution.
    histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_0_3,
    ignoreExceptions: !(options.strictMetrics ?? false),
  });
  const { job } = exporter.config;
  const grouping = exporter.targets.train.grouping ?? {};
  log(
    `training; metrics go to ${exporter.config.pushgatewayAddr} as job="${job}"` +
      Object.entries(grouping)
        .map(([k, v]) => `, ${k}="${v}"`)
        .join(''),
  );
  let result: TrainMnistResult;
  try {
    result = await trainMnist({
      epochs: options.epochs ?? 10,
      checkpointDir: modelDir,
      ...(options.data === undefined ? {} : { data: options.data }),
      after: [exporter],
      onModel: (model) => exporter.setModel(model),
      // Left undefined when printing to the console, so the live in-epoch line shows on a terminal.
      ...(options.log === undefined ? {} : { log: options.log }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } finally {
    // Sends the last state and waits for it (at most 5 s), even when training failed or was interrupted.
    await exporter.close();
  }
  log(
    `done in ${result.seconds.toFixed(1)} s (${((result.history.epoch.length * result.trainSamples) / result.seconds).toFixed(0)} training samples/s)` +
      (result.bestEpoch === undefined
        ? ''
        : `; best val_loss ${result.bestValLoss!.toFixed(4)} at epoch ${result.bestEpoch}, saved in ${modelDir}`),
  );
  return { ...result, job, grouping, modelDir };
}

if (isMain(import.meta.url)) {
  const o = parseOptions('npx tsx examples/train/train.ts [options]', {
    ...TRAIN_OPTIONS,
    model: {
      env: 'GANGPLANK_MODEL_DIR',
      description: 'folder for the best model',
      default: 'examples/models/mnist_convnet',
    },
  });
  runMain(async (signal) => {
    await runTrain({
      ...trainRunOptions(o),
      ...(o.model === undefined ? {} : { modelDir: o.model }),
      signal,
    });
  });
}
