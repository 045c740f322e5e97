import { medianHeuristicSigma } from './kernel.js';
import type { CrossKernel } from './kernel-loops.js';
import { crossKernel, pairKernel } from './kernel-loops.js';
import {
  bootstrapThresholdsSteps,
  heldOut,
  HeldOutScratch,
  kernelSumsSteps,
  runToEnd,
} from './mmd-calibration.js';
import type { Random } from './random.js';
import { shuffleTail } from './random.js';
import type { Matrix } from './rows.js';

/** Options of {@link OnlineMmd}. */
export interface OnlineMmdOptions {
  /**
   * Expected run time under no drift: the mean number of steps before a false detection (alibi-detect's
   * `ert`; the per-step false positive rate is 1/ERT). Must exceed 1.
   */
  readonly ert: number;
  /**
   * Sliding window size W: small windows react fast to severe drift, large ones detect slight drift. The
   * reference must have more than 2W − 1 rows (2W − 1 are held out from the sub-reference).
   */
  readonly windowSize: number;
  /**
   * Bootstrap samples for the thresholds; alibi-detect advises at least an order of magnitude more than the
   * ERT, and at least ERT must survive all W steps (about ERT/(1 − 1/ERT)^(W−1)).
   * @default 1000
   */
  readonly nBootstraps?: number;
  /** Kernel bandwidth σ of `exp(−‖x−y‖²/(2σ²))`. @default the median heuristic on the reference */
  readonly sigma?: number;
  /**
   * Rows on which the median heuristic is computed exactly; above it, on a seeded subsample of this size.
   * @default 3000
   */
  readonly medianMaxRows?: number;
  /** Randomness for the subsample, bootstraps and reference split. @default Math.random */
  readonly random?: Random;
}

/** Result of one {@link OnlineMmd.update}. */
export interface OnlineMmdStep {
  /** `statistic > threshold`. */
  readonly isDrift: boolean;
  /** Unbiased MMD² of the current window against the sub-reference. */
  readonly statistic: number;
  /** Threshold for this time step. */
  readonly threshold: number;
  /** Steps since construction or the last {@link OnlineMmd.reset} (1 for the first update). */
  readonly time: number;
}

/** How many updates between exact recomputations of the running window sums (bounds rounding drift). */
const REFRESH_EVERY = 1024;

/**
 * Online MMD drift detection, alibi-detect's `MMDDriftOnline` algorithm in pure TypeScript: the unbiased MMD²
 * between a sliding window of the last W samples and a fixed sub-reference, against per-step thresholds
 * calibrated by bootstrap for an expected run time.
 *
 * Construction calibrates (see {@link bootstrapThresholdsSteps}); with 20,000 × 10 reference rows, ERT 500,
 * W 200 and 5,000 bootstraps it takes seconds, not alibi-detect's 90 minutes (`bench/drift-mmd-calibration.ts`).
 * Each {@link update} then costs O(R·d) kernel work for the new sample against the R-row sub-reference plus
 * O(W·d) for the window, with no allocation.
 *
 * As in alibi-detect, the window initially holds W reference rows that are not in the sub-reference (the
 * split is redrawn until their MMD² lies below `thresholds[0]`), time t counts updates since the last reset,
 * and step t uses `thresholds[min(t, W−1)]`. Call {@link reset} after a detection to start a new run.
 */
export class OnlineMmd {
  /** Kernel bandwidth in use. */
  readonly sigma: number;
  /** Per-step thresholds, `thresholds[t]` for t = 0…W−1. */
  readonly thresholds: Float64Array;
  /** Rows of the sub-reference (n − (2W − 1)). */
  readonly referenceSize: number;
  readonly windowSize: number;
  readonly dimension: number;
  readonly ert: number;

