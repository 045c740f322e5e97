import { readFileSync } from 'node:fs';
import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { chiSquareGoodnessOfFit, chiSquareTwoSample } from '../../src/drift/chi-square.js';
import { ChiSquareDetector } from '../../src/drift/chi-square-detector.js';
import { benjaminiHochberg, bonferroni } from '../../src/drift/correction.js';
import type { DriftDetector } from '../../src/drift/drift.js';
import { KsDetector } from '../../src/drift/ks-detector.js';
import { ksTwoSample } from '../../src/drift/ks.js';
import { MmdDriftDetector } from '../../src/drift/mmd-detector.js';
import { seededRandom } from '../../src/drift/random.js';
import { PrometheusModel } from '../../src/index.js';
import { gaussianMatrix, rowsOf } from './support.js';

/** One-hot-ish softmax rows whose argmax is `cls`. */
function predictions(classes: number[], k = 10): number[][] {
  return classes.map((c) => Array.from({ length: k }, (_, i) => (i === c ? 0.9 : 0.1 / (k - 1))));
}

function uniformClasses(random: () => number, n: number, k = 10): number[] {
  return Array.from({ length: n }, () => Math.floor(random() * k));
}

describe('Bonferroni and Benjamini–Hochberg', () => {
  const fdr = (
    JSON.parse(readFileSync(new URL('../fixtures/drift/misc.json', import.meta.url), 'utf8')) as {
      fdr: { pValues: number[]; adjusted: number[] }[];
    }
  ).fdr;

  it("adjusts p-values as SciPy's false_discovery_control does", () => {
    for (const c of fdr) {
      const r = benjaminiHochberg(c.pValues, 0.05);
      r.adjusted.forEach((v, i) => expect(v).toBeCloseTo(c.adjusted[i]!, 14));
    }
  });

  it('decides as alibi-detect: any p below alpha/n (Bonferroni) or below alpha·i/n at rank i (BH)', () => {
    const p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.5];
    expect(bonferroni(p, 0.05)).toMatchObject({ drift: true, threshold: 0.05 / 6, pValue: 0.03 });
    expect(bonferroni([0.01, 0.2], 0.01)).toMatchObject({ drift: false, pValue: 0.02 });
    // Sorted: 0.005 < 0.05/6, 0.01 < 0.1/6, 0.03 ≥ 0.15/6, 0.04 ≥ 0.2/6: the largest rejected rank is 2.
    expect(benjaminiHochberg(p, 0.05)).toMatchObject({ drift: true, threshold: 0.1 / 6 });
    expect(benjaminiHochberg([0.9, 0.8], 0.05)).toMatchObject({ drift: false, threshold: 0.025 });
    expect(() => bonferroni([0.5, 1.5], 0.05)).toThrow(/not in \[0, 1\]/);
    expect(() => benjaminiHochberg([], 0.05)).toThrow(/no p-values/);
  });
});

