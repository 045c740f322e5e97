import type { Drift, DriftDetector } from './drift.js';
import type { OnlineMmdOptions, OnlineMmdStep } from './mmd-online.js';
import { OnlineMmd } from './mmd-online.js';
import { toMatrix } from './rows.js';
import type { WatchedData } from './watch.js';
import { pickWatched } from './watch.js';

/** How a {@link MmdDriftDetector} feeds and resets its {@link OnlineMmd}. */
export interface MmdDriftDetectorBehaviour<X = unknown, Y = unknown> {
  /**
   * Start a new run (restore the initial window, time 0) after each detection, as alibi-detect expects its
   * users to do. Without it, one shift is counted at every step for as long as the window stays drifted, and
   * under no drift detections cluster: Gangplank's MMD example, which never reset, saw a 7 % detection rate
   * per prediction where 1/ERT = 0.2 %.
   * @default true
   */
  readonly resetOnDrift?: boolean;
  /** @default 'outputs' */
  readonly watch?: WatchedData<X, Y>;
}

/** Options of {@link MmdDriftDetector}: those of {@link OnlineMmd} plus how the detector uses it. */
export interface MmdDriftDetectorOptions<X = unknown, Y = unknown>
  extends OnlineMmdOptions, MmdDriftDetectorBehaviour<X, Y> {}

/**
 * Online MMD drift ({@link OnlineMmd}), pluggable into `PrometheusModel` as is: `check(x, y)` feeds every row
 * of the watched data to the detector, one step per sample, and returns the number of steps that detected
 * drift (`driftDetected`) and the last step's MMD² (`testStatistic`); there is no p-value.
 *
 * The constructor calibrates synchronously (seconds for 20,000 reference rows; build it at start-up), and
 * {@link MmdDriftDetector.create} does the same without blocking the event loop for long.
 *
 * @example
 * ```ts
 * // Gangplank's MMD example: softmax outputs on 20,000 training images as the reference.
 * const drift = await MmdDriftDetector.create(referencePredictions, { ert: 500, windowSize: 200, nBootstraps: 5000 });
 * const model = new PrometheusModel(tfModel, { drift });
 * ```
 */
export class MmdDriftDetector<X = unknown, Y = unknown> implements DriftDetector<X, Y> {
  readonly name = 'mmd_online';
  /** The underlying online detector (thresholds, sigma, time). */
  readonly mmd: OnlineMmd;
  private readonly resetOnDrift: boolean;
  private readonly watch: WatchedData<X, Y>;
  /** The last step, if any. */
  last: OnlineMmdStep | undefined;

  /**
   * Calibrates on `reference`: rows (n × d), e.g. the model's outputs on training data.
   */
  constructor(reference: unknown, options: MmdDriftDetectorOptions<X, Y>);
  /**
   * Uses an already calibrated detector, e.g. `new OnlineMmd(savedState)` restored after a restart.
   */
  constructor(mmd: OnlineMmd, options?: MmdDriftDetectorBehaviour<X, Y>);
  constructor(
    source: unknown,
    options: MmdDriftDetectorBehaviour<X, Y> | MmdDriftDetectorOptions<X, Y> = {},
  ) {
    if (source instanceof OnlineMmd) {
      this.mmd = source;
    } else {
      const calibration = options as MmdDriftDetectorOptions<X, Y>;
      this.mmd = new OnlineMmd(toMatrix(source, 'MmdDriftDetector reference'), calibration);
    }
    this.resetOnDrift = options.resetOnDrift ?? true;
    this.watch = options.watch ?? 'outputs';
  }

  /**
   * Calibrates without blocking the event loop for long (see {@link OnlineMmd.create}), e.g. while the
   * application already serves requests.
   */
  static async create<X = unknown, Y = unknown>(
    reference: unknown,
    options: MmdDriftDetectorOptions<X, Y>,
  ): Promise<MmdDriftDetector<X, Y>> {
    const mmd = await OnlineMmd.create(toMatrix(reference, 'MmdDriftDetector reference'), options);
    return new MmdDriftDetector<X, Y>(mmd, options);
  }

  check(x: X, y: Y): Drift {
    const batch = toMatrix(pickWatched(this.watch, x, y), 'MmdDriftDetector', this.mmd.dimension);
    const d = batch.cols;
    let detected = 0;
    for (let i = 0; i < batch.rows; i++) {
      const step = this.mmd.update(batch.data.subarray(i * d, i * d + d));
      this.last = step;
      if (step.isDrift) {
        detected++;
        if (this.resetOnDrift) this.mmd.reset();
      }
    }
    if (this.last === undefined) return {};
    return { driftDetected: detected, testStatistic: this.last.statistic };
  }

  /** Live samples in the window (the rest are initial reference rows) and the window size W. */
  windowFill(): { readonly size: number; readonly capacity: number } {
    return { size: Math.min(this.mmd.time, this.mmd.windowSize), capacity: this.mmd.windowSize };
  }

  /** Starts a new run: restores the initial window and time 0. */
  reset(): void {
    this.mmd.reset();
  }
}
