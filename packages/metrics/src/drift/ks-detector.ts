import type { Drift, DriftDetector } from './drift.js';
import type { Correction, CorrectionResult } from './correction.js';
import { correct } from './correction.js';
import type { KsMethod } from './ks.js';
import { ksTwoSampleSorted } from './ks.js';
import type { Matrix } from './rows.js';
import { toMatrix } from './rows.js';
import type { WatchedData } from './watch.js';
import { pickWatched } from './watch.js';
import { fillOf, RowWindow, type WindowFill } from './window.js';

/** Options of {@link KsDetector}. */
export interface KsDetectorOptions<X = unknown, Y = unknown> {
  /**
   * Sliding window of the most recent samples that each check tests. 0 tests each batch on its own.
   * @default 500
   */
  readonly windowSize?: number;
  /** Fewest samples needed to test; below it `check` returns an empty `Drift`. @default 50 */
  readonly minSamples?: number;
  /** Significance level for the corrected batch decision. @default 0.05 */
  readonly pValue?: number;
  /** How per-feature p-values combine. @default 'bonferroni' */
  readonly correction?: Correction;
  /**
   * p-value method per feature (see `ksTwoSample`). alibi-detect's `KSDrift` always uses `'asymp'`; the
   * default follows SciPy (exact while both samples hold ≤ 10,000 values).
   * @default 'auto'
   */
  readonly method?: KsMethod;
  /** @default 'outputs' */
  readonly watch?: WatchedData<X, Y>;
}

/** Per-feature details of the last test of a {@link KsDetector}. */
export interface KsDetectorResult extends CorrectionResult {
  readonly statistics: readonly number[];
  readonly pValues: readonly number[];
}

/**
 * Feature-wise two-sample Kolmogorov–Smirnov drift, pluggable into `PrometheusModel` as is (alibi-detect's
 * `KSDrift` with `drift_type='batch'`): each `check(x, y)` adds the watched rows to a sliding window and, once
 * it holds `minSamples`, tests every feature of the window against the same feature of the reference, then
 * combines the p-values with Bonferroni or Benjamini–Hochberg. It returns the smallest adjusted p-value, the
 * largest KS statistic and `driftDetected: 1` when the corrected test rejects (else 0).
 *
 * @example
 * ```ts
 * // Data drift on the inputs, against the training rows.
 * const drift = new KsDetector(trainRows, { watch: 'inputs', windowSize: 1000, correction: 'fdr' });
 * ```
 */
export class KsDetector<X = unknown, Y = unknown> implements DriftDetector<X, Y> {
  readonly name = 'ks';
  /** Number of features (columns) of the reference. */
  readonly features: number;
  private readonly sortedReference: Float64Array[];
  private readonly window: RowWindow;
  private readonly windowSize: number;
  private readonly minSamples: number;
  private readonly alpha: number;
  private readonly correction: Correction;
  private readonly method: KsMethod;
  private readonly watch: WatchedData<X, Y>;
  private lastBatch = 0;
  /** The last test's per-feature result, if any. */
  last: KsDetectorResult | undefined;

  /** @param reference - reference rows (n × features), e.g. the model's outputs on training data */
  constructor(reference: unknown, options: KsDetectorOptions<X, Y> = {}) {
    const ref = toMatrix(reference, 'KsDetector reference');
    if (ref.rows === 0) throw new RangeError('KsDetector: the reference is empty');
    this.features = ref.cols;
    this.sortedReference = [];
    for (let k = 0; k < ref.cols; k++) {
      const col = new Float64Array(ref.rows);
      for (let i = 0; i < ref.rows; i++) col[i] = ref.data[i * ref.cols + k]!;
      this.sortedReference.push(col.sort());
    }
    this.windowSize = options.windowSize ?? 500;
    this.minSamples = options.minSamples ?? 50;
    this.alpha = options.pValue ?? 0.05;
    this.correction = options.correction ?? 'bonferroni';
    this.method = options.method ?? 'auto';
    this.watch = options.watch ?? 'outputs';
    if (!Number.isInteger(this.windowSize) || this.windowSize < 0) {
      throw new RangeError(`KsDetector: windowSize must be an integer ≥ 0, got ${this.windowSize}`);
    }
    if (!Number.isInteger(this.minSamples) || this.minSamples < 1) {
      throw new RangeError(`KsDetector: minSamples must be a positive integer, got ${this.minSamples}`);
    }
    if (this.windowSize > 0 && this.minSamples > this.windowSize) {
      throw new RangeError(`KsDetector: minSamples ${this.minSamples} exceeds windowSize ${this.windowSize}`);
    }
    if (!(this.alpha > 0 && this.alpha < 1)) throw new RangeError('KsDetector: pValue must lie in (0, 1)');
    if (this.correction !== 'bonferroni' && this.correction !== 'fdr') {
      throw new RangeError(
        `KsDetector: correction must be 'bonferroni' or 'fdr', got ${String(this.correction)}`,
      );
    }
    if (this.method !== 'auto' && this.method !== 'exact' && this.method !== 'asymp') {
      throw new RangeError(
        `KsDetector: method must be 'auto', 'exact' or 'asymp', got ${String(this.method)}`,
      );
    }
    this.window = new RowWindow(Math.max(1, this.windowSize), this.features);
  }

  check(x: X, y: Y): Drift {
    const batch = toMatrix(pickWatched(this.watch, x, y), 'KsDetector', this.features);
    this.lastBatch = batch.rows;
    let columns: (k: number) => Float64Array;
    let size: number;
    if (this.windowSize === 0) {
      columns = (k) => column(batch, k);
      size = batch.rows;
    } else {
      this.window.push(batch);
      columns = (k) => this.window.column(k);
      size = this.window.size;
    }
    if (size < this.minSamples) return {};
    const statistics: number[] = [];
    const pValues: number[] = [];
    for (let k = 0; k < this.features; k++) {
      const r = ksTwoSampleSorted(this.sortedReference[k]!, columns(k).sort(), this.method);
      statistics.push(r.statistic);
      pValues.push(r.pValue);
    }
    const corrected = correct(pValues, this.alpha, this.correction);
    this.last = { ...corrected, statistics, pValues };
    return {
      driftDetected: corrected.drift ? 1 : 0,
      pValue: corrected.pValue,
      testStatistic: Math.max(...statistics),
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
}

function column(m: Matrix, k: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + k]!;
  return out;
}
