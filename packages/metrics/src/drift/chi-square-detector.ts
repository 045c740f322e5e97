import type { Drift, DriftDetector } from './drift.js';
import { chiSquareGoodnessOfFit, chiSquareTwoSample } from './chi-square.js';
import type { ChiSquareResult } from './chi-square.js';
import type { Matrix } from './rows.js';
import { argmaxRows, toMatrix } from './rows.js';
import type { WatchedData } from './watch.js';
import { pickWatched } from './watch.js';
import { fillOf, LabelWindow, type WindowFill } from './window.js';

/** A category label: a class index or any string. */
export type Category = number | string;

/** Options of {@link ChiSquareDetector}. Give exactly one of `numClasses`, `expected` and `reference`. */
export interface ChiSquareDetectorOptions<X = unknown, Y = unknown> {
  /** Classes 0…k−1, expected uniform (Gangplank's chi-square example: 10 MNIST classes). */
  readonly numClasses?: number;
  /** Expected relative frequency of each class index (any positive scale; normalised internally). */
  readonly expected?: readonly number[];
  /**
   * A reference sample (labels, or rows categorised like the watched data): each test is then the 2×K
   * contingency test of reference counts against window counts over the union of categories.
   */
  readonly reference?: unknown;
  /**
   * Maps one row of the watched data to its category.
   * @default the index of the row's largest value (the predicted class); for one-column rows, the value itself
   */
  readonly categorize?: (row: Float64Array) => Category;
  /**
   * Sliding window of the most recent samples that each check tests. 0 tests each batch on its own, as
   * Gangplank's example does.
   * @default 500
   */
  readonly windowSize?: number;
  /**
   * Fewest samples needed to test; below it `check` returns an empty `Drift` (no metric touched). Gangplank's
   * example used 50: at least 5 expected per class for 10 classes.
   * @default 50
   */
  readonly minSamples?: number;
  /** Significance level: a check reports one drift incident when its p-value is below it. @default 0.05 */
  readonly pValue?: number;
  /** Yates' correction for the one-degree-of-freedom contingency test (reference mode). @default true */
  readonly correction?: boolean;
  /** @default 'outputs' */
  readonly watch?: WatchedData<X, Y>;
}

/**
 * Categorical drift by Pearson's chi-square test, pluggable into `PrometheusModel` as is: each `check(x, y)`
 * categorises the watched rows (by default the predicted class, argmax of each output row), adds them to a
 * sliding window and, once the window holds `minSamples`, tests it against the expected distribution
 * (goodness of fit) or a reference sample (contingency table). It returns the p-value, the statistic and
 * `driftDetected: 1` when `p < pValue` (else 0). Overlapping windows are tested at every check, so one
 * lasting shift is counted at every check while it lasts.
 *
 * @example
 * ```ts
 * // Gangplank's chi-square example: predicted MNIST classes against a uniform distribution.
 * const model = new PrometheusModel(tfModel, { drift: new ChiSquareDetector({ numClasses: 10 }) });
 * ```
 */
export class ChiSquareDetector<X = unknown, Y = unknown> implements DriftDetector<X, Y> {
  readonly name = 'chi_square';
  private readonly window: LabelWindow<Category>;
  private readonly expected: Float64Array | undefined;
  private readonly reference: readonly Category[] | undefined;
  private readonly categorize: ((row: Float64Array) => Category) | undefined;
  private readonly minSamples: number;
  private readonly alpha: number;
  private readonly correction: boolean;
  private readonly watch: WatchedData<X, Y>;
  private readonly windowSize: number;
  private lastBatch = 0;
  /** The last test's result, if any. */
  last: ChiSquareResult | undefined;

