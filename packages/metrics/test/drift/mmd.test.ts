import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { medianHeuristicSigma, mmd2Unbiased, squaredDistance } from '../../src/drift/kernel.js';
import { crossKernel, MAX_UNROLLED, pairKernel } from '../../src/drift/kernel-loops.js';
import { heldOut, HeldOutScratch, kernelSums, slidingMmd } from '../../src/drift/mmd-calibration.js';
import { OnlineMmd } from '../../src/drift/mmd-online.js';
import type { OnlineMmdState } from '../../src/drift/mmd-online.js';
import { MmdDriftDetector } from '../../src/drift/mmd-detector.js';
import { seededRandom, shuffleTail } from '../../src/drift/random.js';
import type { Matrix } from '../../src/drift/rows.js';
import { gaussianMatrix, row, rowsOf } from './support.js';

const misc = JSON.parse(readFileSync(new URL('../fixtures/drift/misc.json', import.meta.url), 'utf8')) as {
  mmd: { x: number[][]; y: number[][]; sigma: number; mmd2: number }[];
};

function matrix(rows: number[][]): Matrix {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0]!.length };
}

function pick(m: Matrix, indices: ArrayLike<number>): Matrix {
  const data = new Float64Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) data.set(row(m, indices[i]!), i * m.cols);
  return { data, rows: indices.length, cols: m.cols };
}

describe('MMD² and the median heuristic', () => {
  it('matches the reference vector (§E.6)', () => {
    for (const c of misc.mmd) {
      const got = mmd2Unbiased(matrix(c.x), matrix(c.y), c.sigma);
      expect(Math.abs(got - c.mmd2)).toBeLessThan(1e-12);
    }
  });

  it('takes the lower median of the pairwise squared distances, as alibi-detect does', () => {
    const x = gaussianMatrix(seededRandom(3), 41, 3);
    // alibi: sort all n² entries (diagonal zeros included), take index n + (n² − n)//2 − 1.
    const all: number[] = [];
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < x.rows; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += (x.data[i * 3 + k]! - x.data[j * 3 + k]!) ** 2;
        all.push(s);
      }
    }
    all.sort((a, b) => a - b);
    const n = x.rows;
    const median = all[n + Math.floor((n * n - n) / 2) - 1]!;
    expect(medianHeuristicSigma(x)).toBeCloseTo(Math.sqrt(median / 2), 14);
  });

  it('estimates the median on a seeded subsample above maxRows, close to the exact one', () => {
    const x = gaussianMatrix(seededRandom(4), 2500, 4);
    const exact = medianHeuristicSigma(x);
    const a = medianHeuristicSigma(x, { maxRows: 800, random: seededRandom(9) });
    const b = medianHeuristicSigma(x, { maxRows: 800, random: seededRandom(9) });
    expect(a).toBe(b);
    expect(Math.abs(a / exact - 1)).toBeLessThan(0.02);
  });
});

describe('bootstrap sums', () => {
  it('derives every window statistic from row sums and the held-out block, equal to the direct MMD²', () => {
    const x = gaussianMatrix(seededRandom(5), 60, 3);
    const sigma = 1.3;
    const gamma = 1 / (2 * sigma * sigma);
    const W = 4;
    const L = 2 * W - 1;
    const sums = kernelSums(x, gamma);
    const indices = Int32Array.from({ length: x.rows }, (_, i) => i);
    shuffleTail(indices, L, seededRandom(6));
    const held = heldOut(x, sums, gamma, indices, new HeldOutScratch(L, x.cols));
    const ref = pick(x, indices.subarray(0, x.rows - L));
    const got: number[] = [];
    slidingMmd(held, L, W, x.rows - L, W, (_, v) => got.push(v));
    for (let w = 0; w < W; w++) {
      const window = pick(x, indices.subarray(x.rows - L + w, x.rows - L + w + W));
      expect(got[w]).toBeCloseTo(mmd2Unbiased(ref, window, sigma), 12);
    }
  });
});

