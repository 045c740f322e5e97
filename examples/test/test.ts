/**
 * The seed's test example: evaluates the model saved by the training example on the 1,000 held-out test images
 * and pushes `gangplank_test_*` (loss, accuracy, parameter count, elapsed time and the weights histogram in
 * `HISTOGRAM_WEIGHT_BUCKETS_0_3`) with `ignoreExceptions: false`, so a push that fails fails the run.
 *
 * Unlike Python Gangplank, this does not erase the training series of the same job: test results go to their own
 * group (`phase="test"`, and a `run_id` of their own).
 *
 *   npx tsx examples/test/test.ts [--pushgateway 127.0.0.1:9091] [--job mnist] [--model <dir>]
 */
import * as tf from '@tensorflow/tfjs-core';
import { HISTOGRAM_WEIGHT_BUCKETS_0_3, TrainTestExporter } from '@gangplank/metrics';
import { intOption, parseOptions } from '../lib/args.js';
import { isMain, runMain } from '../lib/main.js';
import { splitMnist } from '../lib/mnist.js';
import { toTensors } from '../lib/model.js';
import { defaultModelDir } from '../lib/paths.js';
import { loadSavedModel } from '../lib/saved-model.js';
import { initTf } from '../lib/tf.js';

export interface TestExampleOptions {
  /** @default '127.0.0.1:9091' */
  pushgateway?: string;
  /** @default 'mnist' */
  job?: string;
  /** @default env GANGPLANK_RUN_ID, else a new id */
  runId?: string;
  /** @default examples/models/mnist_convnet */
  modelDir?: string;
  /** Evaluate only the first N test images. @default all 1,000 */
  testImages?: number;
  /** @default console.log */
  log?: (line: string) => void;
}

export interface TestExampleResult {
  loss: number;
  accuracy: number;
  samples: number;
  grouping: Readonly<Record<string, string>>;
}

export async function runTest(options: TestExampleOptions = {}): Promise<TestExampleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  await initTf();
  const model = await loadSavedModel(options.modelDir ?? defaultModelDir());
  const { test } = splitMnist(options.testImages === undefined ? {} : { evalLimit: options.testImages });
  const { x, y } = toTensors(test);
  const exporter = new TrainTestExporter(options.pushgateway ?? '127.0.0.1:9091', options.job ?? 'mnist', {
    histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_0_3,
    ignoreExceptions: false,
    ...(options.runId === undefined ? {} : { runId: options.runId }),
  });
  try {
    // TF.js's evaluate takes no callbacks; the exporter wraps the call and records what it returns.
    const results = exporter.evaluate(model, x, y, { batchSize: 64 }) as tf.Scalar[];
    const [loss, accuracy] = results.map((s) => s.dataSync()[0]!);
    tf.dispose(results);
    log(`test loss ${loss!.toFixed(4)}  accuracy ${accuracy!.toFixed(4)}  on ${test.count} images`);
    // With ignoreExceptions: false this rejects if the push failed: the test run fails loudly.
    await exporter.close();
    log(`pushed gangplank_test_* to ${exporter.config.pushgatewayAddr} as job="${exporter.config.job}"`);
    return {
      loss: loss!,
      accuracy: accuracy!,
      samples: test.count,
      grouping: exporter.targets.test.grouping ?? {},
    };
  } finally {
    tf.dispose([x, y]);
    await exporter.close().catch(() => undefined);
  }
}

if (isMain(import.meta.url)) {
  const o = parseOptions('npx tsx examples/test/test.ts [options]', {
    pushgateway: {
      env: 'GANGPLANK_PUSHGATEWAY_ADDR',
      description: 'Pushgateway address',
      default: '127.0.0.1:9091',
    },
    job: { env: 'GANGPLANK_JOB', description: 'Pushgateway job name', default: 'mnist' },
    model: {
      env: 'GANGPLANK_MODEL_DIR',
      description: 'folder of the saved model',
      default: 'examples/models/mnist_convnet',
    },
    'test-images': { description: 'evaluate only this many test images', default: '1000' },
  });
  runMain(async () => {
    await runTest({
      ...(o.pushgateway === undefined ? {} : { pushgateway: o.pushgateway }),
      ...(o.job === undefined ? {} : { job: o.job }),
      ...(o.model === undefined ? {} : { modelDir: o.model }),
      ...(o['test-images'] === undefined
        ? {}
        : { testImages: intOption('test-images', o['test-images'], 1000) }),
    });
  });
}
