import { Counter, Registry } from 'prom-client';
import type { OpenMetricsContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusModel } from '../../src/index.js';
import { promtoolCheck } from './support.js';

const identity = () => ({ predict: (x: number[]) => x });

function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`));
}

describe('many models in one process', () => {
  it('share one registry without duplicate-registration errors, each with its own series', async () => {
    const registry = new Registry();
    const models = Array.from(
      { length: 20 },
      (_, i) =>
        new PrometheusModel(identity(), { registry, name: `m${i % 10}`, version: i < 10 ? '1' : '2' }),
    );
    models.forEach((m, i) => m.predict(Array.from({ length: i + 1 }, () => 0)));
    const text = await registry.metrics();
    const totals = samples(text, 'gangplank_predict_total');
    expect(totals).toHaveLength(20);
    expect(totals).toContain('gangplank_predict_total{model="m0",version="1"} 1');
    expect(totals).toContain('gangplank_predict_total{model="m9",version="2"} 20');
    expect(text.match(/^# TYPE gangplank_predict_total counter$/gm)).toHaveLength(1);
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });

  it('adds up two wrappers of the same model and version', async () => {
    const registry = new Registry();
    const a = new PrometheusModel(identity(), { registry, name: 'same', version: '1' });
    const b = new PrometheusModel(identity(), { registry, name: 'same', version: '1' });
    a.predict([1, 2]);
    b.predict([3]);
    expect(samples(await registry.metrics(), 'gangplank_predict_total')).toEqual([
      'gangplank_predict_total{model="same",version="1"} 3',
    ]);
  });

  it('lives alongside the application own prom-client metrics, with and without drift', async () => {
    const registry = new Registry();
    const requests = new Counter({ name: 'app_requests_total', help: 'Requests', registers: [registry] });
    requests.inc();
    const plain = new PrometheusModel(identity(), { registry, name: 'plain' });
    const drifting = new PrometheusModel(identity(), {
      registry,
      name: 'drifting',
      drift: () => ({ pValue: 1 }),
    });
    plain.predict([1]);
    drifting.predict([1]);
    await drifting.prometheus.drain();
    const text = await registry.metrics();
    expect(text).toContain('app_requests_total 1\n');
    // Drift series only for the model that has a drift source.
    expect(samples(text, 'gangplank_predict_drift_p_value')).toEqual([
      'gangplank_predict_drift_p_value{model="drifting",version="",detector="function"} 1',
    ]);
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });

  it('serves OpenMetrics registries too', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const model = new PrometheusModel(identity(), { registry, name: 'om' });
    model.predict([1, 2]);
    const text = await registry.metrics();
    expect(text).toContain(
      '# TYPE gangplank_predict counter\ngangplank_predict_total{model="om",version=""} 2\n',
    );
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('refuses conflicting buckets and foreign metrics with clear messages', () => {
    const registry = new Registry();
    new PrometheusModel(identity(), { registry, latencyBuckets: [0.01, 0.1] });
    expect(() => new PrometheusModel(identity(), { registry, latencyBuckets: [0.5] })).toThrow(
      /latencyBuckets \[0\.5\] differ from the buckets \[0\.01, 0\.1\]/,
    );
    expect(() => new PrometheusModel(identity(), { latencyBuckets: [0.1, 0.01] })).toThrow(
      /strictly increasing/,
    );
    const foreign = new Registry();
    new Counter({ name: 'gangplank_predict_total', help: 'hand-made', registers: [foreign] });
    expect(() => new PrometheusModel(identity(), { registry: foreign })).toThrow(
      /already holds a metric named/,
    );
  });

  it('resets with registry.resetMetrics()', async () => {
    const registry = new Registry();
    const model = new PrometheusModel(identity(), { registry });
    model.predict([1, 2, 3]);
    registry.resetMetrics();
    expect(samples(await registry.metrics(), 'gangplank_predict_total')).toEqual([
      'gangplank_predict_total{model="default",version=""} 0',
    ]);
  });
});