describe('OnlineMmd', () => {
  const reference = gaussianMatrix(seededRandom(11), 300, 4);
  const options = { ert: 20, windowSize: 6, nBootstraps: 300 };

  it('keeps the incremental statistic equal to the direct MMD² of the window, across resets', () => {
    const mmd = new OnlineMmd(reference, { ...options, random: seededRandom(1) });
    const stream = gaussianMatrix(seededRandom(12), 40, 4, 0.5);
    const sub = mmd.subReference();
    for (let i = 0; i < stream.rows; i++) {
      if (i === 25) mmd.reset();
      const step = mmd.update(row(stream, i));
      const t = i < 25 ? i + 1 : i - 24;
      expect(step.time).toBe(t);
      expect(step.threshold).toBe(mmd.thresholds[Math.min(t, options.windowSize - 1)]);
      if (t >= options.windowSize) {
        const window = { data: stream.data.slice((i - 5) * 4, (i + 1) * 4), rows: 6, cols: 4 };
        expect(step.statistic).toBeCloseTo(mmd2Unbiased(sub, window, mmd.sigma), 12);
      }
    }
  });

  it('is reproducible with a seeded random source', () => {
    const a = new OnlineMmd(reference, { ...options, random: seededRandom(7) });
    const b = new OnlineMmd(reference, { ...options, random: seededRandom(7) });
    expect(Array.from(a.thresholds)).toEqual(Array.from(b.thresholds));
    expect(a.update([1, 2, 3, 4])).toEqual(b.update([1, 2, 3, 4]));
  });

  it('saves its calibration as JSON and restores it without calibrating again', () => {
    const mmd = new OnlineMmd(reference, { ...options, random: seededRandom(3) });
    const restored = new OnlineMmd(JSON.parse(JSON.stringify(mmd.toState())) as OnlineMmdState);
    expect(Array.from(restored.thresholds)).toEqual(Array.from(mmd.thresholds));
    expect(restored.sigma).toBe(mmd.sigma);
    const stream = gaussianMatrix(seededRandom(13), 10, 4);
    for (let i = 0; i < stream.rows; i++) {
      const a = mmd.update(row(stream, i));
      const b = restored.update(row(stream, i));
      expect(b.statistic).toBeCloseTo(a.statistic, 14);
      expect(b.isDrift).toBe(a.isDrift);
    }
    const detector = new MmdDriftDetector(restored, { resetOnDrift: false });
    expect(detector.check(undefined, [[0, 0, 0, 0]]).driftDetected).toBeTypeOf('number');
    const state = mmd.toState();
    expect(() => new OnlineMmd({ ...state, thresholds: [1] })).toThrow(/invalid saved state \(thresholds\)/);
    expect(() => new OnlineMmd({ ...state, reference: [...state.reference.slice(1), Number.NaN] })).toThrow(
      /non-finite/,
    );
  });

  it('calibrates asynchronously to the same result, giving the event loop turns', async () => {
    const big = gaussianMatrix(seededRandom(21), 2500, 3);
    const opts = { ert: 20, windowSize: 6, nBootstraps: 300 };
    const sync = new OnlineMmd(big, { ...opts, random: seededRandom(5) });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const created = await OnlineMmd.create(big, { ...opts, random: seededRandom(5) });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(Array.from(created.thresholds)).toEqual(Array.from(sync.thresholds));
    expect(created.toState()).toEqual(sync.toState());
    const detector = await MmdDriftDetector.create(big, { ...opts, random: seededRandom(5) });
    expect(detector.mmd.toState()).toEqual(sync.toState());
  });

  it('rejects configurations it cannot calibrate, with advice', () => {
    expect(() => new OnlineMmd(reference, { ert: 200, windowSize: 20, nBootstraps: 100 })).toThrow(
      /use more bootstraps/,
    );
    expect(() => new OnlineMmd(reference, { ert: 20, windowSize: 200 })).toThrow(/needs more than 400/);
    expect(() => new OnlineMmd(reference, { ert: 1, windowSize: 5 })).toThrow(/ert must be/);
    const mmd = new OnlineMmd(reference, { ...options, random: seededRandom(1) });
    expect(() => mmd.update([1, 2, 3])).toThrow(/3 features, expected 4/);
    expect(() => mmd.update([1, 2, Number.NaN, 4])).toThrow(/NaN/);
    expect(mmd.time).toBe(0);
  });

  // alibi-detect's own validation (cd/pytorch/tests/test_mmd_online_pt.py): n = 400, d = 10, ERT 25, W 5, B 200.
  it("passes alibi-detect's validation: run length under H0 and delay under a mean shift", () => {
    const random = seededRandom(2024);
    const ert = 25;
    const ref = gaussianMatrix(random, 400, 10);
    const mmd = new OnlineMmd(ref, { ert, windowSize: 5, nBootstraps: 200, random });
    const runs = 30;
    const run = (shift: number): { time: number; meanStat: number } => {
      mmd.reset();
      let sum = 0;
      for (let t = 1; t <= 40 * ert; t++) {
        const step = mmd.update(row(gaussianMatrix(random, 1, 10, shift), 0));
        sum += step.statistic;
        if (step.isDrift) return { time: t, meanStat: sum / t };
      }
      return { time: 40 * ert, meanStat: sum / (40 * ert) };
    };
    const h0 = Array.from({ length: runs }, () => run(0));
    const h1 = Array.from({ length: runs }, () => run(1));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const h0Time = mean(h0.map((r) => r.time));
    const h1Time = mean(h1.map((r) => r.time));
    expect(h0Time).toBeGreaterThan(ert / 3);
    expect(h0Time).toBeLessThan(3 * ert);
    expect(h1Time).toBeLessThan(ert / 2);
    expect(mean(h1.map((r) => r.meanStat))).toBeGreaterThan(mean(h0.map((r) => r.meanStat)));
  });
});