  private readonly gamma: number;
  private readonly crossKernel: CrossKernel;
  private readonly reference: Float64Array;
  private readonly refTerm: number;
  private readonly initialWindow: Float64Array;
  private readonly initialBlock: Float64Array;
  private readonly initialCross: Float64Array;
  private readonly window: Float64Array;
  private readonly block: Float64Array;
  private readonly cross: Float64Array;
  private oldest = 0;
  private kyy = 0;
  private kxy = 0;
  private t = 0;
  private sinceRefresh = 0;

  /** Calibrates on `reference` (seconds for 20,000 rows). */
  constructor(reference: Matrix, options: OnlineMmdOptions);
  /** Restores a calibrated detector saved with {@link toState}, without calibrating again. */
  constructor(state: OnlineMmdState);
  constructor(source: Matrix | OnlineMmdState, options?: OnlineMmdOptions) {
    const state = isState(source) ? checkState(source) : runToEnd(calibration(source, options!));
    const W = state.windowSize;
    const d = state.dimension;
    this.sigma = state.sigma;
    this.gamma = 1 / (2 * state.sigma * state.sigma);
    this.crossKernel = crossKernel(d);
    this.windowSize = W;
    this.dimension = d;
    this.ert = state.ert;
    this.thresholds = Float64Array.from(state.thresholds);
    this.refTerm = state.refTerm;
    this.reference = Float64Array.from(state.reference);
    this.referenceSize = this.reference.length / d;
    this.initialWindow = Float64Array.from(state.initialWindow);
    // The initial window's kernel block and cross sums, computed directly: O(R·W·d), about 40 ms for R = 19,601,
    // W = 200, d = 10.
    this.initialBlock = new Float64Array(W * W);
    this.initialCross = new Float64Array(W);
    pairKernel(d)(this.initialWindow, W, this.gamma, new Float64Array(W), this.initialBlock);
    for (let a = 0; a < W; a++) {
      const row = this.initialWindow.subarray(a * d, a * d + d);
      this.initialCross[a] = this.crossKernel(this.reference, this.referenceSize, row, this.gamma);
    }
    this.window = new Float64Array(W * d);
    this.block = new Float64Array(W * W);
    this.cross = new Float64Array(W);
    this.reset();
  }

  /**
   * The calibrated detector as plain JSON-friendly data (the sub-reference included: R·d numbers), to restore
   * with `new OnlineMmd(state)` after a restart instead of calibrating again. The run state (window, time) is
   * not saved: a restored detector starts a new run.
   */
  toState(): OnlineMmdState {
    return {
      format: STATE_FORMAT,
      sigma: this.sigma,
      ert: this.ert,
      windowSize: this.windowSize,
      dimension: this.dimension,
      thresholds: Array.from(this.thresholds),
      refTerm: this.refTerm,
      reference: Array.from(this.reference),
      initialWindow: Array.from(this.initialWindow),
    };
  }

