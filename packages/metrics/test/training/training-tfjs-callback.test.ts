/**
 * `@gangplank/metrics/tfjs`: the exporter as a real `tf.Callback`, imported through the package's subpath export
 * (the built `dist/`), in a real TF.js `fit` (cpu backend) pushing to the real Pushgateway of the global setup.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { HISTOGRAM_WEIGHT_BUCKETS_1_0, TrainTestExporter } from '@gangplank/metrics/tfjs';
import { TrainTestExporter as PlainExporter } from '@gangplank/metrics';
import { tinyData, tinyModel } from './tiny-model.js';

const pgw = inject('pushgatewayUrl');
const unique = (name: string): string => `${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

/** The gateway's exposition lines of one job (text format, as Prometheus scrapes it). */
async function gatewayLines(job: string): Promise<string[]> {
  const text = await (await fetch(`${pgw}/metrics`)).text();
  return text.split('\n').filter((l) => l.includes(`job="${job}"`));
}

describe('@gangplank/metrics/tfjs', () => {
  it('is a tf.Callback: fit with callbacks: [exporter] hands it the model, and the gateway shows the Keras names, the parameter count and the weights histogram', async () => {
    const job = unique('tfjs_callback');
    const exporter = new TrainTestExporter(pgw, job, {
      env: {},
      runId: 'r1',
      instance: 'w0',
      histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_1_0,
    });
    expect(exporter).toBeInstanceOf(tfl.Callback);
    const model = tinyModel();
    const [x, y] = tinyData(32);
    await model.fit(x, y, { epochs: 2, batchSize: 8, validationSplit: 0.25, callbacks: [exporter] });
    await exporter.close();
    expect(exporter.problems).toEqual([]);

    const lines = await gatewayLines(job);
    const value = (name: string): number | undefined => {
      const line = lines.find((l) => l.startsWith(`${name}{`));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    expect(value('gangplank_train_accuracy')).toBeGreaterThanOrEqual(0);
    expect(value('gangplank_train_val_accuracy')).toBeGreaterThanOrEqual(0);
    expect(value('gangplank_train_model_parameters_count')).toBe(model.countParams());
    expect(value('gangplank_train_epochs_count')).toBe(2);
    const trainable = model.getWeights(true).reduce((n, w) => n + w.size, 0);
    expect(value('gangplank_train_model_weights_count')).toBe(trainable);
    expect(lines.filter((l) => l.startsWith('gangplank_train_model_weights_bucket{'))).toHaveLength(
      HISTOGRAM_WEIGHT_BUCKETS_1_0.length + 1,
    );
    expect(lines.some((l) => /^gangplank_train_(val_)?acc\{/.test(l))).toBe(false);
    await exporter.deleteGroups();
    tf.dispose([x, y]);
  });

  it("the main entry's exporter without a model, asked for buckets, warns once and says how to fix it", async () => {
    const problems: Error[] = [];
    const plain = new PlainExporter('127.0.0.1:9', 'no-model', {
      env: {},
      enabled: true,
      pushIntervalMs: 0,
      histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_1_0,
      client: { transport: () => Promise.resolve({ status: 200, body: '' }) },
      onError: (e) => problems.push(e),
    });
    const model = tinyModel();
    const [x, y] = tinyData(16);
    await model.fit(x, y, { epochs: 3, batchSize: 8, callbacks: [plain] });
    await plain.close();
    const advice = problems.filter((p) => /has no model/.test(p.message));
    expect(advice).toHaveLength(1);
    expect(advice[0]!.message).toContain("'@gangplank/metrics/tfjs'");
    expect(advice[0]!.message).toContain('setModel(model)');
    expect(plain.render('train')).not.toContain('gangplank_train_model_weights');
    tf.dispose([x, y]);
  });
});