describe('MmdDriftDetector', () => {
  const ert = 50;
  const random = seededRandom(77);
  const reference = gaussianMatrix(random, 1000, 5);
  const detector = new MmdDriftDetector(rowsOf(reference), {
    ert,
    windowSize: 10,
    nBootstraps: 2000,
    random,
  });

  it('detects about once per ERT steps under no drift (within a factor of two)', () => {
    detector.reset();
    const steps = 5000;
    let detected = 0;
    for (let s = 0; s < steps; s += 100) {
      detected += detector.check(undefined, rowsOf(gaussianMatrix(random, 100, 5))).driftDetected ?? 0;
    }
    const rate = detected / steps;
    expect(rate).toBeGreaterThan(0.5 / ert);
    expect(rate).toBeLessThan(2 / ert);
  });

  it('detects a clear mean shift within a few samples', () => {
    detector.reset();
    const shifted = gaussianMatrix(random, 20, 5, 1.5);
    let first = -1;
    for (let i = 0; i < shifted.rows && first < 0; i++) {
      if ((detector.check(undefined, [Array.from(row(shifted, i))]).driftDetected ?? 0) > 0) first = i + 1;
    }
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(10);
    // Under the shift, with a reset after each detection, most batches keep detecting.
    const drift = detector.check(undefined, rowsOf(gaussianMatrix(random, 200, 5, 1.5)));
    expect(drift.driftDetected).toBeGreaterThan(200 / ert);
  });

  it('accepts Float32Array rows and tensor-like objects, and reports its window fill', () => {
    detector.reset();
    expect(detector.windowFill()).toEqual({ size: 0, capacity: 10 });
    const rows = Array.from({ length: 4 }, () => Float32Array.from(row(gaussianMatrix(random, 1, 5), 0)));
    const a = detector.check(undefined, rows);
    expect(a.testStatistic).toBeTypeOf('number');
    const tensor = { arraySync: () => rows.map((r) => Array.from(r)) };
    detector.check(undefined, tensor);
    expect(detector.windowFill()).toEqual({ size: detector.mmd.time, capacity: 10 });
    expect(() => detector.check(undefined, [[1, 2]])).toThrow(/2 features, expected 5/);
    expect(detector.check(undefined, [])).toEqual({
      driftDetected: 0,
      testStatistic: detector.last!.statistic,
    });
  });

  it('watches the inputs when asked', () => {
    const onInputs = new MmdDriftDetector<number[][], unknown>(reference, {
      ert,
      windowSize: 10,
      nBootstraps: 2000,
      random: seededRandom(1),
      watch: 'inputs',
    });
    expect(onInputs.check(rowsOf(gaussianMatrix(random, 3, 5)), 'ignored').testStatistic).toBeTypeOf(
      'number',
    );
  });
});

describe('specialised kernel loops', () => {
  it('give the same sums as the plain loops, above and below the unrolling limit', () => {
    for (const d of [1, 3, 10, MAX_UNROLLED, MAX_UNROLLED + 3]) {
      const x = gaussianMatrix(seededRandom(d), 30, d);
      const gamma = 0.7 / d;
      const sums = new Float64Array(30);
      const block = new Float64Array(900);
      pairKernel(d)(x.data, 30, gamma, sums, block);
      for (let i = 0; i < 30; i++) {
        let want = 0;
        for (let j = 0; j < 30; j++) {
          if (j === i) continue;
          const kv = Math.exp(-gamma * squaredDistance(x.data, i, x.data, j, d));
          want += kv;
          expect(block[i * 30 + j]).toBeCloseTo(kv, 14);
        }
        expect(sums[i]).toBeCloseTo(want, 12);
      }
      const probe = row(x, 4);
      let cross = 0;
      for (let i = 0; i < 30; i++) cross += Math.exp(-gamma * squaredDistance(x.data, i, probe, 0, d));
      expect(crossKernel(d)(x.data, 30, probe, gamma)).toBeCloseTo(cross, 12);
    }
  });
});
