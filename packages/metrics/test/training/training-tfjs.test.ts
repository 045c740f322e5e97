/** A tiny real TF.js training (cpu backend) through the exporter, against a loopback fake gateway. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTOGRAM_WEIGHT_BUCKETS_1_0, TrainTestExporter } from '../../src/index.js';
import { startFakeGateway, type FakeGateway } from '../push/fake-gateway.js';
import { tinyData, tinyModel } from './tiny-model.js';

let gw: FakeGateway;

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
  gw = await startFakeGateway();
});
afterAll(async () => {
  await gw.close();
});

describe('TrainTestExporter with TF.js', () => {
  it('gets fit params from the CustomCallback wrapper, the model from setModel, and exports acc/val_acc under the Keras names', async () => {
    gw.requests = [];
    const exporter = new TrainTestExporter(gw.url, 'tfjs-wrapper', {
      histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_1_0,
      runId: 'r1',
      instance: 'w0',
      env: {},
    });
    const model = tinyModel();
    const [x, y] = tinyData(32);
    // TF.js never hands a plain callbacks object the model (BaseCallback.setModel is a no-op): setModel() does.
    await model.fit(x, y, {
      epochs: 3,
      batchSize: 8,
      validationSplit: 0.25,
      callbacks: [exporter.setModel(model)],
    });
    await exporter.close();
    const last = gw.requests
      .filter((r) => r.url === '/metrics/job/tfjs-wrapper/run_id/r1/instance/w0/phase/train')
      .at(-1);
    expect(last?.method).toBe('PUT');
    const body = last!.body;
    expect(body).toContain(
      '# HELP gangplank_train_accuracy accuracy\n# TYPE gangplank_train_accuracy gauge\n',
    );
    expect(body).toMatch(/^gangplank_train_val_accuracy [0-9.e-]+$/m);
    expect(body).toMatch(/^gangplank_train_loss [0-9.e-]+$/m);
    expect(body).toContain(`gangplank_train_model_parameters_count ${model.countParams()}\n`);
    expect(body).toContain('gangplank_train_epochs_count 3\n');
    expect(body).toContain('gangplank_train_target_epochs 3\n');
    expect(body).toContain('gangplank_train_progress_ratio 1\n');
    expect(body).toContain('gangplank_train_status{state="succeeded"} 1\n');
    // 24 training samples per epoch (validationSplit takes 8 of 32).
    expect(body).toMatch(/^gangplank_train_samples_per_second [0-9.e+]+$/m);
    const trainable = model.getWeights(true).reduce((n, w) => n + w.size, 0);
    expect(body).toContain(`gangplank_train_model_weights_count ${trainable}\n`);
    expect(body).toContain(`gangplank_train_model_weights_bucket{le="+Inf"} ${trainable}\n`);
    // The live weights were only read, never disposed: the model still predicts.
    expect(() => (model.predict(x) as tf.Tensor).dispose()).not.toThrow();
    tf.dispose([x, y]);
  });

  it('without a model still exports the logs, and exporter.fit() supplies the model itself', async () => {
    gw.requests = [];
    const plain = new TrainTestExporter(gw.url, 'tfjs-nomodel', { runId: 'r4', instance: 'w0', env: {} });
    const model = tinyModel();
    const [x, y] = tinyData(16);
    await model.fit(x, y, { epochs: 1, batchSize: 8, callbacks: [plain] });
    await plain.close();
    expect(gw.requests.at(-1)!.body).toMatch(/^gangplank_train_loss [0-9.e-]+$/m);
    expect(gw.requests.at(-1)!.body).not.toContain('model_parameters_count');

    const viaFit = new TrainTestExporter(gw.url, 'tfjs-fit', { runId: 'r4', instance: 'w0', env: {} });
    await viaFit.fit(model, x, y, { epochs: 1, batchSize: 8 });
    await viaFit.close();
    expect(gw.requests.at(-1)!.body).toContain(
      `gangplank_train_model_parameters_count ${model.countParams()}\n`,
    );
    tf.dispose([x, y]);
  });

  it('works inside a callback list that starts with a tf.Callback (scalars, setModel/setParams)', async () => {
    gw.requests = [];
    const exporter = new TrainTestExporter(gw.url, 'tfjs-direct', { runId: 'r2', instance: 'w0', env: {} });
    const model = tinyModel();
    const [x, y] = tinyData(16);
    const early = tfl.callbacks.earlyStopping({ monitor: 'loss', patience: 50 });
    await model.fit(x, y, { epochs: 2, batchSize: 8, callbacks: [early, exporter] });
    await exporter.close();
    const body = gw.requests.at(-1)!.body;
    expect(body).toMatch(/^gangplank_train_accuracy [0-9.e-]+$/m);
    expect(body).toContain(`gangplank_train_model_parameters_count ${model.countParams()}\n`);
    expect(body).toContain('gangplank_train_epochs_count 2\n');
    tf.dispose([x, y]);
  });

  it('evaluate() wraps model.evaluate and records gangplank_test_* in the test group', async () => {
    gw.requests = [];
    const exporter = new TrainTestExporter(gw.url, 'tfjs-eval', {
      runId: 'r3',
      instance: 'w0',
      env: {},
      histogramBuckets: [-0.5, 0, 0.5],
    });
    const model = tinyModel();
    const [x, y] = tinyData(16);
    const out = exporter.evaluate(model, x, y, { batchSize: 8 });
    const [loss] = Array.isArray(out) ? out : [out];
    const lossValue = loss!.dataSync()[0]!;
    await exporter.close();
    const req = gw.requests.at(-1)!;
    expect(req.url).toBe('/metrics/job/tfjs-eval/run_id/r3/instance/w0/phase/test');
    expect(req.body).toContain(
      `# HELP gangplank_test_loss loss\n# TYPE gangplank_test_loss gauge\ngangplank_test_loss ${lossValue}\n`,
    );
    expect(req.body).toMatch(/^gangplank_test_accuracy [0-9.e-]+$/m);
    expect(req.body).toContain(
      '# HELP gangplank_test_elapsed_time_seconds The amount of time spent testing the model\n',
    );
    expect(req.body).toContain('gangplank_test_model_weights_bucket{le="0.0"}');
    tf.dispose([x, y, out]);
  });
});