  /**
   * Calibrates like the constructor, with the same result for the same seed, but hands the event loop a turn
   * about every 20–60 ms (every million kernel evaluations), so a server stays responsive while a large
   * reference calibrates (seconds to tens of seconds for 20,000 rows).
   */
  static async create(reference: Matrix, options: OnlineMmdOptions): Promise<OnlineMmd> {
    const steps = calibration(reference, options);
    for (;;) {
      const r = steps.next();
      if (r.done === true) return new OnlineMmd(r.value);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** A copy of the sub-reference the window is compared with (R rows). */
  subReference(): Matrix {
    return { data: this.reference.slice(), rows: this.referenceSize, cols: this.dimension };
  }

  /** Time steps since construction or the last reset. */
  get time(): number {
    return this.t;
  }

  /** Restores the initial window and time 0, keeping the split and the thresholds. */
  reset(): void {
    this.window.set(this.initialWindow);
    this.block.set(this.initialBlock);
    this.cross.set(this.initialCross);
    this.oldest = 0;
    this.t = 0;
    this.refresh();
  }

  /**
   * Adds one sample (a row of `dimension` finite numbers) to the window and tests it.
   * @throws RangeError on a row of the wrong length or with a non-finite value (the state is then unchanged)
   */
  update(row: ArrayLike<number>): OnlineMmdStep {
    const d = this.dimension;
    const W = this.windowSize;
    if (row.length !== d) throw new RangeError(`OnlineMmd: sample has ${row.length} features, expected ${d}`);
    for (let k = 0; k < d; k++) {
      if (!Number.isFinite(row[k]!)) throw new RangeError(`OnlineMmd: sample value ${k} is ${row[k]}`);
    }
    const g = this.gamma;
    const ref = this.reference;
    const R = this.referenceSize;
    const crossSum = this.crossKernel(ref, R, row, g);
    const slot = this.oldest;
    const win = this.window;
    const block = this.block;
    let leaving = 0;
    let entering = 0;
    for (let k = 0; k < d; k++) win[slot * d + k] = row[k]!;
    for (let b = 0; b < W; b++) {
      if (b === slot) continue;
      leaving += block[slot * W + b]!;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = win[b * d + k]! - row[k]!;
        s += t * t;
      }
      const kv = Math.exp(-g * s);
      block[slot * W + b] = kv;
      block[b * W + slot] = kv;
      entering += kv;
    }
    this.kyy += 2 * (entering - leaving);
    this.kxy += crossSum - this.cross[slot]!;
    this.cross[slot] = crossSum;
    this.oldest = (slot + 1) % W;
    if (++this.sinceRefresh >= REFRESH_EVERY) this.refresh();
    this.t++;
    const statistic = this.statistic();
    const threshold = this.thresholds[Math.min(this.t, W - 1)]!;
    return { isDrift: statistic > threshold, statistic, threshold, time: this.t };
  }

  private statistic(): number {
    const W = this.windowSize;
    return this.refTerm + this.kyy / (W * (W - 1)) - (2 * this.kxy) / (this.referenceSize * W);
  }

  /** Recomputes the running sums exactly from the stored window kernel block and cross sums. */
  private refresh(): void {
    const W = this.windowSize;
    let kyy = 0;
    let kxy = 0;
    for (let a = 0; a < W; a++) {
      kxy += this.cross[a]!;
      for (let b = a + 1; b < W; b++) kyy += 2 * this.block[a * W + b]!;
    }
    this.kyy = kyy;
    this.kxy = kxy;
    this.sinceRefresh = 0;
  }
}

/** What {@link OnlineMmd.toState} saves. */
export interface OnlineMmdState {
  readonly format: typeof STATE_FORMAT;
  readonly sigma: number;
  readonly ert: number;
  readonly windowSize: number;
  readonly dimension: number;
  /** `thresholds[t]`, t = 0…W−1. */
  readonly thresholds: readonly number[];
  /** The sub-reference's kernel term `Σ_{i≠j} k(xᵢ,xⱼ)/(R(R−1))`. */
  readonly refTerm: number;
  /** The sub-reference, R rows of `dimension` values, row-major. */
  readonly reference: readonly number[];
  /** The initial window, W rows, row-major. */
  readonly initialWindow: readonly number[];
}

const STATE_FORMAT = 'gangplank.online-mmd/1';

function isState(v: unknown): v is OnlineMmdState {
  return typeof v === 'object' && v !== null && 'format' in v;
}

function checkState(s: OnlineMmdState): OnlineMmdState {
  const fail = (why: string): never => {
    throw new RangeError(`OnlineMmd: invalid saved state (${why}); calibrate again from the reference`);
  };
  const format: unknown = s.format;
  if (format !== STATE_FORMAT) fail(`format ${String(format)}, expected ${STATE_FORMAT}`);
  const { windowSize: W, dimension: d } = s;
  if (!Number.isInteger(W) || W < 2 || !Number.isInteger(d) || d < 1) fail('window size or dimension');
  if (!(s.sigma > 0) || !(s.ert > 1) || !Number.isFinite(s.refTerm)) fail('sigma, ert or refTerm');
  if (!Array.isArray(s.thresholds) || s.thresholds.length !== W) fail('thresholds');
  if (!Array.isArray(s.initialWindow) || s.initialWindow.length !== W * d) fail('initial window');
  if (!Array.isArray(s.reference) || s.reference.length < 2 * d || s.reference.length % d !== 0)
    fail('reference');
  for (const v of [...s.thresholds, ...s.initialWindow, ...s.reference]) {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`non-finite value ${String(v)}`);
  }
  return s;
}