describe('ChiSquareDetector', () => {
  it("returns nothing below minSamples (Gangplank's guard of 50), then tests the window", () => {
    const det = new ChiSquareDetector({ numClasses: 10, windowSize: 0 });
    const random = seededRandom(1);
    expect(det.check(undefined, predictions(uniformClasses(random, 49)))).toEqual({});
    const classes = uniformClasses(random, 200);
    const drift = det.check(undefined, predictions(classes));
    const counts = Array.from({ length: 10 }, (_, c) => classes.filter((v) => v === c).length);
    const want = chiSquareGoodnessOfFit(counts);
    expect(drift).toEqual({
      driftDetected: want.pValue < 0.05 ? 1 : 0,
      pValue: want.pValue,
      testStatistic: want.statistic,
    });
    expect(det.windowFill()).toEqual({ size: 200, capacity: 200 });
  });

  it('detects a class that disappears, with a far-tail p-value', () => {
    const det = new ChiSquareDetector({ numClasses: 10 });
    const random = seededRandom(2);
    const noZeros = uniformClasses(random, 500).map((c) => (c === 0 ? 1 + Math.floor(random() * 9) : c));
    const drift = det.check(undefined, predictions(noZeros));
    expect(drift.driftDetected).toBe(1);
    expect(drift.pValue).toBeGreaterThan(0);
    expect(drift.pValue).toBeLessThan(1e-8);
    expect(det.windowFill()).toEqual({ size: 500, capacity: 500 });
  });

  it('keeps a sliding window over checks', () => {
    const det = new ChiSquareDetector({ numClasses: 10, windowSize: 100, minSamples: 60 });
    const random = seededRandom(3);
    expect(det.check(undefined, predictions(uniformClasses(random, 40)))).toEqual({});
    expect(det.windowFill()).toEqual({ size: 40, capacity: 100 });
    expect(det.check(undefined, predictions(uniformClasses(random, 40))).pValue).toBeTypeOf('number');
    // The window now holds only the last 100 of 130 samples: 30 old ones and 100 of class 3 would not fit.
    const drift = det.check(undefined, predictions(new Array<number>(100).fill(3)));
    expect(det.windowFill()).toEqual({ size: 100, capacity: 100 });
    expect(drift.testStatistic).toBeCloseTo(
      chiSquareGoodnessOfFit([0, 0, 0, 100, 0, 0, 0, 0, 0, 0]).statistic,
      10,
    );
  });

  it('compares with a reference sample through the 2×K contingency table', () => {
    const random = seededRandom(4);
    const refClasses = uniformClasses(random, 300, 4);
    const det = new ChiSquareDetector({ reference: predictions(refClasses, 4), minSamples: 10 });
    const batch = uniformClasses(random, 80, 4);
    const drift = det.check(undefined, predictions(batch, 4));
    expect(drift.pValue).toBeCloseTo(chiSquareTwoSample(refClasses, batch).pValue, 14);
    const labels = new ChiSquareDetector({
      reference: ['cat', 'dog', 'dog'],
      minSamples: 2,
      watch: 'inputs',
    });
    expect(labels.check(['dog', 'dog', 'cat', 'bird'], undefined).pValue).toBeTypeOf('number');
  });

  it('accepts Float32Array rows, tensor-like objects, labels and a custom categorize', () => {
    const det = new ChiSquareDetector({ numClasses: 3, minSamples: 3, windowSize: 0 });
    const rows = [
      Float32Array.of(0.1, 0.8, 0.1),
      Float32Array.of(0.7, 0.2, 0.1),
      Float32Array.of(0.1, 0.1, 0.8),
    ];
    const a = det.check(undefined, rows);
    expect(a).toMatchObject({ testStatistic: 0, pValue: 1, driftDetected: 0 });
    expect(det.check(undefined, { arraySync: () => rows.map((r) => Array.from(r)) })).toEqual(a);
    expect(det.check(undefined, [0, 1, 2])).toEqual(a);
    const binary = new ChiSquareDetector({
      numClasses: 2,
      minSamples: 4,
      windowSize: 0,
      categorize: (r) => (r[0]! >= 0.5 ? 1 : 0),
    });
    expect(binary.check(undefined, [[0.9], [0.8], [0.1], [0.2]])).toMatchObject({ testStatistic: 0 });
  });

  it('rejects bad options and bad input with clear errors', () => {
    expect(() => new ChiSquareDetector({})).toThrow(/exactly one of/);
    expect(() => new ChiSquareDetector({ numClasses: 10, expected: [1, 2] })).toThrow(/exactly one of/);
    expect(() => new ChiSquareDetector({ expected: [1, 0] })).toThrow(/> 0/);
    expect(() => new ChiSquareDetector({ numClasses: 10, minSamples: 600 })).toThrow(/exceeds windowSize/);
    const det = new ChiSquareDetector({ numClasses: 3, minSamples: 1, windowSize: 0 });
    expect(() => det.check(undefined, [7])).toThrow(/not a class index in 0…2/);
    const sliding = new ChiSquareDetector({ numClasses: 3, minSamples: 2 });
    expect(() => sliding.check(undefined, [0, 1, 9])).toThrow(/not a class index/);
    expect(sliding.windowFill().size).toBe(0);
    expect(sliding.check(undefined, [0, 1, 2]).pValue).toBe(1);
    expect(() => det.check(undefined, [[0.1, 0.2], [0.3]])).toThrow(/ragged/);
    expect(() => det.check(undefined, [[0.1, Number.NaN]])).toThrow(/finite/);
    expect(() => det.check(undefined, 'oops')).toThrow(TypeError);
  });
});

