import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChiSquareDetector, KsDetector, PrometheusModel, seededRandom } from '../../src/index.js';
import { sampleValue } from './support.js';

/** A 4-class classifier: a row's first value is its class; the output is the one-hot row. */
const classifier = () => ({
  predict: (x: number[][]) => x.map((row) => [0, 1, 2, 3].map((k) => (k === row[0] ? 1 : 0))),
});

describe('the built-in detectors plug into PrometheusModel with no glue code', () => {
  it('chi-square: no drift on balanced classes, drift once one class dominates', async () => {
    const detector = new ChiSquareDetector({ numClasses: 4, windowSize: 40, minSamples: 40 });
    const model = new PrometheusModel(classifier(), { name: 'chi', drift: detector });
    const r = model.prometheus.registry;
    for (let b = 0; b < 4; b++) model.predict(Array.from({ length: 10 }, (_, i) => [i % 4]));
    await model.prometheus.drain();
    expect(
      await sampleValue(r, 'gangplank_predict_drift_window_fill_ratio', { detector: 'chi_square' }),
    ).toBe(1);
    expect(await sampleValue(r, 'gangplank_predict_drift_p_value')).toBeGreaterThan(0.5);
    expect(await sampleValue(r, 'gangplank_predict_drift_detected_total')).toBe(0);
    for (let b = 0; b < 4; b++) model.predict(Array.from({ length: 10 }, () => [0]));
    await model.prometheus.drain();
    expect(await sampleValue(r, 'gangplank_predict_drift_p_value')).toBeLessThan(0.001);
    expect(await sampleValue(r, 'gangplank_predict_drift_detected_total')).toBeGreaterThan(0);
    expect(await sampleValue(r, 'gangplank_predict_drift_checks_total')).toBe(8);
    expect(await sampleValue(r, 'gangplank_predict_drift_errors_total').catch(() => 'none')).toBe('none');
  });

  describe('on TF.js tensors the caller disposes', () => {
    beforeAll(async () => {
      await tf.setBackend('cpu');
    });
    const random = seededRandom(7);
    const reference = Array.from({ length: 200 }, () => [random(), random()]);
    const dense = { predict: (x: tf.Tensor2D) => tf.mul(x, 1) };

    it('counts the failed checks without driftInput, and the predictions still return', async () => {
      const model = new PrometheusModel(dense, {
        drift: new KsDetector(reference, { windowSize: 50, minSamples: 10 }),
        onError: () => {},
      });
      const x = tf.tensor2d(Array.from({ length: 20 }, () => [random(), random()]));
      const y = model.predict(x);
      expect(y.shape).toEqual([20, 2]);
      tf.dispose([x, y]); // the caller is done with its tensors before the check runs
      await model.prometheus.drain();
      const r = model.prometheus.registry;
      expect(await sampleValue(r, 'gangplank_predict_drift_errors_total', { detector: 'ks' })).toBe(1);
      expect(await sampleValue(r, 'gangplank_predict_total')).toBe(20);
    });

    it('checks a snapshot taken on the request path with driftInput', async () => {
      const model = new PrometheusModel(dense, {
        drift: new KsDetector(reference, { windowSize: 50, minSamples: 10 }),
        driftInput: (x, y) => [null, y.arraySync()],
      });
      const x = tf.tensor2d(Array.from({ length: 20 }, () => [random() + 5, random()]));
      const y = model.predict(x);
      tf.dispose([x, y]);
      await model.prometheus.drain();
      const r = model.prometheus.registry;
      expect(await sampleValue(r, 'gangplank_predict_drift_checks_total', { detector: 'ks' })).toBe(1);
      expect(await sampleValue(r, 'gangplank_predict_drift_detected_total')).toBe(1); // feature 0 moved by +5
      expect(await sampleValue(r, 'gangplank_predict_drift_test_statistic')).toBe(1);
    });
  });
});