/**
 * Calibration: checks the options, picks σ, bootstraps the thresholds and draws the run-time split. A step
 * generator, yielding about every million kernel evaluations (see {@link OnlineMmd.create}).
 */
function* calibration(reference: Matrix, options: OnlineMmdOptions): Generator<void, OnlineMmdState> {
  const { ert, windowSize: W } = options;
  const nBootstraps = options.nBootstraps ?? 1000;
  const random = options.random ?? Math.random;
  const n = reference.rows;
  const d = reference.cols;
  if (!(ert > 1) || !Number.isFinite(ert)) {
    throw new RangeError(`OnlineMmd: ert must be a finite number > 1, got ${ert}`);
  }
  if (!Number.isInteger(W) || W < 2)
    throw new RangeError(`OnlineMmd: windowSize must be an integer ≥ 2, got ${W}`);
  if (!Number.isInteger(nBootstraps) || nBootstraps < 1) {
    throw new RangeError(`OnlineMmd: nBootstraps must be a positive integer, got ${nBootstraps}`);
  }
  const L = 2 * W - 1;
  if (n < L + 2) {
    throw new RangeError(
      `OnlineMmd: the reference has ${n} rows; window ${W} needs more than ${L + 1} (2W − 1 are held out)`,
    );
  }
  if (d < 1) throw new RangeError('OnlineMmd: the reference rows are empty');
  const sigma =
    options.sigma ?? medianHeuristicSigma(reference, { maxRows: options.medianMaxRows ?? 3000, random });
  if (!(sigma > 0) || !Number.isFinite(sigma))
    throw new RangeError(`OnlineMmd: sigma must be > 0, got ${sigma}`);
  const gamma = 1 / (2 * sigma * sigma);
  const R = n - L;
  yield;
  const sums = yield* kernelSumsSteps(reference, gamma);
  const thresholds = yield* bootstrapThresholdsSteps(reference, sums, gamma, {
    ert,
    windowSize: W,
    nBootstraps,
    random,
  });

  // The run-time split: redraw until the initial window (the last W held-out rows) does not detect.
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  const scratch = new HeldOutScratch(L, d);
  for (let attempt = 0; attempt < 1000; attempt++) {
    shuffleTail(indices, L, random);
    const held = heldOut(reference, sums, gamma, indices, scratch);
    if (windowStatistic(held.block, held.cross, held.refTerm, L, W, R, W - 1) < thresholds[0]!) {
      const sub = new Float64Array(R * d);
      for (let i = 0; i < R; i++)
        sub.set(reference.data.subarray(indices[i]! * d, indices[i]! * d + d), i * d);
      return {
        format: STATE_FORMAT,
        sigma,
        ert,
        windowSize: W,
        dimension: d,
        thresholds: Array.from(thresholds),
        refTerm: held.refTerm,
        reference: Array.from(sub),
        initialWindow: Array.from(scratch.rows.subarray((W - 1) * d, L * d)),
      };
    }
  }
  throw new RangeError('OnlineMmd: 1000 reference splits all detected drift in their initial window');
}

/** MMD² of the held-out window y_w…y_{w+W−1} (one step of `slidingMmd`, computed directly). */
function windowStatistic(
  block: Float64Array,
  cross: Float64Array,
  refTerm: number,
  L: number,
  W: number,
  R: number,
  w: number,
): number {
  let kyy = 0;
  let kxy = 0;
  for (let a = w; a < w + W; a++) {
    kxy += cross[a]!;
    for (let b = a + 1; b < w + W; b++) kyy += 2 * block[a * L + b]!;
  }
  return refTerm + kyy / (W * (W - 1)) - (2 * kxy) / (R * W);
}