  constructor(options: ChiSquareDetectorOptions<X, Y>) {
    const modes = [options.numClasses, options.expected, options.reference].filter(
      (v) => v !== undefined,
    ).length;
    if (modes !== 1) {
      throw new TypeError('ChiSquareDetector: give exactly one of numClasses, expected and reference');
    }
    this.windowSize = options.windowSize ?? 500;
    this.minSamples = options.minSamples ?? 50;
    this.alpha = options.pValue ?? 0.05;
    this.correction = options.correction ?? true;
    this.watch = options.watch ?? 'outputs';
    this.categorize = options.categorize;
    if (!Number.isInteger(this.windowSize) || this.windowSize < 0) {
      throw new RangeError(`ChiSquareDetector: windowSize must be an integer ≥ 0, got ${this.windowSize}`);
    }
    if (!Number.isInteger(this.minSamples) || this.minSamples < 1) {
      throw new RangeError(
        `ChiSquareDetector: minSamples must be a positive integer, got ${this.minSamples}`,
      );
    }
    if (this.windowSize > 0 && this.minSamples > this.windowSize) {
      throw new RangeError(
        `ChiSquareDetector: minSamples ${this.minSamples} exceeds windowSize ${this.windowSize}`,
      );
    }
    if (!(this.alpha > 0 && this.alpha < 1))
      throw new RangeError(`ChiSquareDetector: pValue must lie in (0, 1)`);
    this.window = new LabelWindow(Math.max(1, this.windowSize));
    if (options.numClasses !== undefined) {
      const k = options.numClasses;
      if (!Number.isInteger(k) || k < 2)
        throw new RangeError(`ChiSquareDetector: numClasses must be an integer ≥ 2, got ${k}`);
      this.expected = new Float64Array(k).fill(1 / k);
    } else if (options.expected !== undefined) {
      const e = options.expected;
      if (e.length < 2) throw new RangeError('ChiSquareDetector: expected needs at least 2 classes');
      let sum = 0;
      for (const v of e) {
        if (!(v > 0) || !Number.isFinite(v)) {
          throw new RangeError(`ChiSquareDetector: expected frequencies must be finite and > 0, got ${v}`);
        }
        sum += v;
      }
      this.expected = Float64Array.from(e, (v) => v / sum);
    } else {
      const ref = options.reference;
      this.reference = this.toLabels(ref, 'ChiSquareDetector reference');
      if (this.reference.length === 0)
        throw new RangeError('ChiSquareDetector: the reference sample is empty');
    }
  }

  check(x: X, y: Y): Drift {
    const data = pickWatched(this.watch, x, y);
    const labels = this.toLabels(data, 'ChiSquareDetector');
    // Checked before the window takes them: one bad batch must not poison every later check.
    if (this.expected !== undefined) for (const c of labels) this.checkClass(c);
    this.lastBatch = labels.length;
    let sample: readonly Category[];
    if (this.windowSize === 0) {
      sample = labels;
    } else {
      this.window.push(labels);
      sample = this.window.values();
    }
    if (sample.length < this.minSamples) return {};
    const result =
      this.expected === undefined
        ? chiSquareTwoSample(this.reference!, sample, { correction: this.correction })
        : this.goodnessOfFit(sample);
    this.last = result;
    return {
      driftDetected: result.pValue < this.alpha ? 1 : 0,
      pValue: result.pValue,
      testStatistic: result.statistic,
    };
  }

  windowFill(): WindowFill {
    return fillOf(this.window, this.windowSize, this.lastBatch);
  }

  /** Empties the window. */
  reset(): void {
    this.window.clear();
    this.last = undefined;
  }

  private goodnessOfFit(sample: readonly Category[]): ChiSquareResult {
    const expected = this.expected!;
    const observed = new Float64Array(expected.length);
    for (const c of sample) observed[c as number]!++;
    const n = sample.length;
    return chiSquareGoodnessOfFit(observed, { expected: expected.map((p) => p * n) });
  }

  private checkClass(c: Category): void {
    const k = this.expected!.length;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k) {
      throw new RangeError(`ChiSquareDetector: category ${String(c)} is not a class index in 0…${k - 1}`);
    }
  }

  /** String labels are taken as they are; anything else is read as rows and categorised. */
  private toLabels(data: unknown, name: string): readonly Category[] {
    if (isLabelArray(data) && data.some((v) => typeof v === 'string')) return data;
    return this.labels(toMatrix(data, name));
  }

  private labels(m: Matrix): Category[] {
    const out: Category[] = new Array<Category>(m.rows);
    if (this.categorize !== undefined) {
      for (let i = 0; i < m.rows; i++)
        out[i] = this.categorize(m.data.subarray(i * m.cols, (i + 1) * m.cols));
      return out;
    }
    if (m.cols === 1) {
      for (let i = 0; i < m.rows; i++) out[i] = m.data[i]!;
      return out;
    }
    const arg = argmaxRows(m);
    for (let i = 0; i < m.rows; i++) out[i] = arg[i]!;
    return out;
  }
}

function isLabelArray(v: unknown): v is readonly Category[] {
  return Array.isArray(v) && v.every((e) => typeof e === 'number' || typeof e === 'string');
}
