/**
 * The seed's prediction example: the trained model wrapped in a `PrometheusModel` that serves
 * `gangplank_predict_*` on http://127.0.0.1:8561/metrics, fed 100 predictions in random batches of 1–10 test
 * images, 1–5 s apart (seeded). Then it keeps serving until Ctrl-C, so Prometheus can scrape the final counts.
 *
 *   npx tsx examples/predict/predict.ts [--port 8561] [--predictions 100] [--min-sleep 1] [--max-sleep 5] [--linger 3600]
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { PrometheusModel } from '@gangplank/metrics';
import { intOption, numberOption, parseOptions } from '../lib/args.js';
import { isMain, runMain, sleep } from '../lib/main.js';
import { splitMnist } from '../lib/mnist.js';
import { toTensors } from '../lib/model.js';
import { defaultModelDir } from '../lib/paths.js';
import { mulberry32, randomInt } from '../lib/prng.js';
import { loadSavedModel } from '../lib/saved-model.js';
import { initTf } from '../lib/tf.js';

export interface PredictExampleOptions {
  /** Port of the `/metrics` server (0 = any free port). @default 8561 */
  port?: number;
  /** Predictions (samples) to make before stopping. @default 100 */
  predictions?: number;
  /** Pause between batches, drawn uniformly from [minSleep, maxSleep] seconds. @default 1 */
  minSleepSeconds?: number;
  /** @default 5 */
  maxSleepSeconds?: number;
  /** Keep serving `/metrics` this long after the last prediction, or until aborted. @default 3600 */
  lingerSeconds?: number;
  /** Folder of the checkpoint saved by the training example. @default examples/models/mnist_convnet */
  modelDir?: string;
  /** Seed of the batch sizes, images and pauses. @default 1 (the seed's `random.seed(1)`) */
  seed?: number;
  /** Called once the metrics server listens, with its URL. */
  onListening?: (url: string) => void;
  /** @default console.log */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface PredictExampleResult {
  predictions: number;
  batches: number;
  metricsUrl: string;
}

export async function runPredict(options: PredictExampleOptions = {}): Promise<PredictExampleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const total = options.predictions ?? 100;
  const minSleep = options.minSleepSeconds ?? 1;
  const maxSleep = Math.max(minSleep, options.maxSleepSeconds ?? 5);
  await initTf();
  const loaded = await loadSavedModel(options.modelDir ?? defaultModelDir());
  const model = new PrometheusModel<LayersModel>(loaded, { name: 'mnist', port: options.port ?? 8561 });
  try {
    const server = await model.prometheus.ready;
    const metricsUrl = server!.url;
    log(`serving prediction metrics on ${metricsUrl}`);
    options.onListening?.(metricsUrl);

    const { test } = splitMnist();
    const images = toTensors(test);
    const random = mulberry32(options.seed ?? 1);
    let done = 0;
    let batches = 0;
    try {
      while (done < total && options.signal?.aborted !== true) {
        const size = Math.min(randomInt(random, 1, 10), total - done);
        const start = randomInt(random, 0, test.count - size);
        const digits = tf.tidy(() => {
          const y = model.predict(tf.slice(images.x, start, size)) as tf.Tensor;
          return tf.argMax(y, 1).arraySync() as number[];
        });
        done += size;
        batches++;
        log(
          `batch ${batches}: predicted ${digits.join(' ')} (true ${Array.from(test.labels.subarray(start, start + size)).join(' ')})`,
        );
        await sleep(1000 * (minSleep + random() * (maxSleep - minSleep)), options.signal);
      }
    } finally {
      tf.dispose([images.x, images.y]);
    }
    const linger = options.lingerSeconds ?? 3600;
    if (linger > 0 && options.signal?.aborted !== true) {
      log(
        `Done: ${done} predictions in ${batches} batches. Serving ${metricsUrl} for ${linger} s; hit Ctrl-C to end...`,
      );
      await sleep(linger * 1000, options.signal);
    }
    return { predictions: done, batches, metricsUrl };
  } finally {
    await model.prometheus.close();
  }
}

if (isMain(import.meta.url)) {
  const o = parseOptions('npx tsx examples/predict/predict.ts [options]', {
    port: { env: 'GANGPLANK_PREDICT_PORT', description: 'port of the /metrics server', default: '8561' },
    predictions: { description: 'predictions to make', default: '100' },
    'min-sleep': { description: 'shortest pause between batches, seconds', default: '1' },
    'max-sleep': { description: 'longest pause between batches, seconds', default: '5' },
    linger: { description: 'seconds to keep serving /metrics after the last prediction', default: '3600' },
    model: {
      env: 'GANGPLANK_MODEL_DIR',
      description: 'folder of the saved model',
      default: 'examples/models/mnist_convnet',
    },
  });
  runMain(async (signal) => {
    await runPredict({
      port: intOption('port', o.port, 8561, 0),
      predictions: intOption('predictions', o.predictions, 100),
      minSleepSeconds: numberOption('min-sleep', o['min-sleep'], 1),
      maxSleepSeconds: numberOption('max-sleep', o['max-sleep'], 5),
      lingerSeconds: o.linger === '0' ? 0 : numberOption('linger', o.linger, 3600),
      ...(o.model === undefined ? {} : { modelDir: o.model }),
      signal,
    });
  });
}
