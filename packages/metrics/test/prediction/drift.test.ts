import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Drift, DriftDetector } from '../../src/drift/drift.js';
import { PrometheusModel } from '../../src/index.js';
import { deferred, nextMacrotask, sampleValue } from './support.js';

const doubler = () => ({ predict: (x: number[]) => x.map((v) => v * 2) });

describe('drift checks off the request path', () => {
  it('has the drift series from the start: counters at 0, p-value and statistic NaN', async () => {
    const model = new PrometheusModel(doubler(), { drift: () => ({}) });
    const r = model.prometheus.registry;
    expect(await sampleValue(r, 'gangplank_predict_drift_detected_total')).toBe(0);
    expect(await sampleValue(r, 'gangplank_predict_drift_p_value')).toBeNaN();
    expect(await sampleValue(r, 'gangplank_predict_drift_test_statistic')).toBeNaN();
    expect(await sampleValue(r, 'gangplank_predict_drift_checks_total')).toBe(0);
    const { body } = await model.prometheus.metrics();
    expect(body).toContain(
      'gangplank_predict_drift_p_value{model="default",version="",detector="function"} Nan\n',
    );
  });

  it('never runs a detector inside predict, even a synchronous one', async () => {
    const calls: string[] = [];
    const model = new PrometheusModel(doubler(), {
      drift: (x, y) => {
        calls.push(`check ${JSON.stringify(x)} -> ${JSON.stringify(y)}`);
        return { pValue: 0.5 };
      },
    });
    expect(model.predict([1, 2])).toEqual([2, 4]);
    calls.push('predict returned');
    await nextMacrotask();
    expect(calls).toEqual(['predict returned', 'check [1,2] -> [2,4]']);
  });

  it('returns every prediction while a slow detector holds the queue, then checks them in order', async () => {
    const gates = [deferred<Drift>(), deferred<Drift>(), deferred<Drift>()];
    const seen: number[] = [];
    let active = 0;
    let maxActive = 0;
    const detector: DriftDetector<number[], number[]> = {
      name: 'slow',
      async check(x) {
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(x[0]!);
        const result = await gates[seen.length - 1]!.promise;
        active--;
        return result;
      },
    };
    const model = new PrometheusModel(doubler(), { drift: detector });
    const r = model.prometheus.registry;
    for (let i = 0; i < 3; i++) expect(model.predict([i])).toEqual([2 * i]);
    expect(await sampleValue(r, 'gangplank_predict_total')).toBe(3);
    await nextMacrotask();
    expect(seen).toEqual([0]);
    expect(await sampleValue(r, 'gangplank_predict_drift_pending')).toBe(3);
    gates[0]!.resolve({ driftDetected: 1, pValue: 0.01, testStatistic: 9 });
    gates[1]!.resolve({ driftDetected: 0, pValue: 0.2 });
    gates[2]!.resolve({ driftDetected: 2 });
    await model.prometheus.drain();
    expect(seen).toEqual([0, 1, 2]);
    expect(maxActive).toBe(1); // a stateful detector is never called concurrently
    expect(await sampleValue(r, 'gangplank_predict_drift_detected_total')).toBe(3);
    expect(await sampleValue(r, 'gangplank_predict_drift_p_value')).toBe(0.2);
    expect(await sampleValue(r, 'gangplank_predict_drift_test_statistic')).toBe(9);
    expect(await sampleValue(r, 'gangplank_predict_drift_checks_total')).toBe(3);
    expect(await sampleValue(r, 'gangplank_predict_drift_pending')).toBe(0);
  });

  it('drops the oldest queued checks beyond the backlog and counts them', async () => {
    const gate = deferred<Drift>();
    const seen: number[] = [];
    const model = new PrometheusModel(doubler(), {
      driftBacklog: 2,
      drift: async (x) => {
        seen.push(x[0]!);
        return seen.length === 1 ? gate.promise : {};
      },
    });
    model.predict([0]);
    await nextMacrotask(); // check 0 is running
    for (let i = 1; i <= 5; i++) model.predict([i]); // queue holds 2: 4 and 5 survive
    const r = model.prometheus.registry;
    expect(await sampleValue(r, 'gangplank_predict_drift_dropped_total')).toBe(3);
    expect(await sampleValue(r, 'gangplank_predict_drift_pending')).toBe(3);
    gate.resolve({});
    await model.prometheus.drain();
    expect(seen).toEqual([0, 4, 5]);
    expect(await sampleValue(r, 'gangplank_predict_total')).toBe(6);
    expect(await sampleValue(r, 'gangplank_predict_drift_checks_total')).toBe(3);
  });

  it('counts throwing, rejecting and invalid detectors and keeps every prediction', async () => {
    const reported: unknown[] = [];
    const outcomes: (() => Drift | Promise<Drift>)[] = [
      () => {
        throw new RangeError('sync');
      },
      () => Promise.reject(new TypeError('async')),
      () => null as unknown as Drift,
      () => ({ driftDetected: -1 }),
      () => ({ pValue: 0.7 }),
    ];
    const model = new PrometheusModel(doubler(), {
      drift: () => outcomes.shift()!(),
      onError: (error, source) => reported.push([source, (error as Error).name]),
    });
    for (let i = 0; i < 5; i++) expect(model.predict([i])).toEqual([2 * i]);
    await model.prometheus.drain();
    const r = model.prometheus.registry;
    expect(await sampleValue(r, 'gangplank_predict_drift_errors_total', { error: 'RangeError' })).toBe(1);
    expect(await sampleValue(r, 'gangplank_predict_drift_errors_total', { error: 'TypeError' })).toBe(1);
    expect(
      await sampleValue(r, 'gangplank_predict_drift_errors_total', { error: 'InvalidDriftResultError' }),
    ).toBe(2);
    expect(await sampleValue(r, 'gangplank_predict_drift_checks_total')).toBe(1);
    expect(await sampleValue(r, 'gangplank_predict_drift_p_value')).toBe(0.7);
    expect(await sampleValue(r, 'gangplank_predict_drift_detected_total')).toBe(0);
    expect(await sampleValue(r, 'gangplank_predict_total')).toBe(5);
    expect(await sampleValue(r, 'gangplank_predict_errors_total').catch(() => 'none')).toBe('none');
    expect(reported).toEqual([
      ['drift', 'RangeError'],
      ['drift', 'TypeError'],
      ['drift', 'InvalidDriftResultError'],
      ['drift', 'InvalidDriftResultError'],
    ]);
  });

  it('warns once by default when a detector fails, instead of crashing', async () => {
    const warnings: string[] = [];
    const listener = (w: Error): void => void warnings.push(w.message);
    process.on('warning', listener);
    try {
      const model = new PrometheusModel(doubler(), {
        name: 'warned',
        drift: () => {
          throw new Error('detector broke');
        },
      });
      model.predict([1]);
      model.predict([2]);
      await model.prometheus.drain();
      await nextMacrotask(); // warnings are emitted on the next tick
      expect(warnings.filter((w) => w.includes('PrometheusModel(warned)'))).toEqual([
        'PrometheusModel(warned): drift check failed: Error: detector broke; later failures are only counted in gangplank_predict_drift_errors_total',
      ]);
    } finally {
      process.off('warning', listener);
    }
  });

  it("exposes a detector's window fill, and plugs a detector in with no glue code", async () => {
    class Windowed implements DriftDetector<number[], number[]> {
      readonly name = 'windowed';
      readonly #window: number[] = [];
      check(x: number[]): Drift {
        this.#window.push(...x);
        if (this.#window.length > 4) this.#window.splice(0, this.#window.length - 4);
        return { testStatistic: this.#window.reduce((a, b) => a + b, 0) };
      }
      windowFill() {
        return { size: this.#window.length, capacity: 4 };
      }
    }
    const model = new PrometheusModel(doubler(), { drift: new Windowed() });
    const r = model.prometheus.registry;
    expect(await sampleValue(r, 'gangplank_predict_drift_window_samples')).toBe(0);
    expect(await sampleValue(r, 'gangplank_predict_drift_window_fill_ratio')).toBe(0);
    model.predict([1]);
    await model.prometheus.drain();
    expect(await sampleValue(r, 'gangplank_predict_drift_window_fill_ratio')).toBe(0.25);
    model.predict([2, 3, 4, 5]);
    await model.prometheus.drain();
    expect(await sampleValue(r, 'gangplank_predict_drift_window_samples')).toBe(4);
    expect(await sampleValue(r, 'gangplank_predict_drift_window_fill_ratio')).toBe(1);
    expect(await sampleValue(r, 'gangplank_predict_drift_test_statistic')).toBe(14);
  });

  it('snapshots inputs on the request path with driftInput, before the caller reuses them', async () => {
    const seen: unknown[] = [];
    const model = new PrometheusModel(doubler(), {
      driftInput: (x, y) => [[...x], [...y]],
      drift: (x, y) => {
        seen.push([x, y]);
        return {};
      },
    });
    const buffer = [1, 2];
    model.predict(buffer);
    buffer[0] = 99; // the caller reuses its buffer, as with a disposed tensor
    await model.prometheus.drain();
    expect(seen).toEqual([
      [
        [1, 2],
        [2, 4],
      ],
    ]);
  });

  it('stops checking on close, and does not check failed or __call__ predictions', async () => {
    let checks = 0;
    const model = new PrometheusModel(
      {
        predict: (x: number[]) => {
          if (x.length === 0) throw new Error('empty');
          return x;
        },
        apply: (x: number[]) => x,
      },
      { drift: () => (checks++, {}), onError: () => {} },
    );
    expect(() => model.predict([])).toThrow('empty');
    model.apply([1]);
    await model.prometheus.drain();
    expect(checks).toBe(0);
    model.predict([1]);
    await model.prometheus.close();
    model.predict([2]);
    await model.prometheus.drain();
    expect(checks).toBe(0);
    expect(model.predict([3])).toEqual([3]);
  });

  it('labels drift series with the detector name, keeping two detectors of one model apart', async () => {
    const registry = new Registry();
    const ks: DriftDetector = { name: 'ks', check: () => ({ pValue: 0.9 }) };
    const chi: DriftDetector = { name: 'chi square!', check: () => ({ pValue: 0.01, driftDetected: 1 }) };
    const a = new PrometheusModel(doubler(), { registry, name: 'm', drift: ks });
    const b = new PrometheusModel(doubler(), { registry, name: 'm', drift: chi });
    a.predict([1]);
    b.predict([1]);
    await Promise.all([a.prometheus.drain(), b.prometheus.drain()]);
    const lines = (await registry.metrics())
      .split('\n')
      .filter((l) => l.startsWith('gangplank_predict_drift_p_value{'));
    expect(lines).toEqual([
      'gangplank_predict_drift_p_value{model="m",version="",detector="ks"} 0.9',
      'gangplank_predict_drift_p_value{model="m",version="",detector="chi_square_"} 0.01',
    ]);
    expect(await sampleValue(registry, 'gangplank_predict_total', { model: 'm' })).toBe(2);
  });
});