describe('KsDetector', () => {
  const random = seededRandom(5);
  const reference = gaussianMatrix(random, 400, 3);

  it('tests each feature against the reference and combines with Bonferroni', () => {
    const det = new KsDetector(rowsOf(reference), { windowSize: 0, minSamples: 20 });
    const batch = gaussianMatrix(random, 60, 3);
    const drift = det.check(undefined, rowsOf(batch));
    const col = (m: typeof batch, k: number) => Array.from({ length: m.rows }, (_, i) => m.data[i * 3 + k]!);
    const per = [0, 1, 2].map((k) => ksTwoSample(col(reference, k), col(batch, k)));
    expect(det.last!.pValues).toEqual(per.map((r) => r.pValue));
    expect(drift.pValue).toBe(Math.min(1, 3 * Math.min(...per.map((r) => r.pValue))));
    expect(drift.testStatistic).toBe(Math.max(...per.map((r) => r.statistic)));
  });

  it('detects a shift in one feature, with either correction', () => {
    for (const correction of ['bonferroni', 'fdr'] as const) {
      const det = new KsDetector(reference, { correction, minSamples: 50 });
      const batch = gaussianMatrix(random, 100, 3);
      for (let i = 0; i < batch.rows; i++) batch.data[i * 3 + 1]! += 1;
      const drift = det.check(undefined, batch);
      expect(drift.driftDetected).toBe(1);
      expect(det.last!.pValues[1]).toBeLessThan(1e-6);
      expect(det.windowFill()).toEqual({ size: 100, capacity: 500 });
    }
  });

  it('stays quiet under no drift most of the time', () => {
    const det = new KsDetector(reference, { windowSize: 0, minSamples: 50 });
    let detected = 0;
    for (let i = 0; i < 100; i++)
      detected += det.check(undefined, gaussianMatrix(random, 50, 3)).driftDetected ?? 0;
    expect(detected).toBeLessThanOrEqual(15);
  });

  it('rejects rows of the wrong width and bad options', () => {
    const det = new KsDetector(reference, { minSamples: 1 });
    expect(() => det.check(undefined, [[1, 2]])).toThrow(/2 features, expected 3/);
    expect(() => new KsDetector(reference, { correction: 'holm' as 'fdr' })).toThrow(/correction/);
    expect(() => new KsDetector([], {})).toThrow(/empty/);
  });
});

describe('plugging into PrometheusModel with no glue code', () => {
  async function gauge(registry: Registry, name: string): Promise<number> {
    const family = (await registry.getMetricsAsJSON()).find((f) => f.name === name);
    return family!.values[0]!.value;
  }

  it('records what each detector returns', async () => {
    const random = seededRandom(6);
    const softmax = { predict: (x: number[][]) => predictions(x.map((r) => r[0]!)) };
    const detectors: DriftDetector<number[][], number[][]>[] = [
      new ChiSquareDetector({ numClasses: 10 }),
      new KsDetector(predictions(uniformClasses(random, 300))),
      new MmdDriftDetector(predictions(uniformClasses(random, 300)), {
        ert: 20,
        windowSize: 5,
        nBootstraps: 200,
        random,
      }),
    ];
    for (const detector of detectors) {
      const model = new PrometheusModel(softmax, { drift: detector });
      model.predict(uniformClasses(random, 100).map((c) => [c]));
      model.predict(new Array<number>(100).fill(0).map((c) => [c]));
      await model.prometheus.drain();
      const r = model.prometheus.registry;
      expect(await gauge(r, 'gangplank_predict_drift_checks_total')).toBe(2);
      expect(await gauge(r, 'gangplank_predict_drift_detected_total')).toBeGreaterThanOrEqual(1);
      expect(await gauge(r, 'gangplank_predict_drift_test_statistic')).not.toBeNaN();
      await model.prometheus.close();
    }
  });
});
