/**
 * What a `TrainTestExporter` can be told: the options object of its constructor, and how the ones that take more
 * than one form are read. The contract users write against, apart from the exporter's wiring.
 */
import type { Env, MetricsConfigOptions } from '../config.js';
import type { HistoryOptions } from '../history/history-options.js';
import type { PushHandler, PushgatewayClientOptions } from '../push/client.js';
import type { ExporterClock } from './clock.js';
import type { LogKeyNames } from './keras-names.js';
import type { ModelLike } from './model.js';

export interface TrainTestExporterOptions extends Omit<MetricsConfigOptions, 'pushgatewayAddr' | 'job'> {
  /** Log keys to export (either spelling: `acc` or `accuracy`); others are ignored. @default every numeric log value */
  metrics?: readonly string[];
  /**
   * `'keras'`: TF.js's short keys are exported under Keras' names, as Python Gangplank on Keras pushed them
   * (`acc` → `gangplank_train_accuracy`, `val_acc` → `gangplank_train_val_accuracy`, `ce` → `…_crossentropy`).
   * `'as-logged'`: keys exactly as TF.js logs them (`gangplank_train_acc`). @default 'keras'
   */
  logKeys?: LogKeyNames;
  /**
   * Bucket bounds of the weights histogram (`gangplank_<phase>_model_weights`); `undefined` or `[]` turns it off.
   * See `HISTOGRAM_WEIGHT_BUCKETS_1_0` and `HISTOGRAM_WEIGHT_BUCKETS_0_3`. @default undefined
   */
  histogramBuckets?: readonly number[];
  /** Request hook for authentication or a custom transport (the seed's `handler`). */
  handler?: PushHandler;
  /**
   * `true`: problems (push failures, bad input) are reported through `onError` and training goes on.
   * `false`: the next hook call throws (so `fit` rejects) and `flush()`/`close()` reject.
   * @default true
   */
  ignoreExceptions?: boolean;
  /** The model, for parameter count and weights. TF.js's `fit` provides it too (see the README). */
  model?: ModelLike;
  /** Build the weights histogram every N epochs (and always at the end); 0 = only at the end. @default 1 */
  weightsHistogramEvery?: number;
  /** Per-batch gauges `gangplank_train_batch_<key>`, sampled at most every `intervalMs`. @default false */
  batchMetrics?: boolean | { intervalMs?: number };
  /** Push the training state every N ms during training, for long epochs; 0 turns it off. @default 10000 */
  pushIntervalMs?: number;
  /** Target epochs when TF.js does not tell (hand-written loops). */
  targetEpochs?: number;
  /** Client options: TLS, basic auth, headers, timeout, retries, keep-alive. */
  client?: PushgatewayClientOptions;
  /**
   * Push from a worker thread, so pushes go out on time while a synchronous training loop keeps this thread busy.
   * A `handler`, `client.transport` or `client.runtime` (functions cannot cross threads) keeps pushing in this
   * thread. @default true
   */
  pushThread?: boolean;
  /**
   * The run history: every recorded value, lossless and at full resolution, sent in batches to the API server
   * (`GANGPLANK_HISTORY_URL`, set by the platform) or appended to a file (`GANGPLANK_HISTORY_FILE`); `false`
   * turns it off. Independent of the Pushgateway. @default from the environment, else off
   */
  history?: HistoryOptions | false;
  /** How long `close()` waits for the last pushes, in ms. @default 5000 */
  closeTimeoutMs?: number;
  /** Receives every problem when `ignoreExceptions` is true. @default a process warning, at most one per minute */
  onError?: (error: Error) => void;
  /** @default Date.now / performance.now */
  clock?: ExporterClock;
  /** Environment to read instead of `process.env` (tests). */
  env?: Env;
}

/** The sampling interval of the per-batch gauges, in ms; `undefined` when they are off. */
export function batchInterval(option: TrainTestExporterOptions['batchMetrics']): number | undefined {
  if (option === true) return 5000;
  if (typeof option === 'object') return Math.max(0, option.intervalMs ?? 5000);
  return undefined;
}
