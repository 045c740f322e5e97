/**
 * The seed's `train_with_custom_metric`: the same convnet trained with Adagrad (learning rate 0.005) and no
 * validation, and a callback listed before the exporter that adds the learning rate to the epoch logs, pushed as
 * `gangplank_train_learning_rate`. It saves no model (the `train` example's checkpoint stays as it is).
 *
 *   npx tsx examples/train/train_with_custom_metric.ts [--epochs 10] [--pushgateway 127.0.0.1:9091] [--job mnist]
 */
import * as tf from '@tensorflow/tfjs-core';
import { TrainTestExporter } from '@gangplank/metrics';
import { parseOptions } from '../lib/args.js';
import { isMain, runMain } from '../lib/main.js';
import type { SplitOptions } from '../lib/mnist.js';
import { initTf } from '../lib/tf.js';
import { learningRateMetric } from './learning-rate.js';
import { TRAIN_OPTIONS, trainRunOptions } from './cli-options.js';
import { trainMnist, type TrainMnistResult } from './training.js';

export interface CustomMetricExampleOptions {
  /** @default 10 */
  epochs?: number;
  /** @default '127.0.0.1:9091' */
  pushgateway?: string;
  /** @default 'mnist' */
  job?: string;
  /** @default env GANGPLANK_RUN_ID, else a new id */
  runId?: string;
  /** @default 0.005 (the seed's) */
  learningRate?: number;
  data?: SplitOptions;
  /** @default console.log */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export async function runTrainWithCustomMetric(
  options: CustomMetricExampleOptions = {},
): Promise<TrainMnistResult & { grouping: Readonly<Record<string, string>> }> {
  await initTf();
  const optimizer = tf.train.adagrad(options.learningRate ?? 0.005);
  const exporter = new TrainTestExporter(options.pushgateway ?? '127.0.0.1:9091', options.job ?? 'mnist', {
    ...(options.runId === undefined ? {} : { runId: options.runId }),
  });
  try {
    const result = await trainMnist({
      epochs: options.epochs ?? 10,
      optimizer,
      validation: false,
      ...(options.data === undefined ? {} : { data: options.data }),
      // Order matters: the learning rate must be in the logs before the exporter reads them.
      callbacks: [learningRateMetric(optimizer)],
      after: [exporter],
      onModel: (model) => exporter.setModel(model),
      ...(options.log === undefined ? {} : { log: options.log }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return { ...result, grouping: exporter.targets.train.grouping ?? {} };
  } finally {
    await exporter.close();
  }
}

if (isMain(import.meta.url)) {
  const o = parseOptions('npx tsx examples/train/train_with_custom_metric.ts [options]', TRAIN_OPTIONS);
  runMain(async (signal) => {
    await runTrainWithCustomMetric({ ...trainRunOptions(o), signal });
  });
}
