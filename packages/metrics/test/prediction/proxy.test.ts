import { inspect } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { register as globalRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrometheusModel } from '../../src/index.js';
import { deferred } from './support.js';

/** Reads one sample's value from a registry's JSON form. */
async function sample(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const families = await registry.getMetricsAsJSON();
  const family = families.find((f) => f.name === name);
  const values = (family?.values ?? []) as {
    value: number;
    labels: Record<string, unknown>;
    metricName?: string;
  }[];
  const hit = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  if (hit === undefined) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return hit.value;
}

class Scaler {
  readonly #factor: number;
  label = 'scaler';
  constructor(factor: number) {
    this.#factor = factor;
  }
  predict(x: number[]): number[] {
    return x.map((v) => v * this.#factor);
  }
  describe(): string {
    return `${this.label} x${this.#factor}`;
  }
}

describe('PrometheusModel as a proxy', () => {
  it('answers like the model: properties, writes, private fields, prototype', () => {
    const model = new PrometheusModel(new Scaler(2));
    expect(model.predict([1, 2])).toEqual([2, 4]);
    expect(model.describe()).toBe('scaler x2');
    model.label = 'renamed';
    expect(model.prometheus.target).toBeInstanceOf(Scaler);
    expect((model.prometheus.target as Scaler).label).toBe('renamed');
    expect(model.describe()).toBe('renamed x2');
    expect(model).toBeInstanceOf(Scaler);
    expect(model).toBeInstanceOf(PrometheusModel);
    expect(new Scaler(1)).not.toBeInstanceOf(PrometheusModel);
    expect(model.constructor).toBe(Scaler);
    const first: unknown = Reflect.get(model, 'describe');
    expect(Reflect.get(model, 'describe')).toBe(first);
    expect('predict' in model && 'prometheus' in model).toBe(true);
    expect(Object.keys(model)).toEqual(['label']);
    expect(inspect(model)).toContain('PrometheusModel(default)');
  });

  it('records into its own registry, never the global one', async () => {
    const before = (await globalRegistry.getMetricsAsJSON()).length;
    const model = new PrometheusModel(new Scaler(3));
    model.predict([1, 2, 3]);
    expect(model.prometheus.registry).not.toBe(globalRegistry);
    expect((await globalRegistry.getMetricsAsJSON()).length).toBe(before);
    expect(await sample(model.prometheus.registry, 'gangplank_predict_total', { model: 'default' })).toBe(3);
  });

  it('wraps a frozen plain-object model and a callable model', async () => {
    const frozen = new PrometheusModel(Object.freeze({ predict: (x: number[]) => x.length }));
    expect(frozen.predict([1, 2])).toBe(2);
    const fn = Object.assign((x: number[][]) => x.map((r) => r.length), { predict: (x: number[][]) => x });
    const callable = new PrometheusModel(fn, { name: 'fn' });
    expect(callable([[1], [2, 3]])).toEqual([1, 2]);
    expect(callable.call(undefined, [[1]])).toEqual([1]);
    expect(typeof callable).toBe('function');
    expect(callable.prometheus.instrumented).toEqual({ predict: ['predict'], call: ['call'] });
    const r = callable.prometheus.registry;
    expect(await sample(r, 'gangplank_predict_call_total', { model: 'fn' })).toBe(3);
    expect(await sample(r, 'gangplank_predict_latency_seconds', { method: 'call', le: '+Inf' })).toBe(2);
  });

  it('records async predictions when they settle, with in-flight calls while pending', async () => {
    const pending = deferred<number[][]>();
    const model = new PrometheusModel({ predict: (_x: unknown) => pending.promise });
    const r = model.prometheus.registry;
    const result = model.predict('batch');
    expect(await sample(r, 'gangplank_predict_in_flight')).toBe(1);
    expect(await sample(r, 'gangplank_predict_total')).toBe(0);
    pending.resolve([[1], [2], [3], [4]]);
    expect(await result).toEqual([[1], [2], [3], [4]]);
    expect(await sample(r, 'gangplank_predict_in_flight')).toBe(0);
    expect(await sample(r, 'gangplank_predict_total')).toBe(4);
  });

  it('counts errors by class, rethrows them unchanged, and caps the classes', async () => {
    class ShapeMismatchError extends Error {}
    const thrown = new ShapeMismatchError('bad shape');
    const model = new PrometheusModel({
      predict(x: string): unknown {
        if (x === 'sync') throw thrown;
        if (x === 'async') return Promise.reject(new TypeError('nope'));
        if (x === 'string') throw 'a string'; // eslint-disable-line @typescript-eslint/only-throw-error
        // A new class name per call: the registry must not grow without bound.
        const Dynamic = { [x]: class extends Error {} }[x]!;
        throw new Dynamic();
      },
    });
    expect(() => model.predict('sync')).toThrow(thrown);
    await expect(model.predict('async') as Promise<unknown>).rejects.toThrow('nope');
    expect(() => model.predict('string')).toThrow();
    for (let i = 0; i < 50; i++) expect(() => model.predict(`Generated${i}`)).toThrow();
    const r = model.prometheus.registry;
    expect(await sample(r, 'gangplank_predict_errors_total', { error: 'ShapeMismatchError' })).toBe(1);
    expect(await sample(r, 'gangplank_predict_errors_total', { error: 'TypeError' })).toBe(1);
    expect(await sample(r, 'gangplank_predict_errors_total', { error: 'NonError' })).toBe(1);
    const errors = (await r.getMetricsAsJSON()).find((f) => f.name === 'gangplank_predict_errors_total')!;
    expect(errors.values.length).toBe(33); // 32 classes, then "other"
    expect(await sample(r, 'gangplank_predict_errors_total', { error: 'other' })).toBe(50 + 3 - 32);
    expect(await sample(r, 'gangplank_predict_total')).toBe(0);
    expect(await sample(r, 'gangplank_predict_latency_seconds', { le: '+Inf' })).toBe(53);
    expect(await sample(r, 'gangplank_predict_in_flight')).toBe(0);
  });

  it('instruments an onnxruntime-like session through predictMethods', async () => {
    const session = {
      inputNames: ['x'],
      run: (feeds: Record<string, { dims: number[] }>) =>
        Promise.resolve({ logits: { dims: [feeds['x']!.dims[0]!, 10], data: new Float32Array(10) } }),
    };
    expect(() => new PrometheusModel(session)).toThrow(/predictMethods.*\['run'\]/);
    const model = new PrometheusModel(session, { predictMethods: ['run'] });
    await model.run({ x: { dims: [6, 784] } });
    expect(model.inputNames).toEqual(['x']);
    expect(await sample(model.prometheus.registry, 'gangplank_predict_total')).toBe(6);
  });

  it('rejects bad input with actionable errors', () => {
    expect(() => new PrometheusModel({ predict: () => 1 }, { name: '' })).toThrow(/name must be a non-empty/);
    expect(() => new PrometheusModel({ predict: () => 1 }, { port: 70000 })).toThrow(
      /port must be an integer/,
    );
    expect(() => new PrometheusModel({ predict: () => 1 }, { driftBacklog: 0 })).toThrow(/driftBacklog/);
    expect(() => new PrometheusModel({ predict: () => 1 }, { drift: {} as never })).toThrow(/check\(x, y\)/);
    const wrapped = new PrometheusModel({ predict: () => 1 });
    expect(() => new PrometheusModel(wrapped)).toThrow(/already a PrometheusModel/);
  });
});

describe('PrometheusModel around TF.js', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('proxies a multi-output LayersModel: instanceof, samples per batch, apply as __call__', async () => {
    const input = tfl.input({ shape: [4] });
    const a = tfl.layers.dense({ units: 3, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 1, name: 'b' }).apply(input) as tfl.SymbolicTensor;
    const raw = tfl.model({ inputs: input, outputs: [a, b] });
    const model = new PrometheusModel(raw, { name: 'two-heads' });
    expect(model).toBeInstanceOf(tfl.LayersModel);
    expect(model.outputs.length).toBe(2);
    expect(model.countParams()).toBe(raw.countParams());
    const x = tf.ones([8, 4]);
    const y = model.predict(x) as tf.Tensor[];
    expect(y.map((t) => t.shape)).toEqual([
      [8, 3],
      [8, 1],
    ]);
    const z = model.apply(tf.ones([5, 4])) as tf.Tensor[];
    expect(z[0]!.shape).toEqual([5, 3]);
    const r = model.prometheus.registry;
    // Gangplank's len(y) would count 2 (outputs); the batch is 8.
    expect(await sample(r, 'gangplank_predict_total')).toBe(8);
    expect(await sample(r, 'gangplank_predict_call_total')).toBe(5);
    expect(await sample(r, 'gangplank_predict_batch_size', { method: 'predict', le: '8' })).toBe(1);
    tf.dispose([x, ...y, ...z]);
  });
});
