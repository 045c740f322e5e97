/**
 * `TrainTestExporter`: training and testing metrics pushed to a Pushgateway, compatible with Python Gangplank 0.5's
 * metric names, without its blocking push. Hooks update an in-memory state and queue a push; a background queue
 * sends the newest state per group. TF.js is never imported: the exporter is a plain callbacks object that
 * `model.fit` wraps, and models are duck-typed.
 */
import {
  resolveMetricsConfig,
  type Env,
  type MetricsConfigOptions,
  type ResolvedMetricsConfig,
} from '../config.js';
import { PushgatewayClient, type PushHandler, type PushgatewayClientOptions } from '../push/client.js';
import { PushError } from '../push/errors.js';
import type { PushTarget } from '../push/grouping.js';
import { CoalescingPushQueue, type PushOutcome } from '../push/queue.js';
import { newPhaseState, phaseFamilies, type Phase, type PhaseState } from './catalogue.js';
import { renderFamilies } from './exposition.js';
import { emptyHistogram, normalizeBounds, observeAll, type HistogramData } from './histogram.js';
import {
  isTensorLike,
  looksLikeModel,
  resolveLogs,
  resolveLogsSync,
  scalarSync,
  tensorDataSync,
  weightTensors,
  type FitParams,
  type Logs,
  type ModelLike,
  type TensorLike,
} from './model.js';

/** Wall and monotonic clocks, in milliseconds; injected by tests. */
export interface ExporterClock {
  /** Unix time in ms. @default Date.now */
  wallMs(): number;
  /** Monotonic ms, for durations. @default performance.now */
  monotonicMs(): number;
}

export interface TrainTestExporterOptions extends Omit<MetricsConfigOptions, 'pushgatewayAddr' | 'job'> {
  /** Log keys to export; others are ignored. @default every numeric log value */
  metrics?: readonly string[];
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
  /** How long `close()` waits for the last pushes, in ms. @default 5000 */
  closeTimeoutMs?: number;
  /** Receives every problem when `ignoreExceptions` is true. @default a process warning, at most one per minute */
  onError?: (error: Error) => void;
  /** @default Date.now / performance.now */
  clock?: ExporterClock;
  /** Environment to read instead of `process.env` (tests). */
  env?: Env;
}

/** Raised by hooks, `flush()` and `close()` when `ignoreExceptions` is false. */
export class MetricsExportError extends Error {
  override name = 'MetricsExportError';
}

interface WrapperLike {
  model?: unknown;
  params?: unknown;
}

/** Runs `fn` and turns its outcome into a promise (a throw becomes a rejection, as TF.js expects of hooks). */
function settle(fn: () => void): Promise<void> {
  try {
    fn();
    return Promise.resolve();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

const DEFAULT_CLOCK: ExporterClock = { wallMs: () => Date.now(), monotonicMs: () => performance.now() };

function defaultOnError(): (error: Error) => void {
  let last = -Infinity;
  return (error) => {
    const now = Date.now();
    // One warning a minute: a gateway that is down for an hour must not flood the training log.
    if (now - last < 60_000) return;
    last = now;
    process.emitWarning(
      `${error.message} (metrics are dropped, training goes on; further warnings muted for 60 s)`,
      'GangplankMetricsWarning',
    );
  };
}

/**
 * Pushes training and testing metrics to a Prometheus Pushgateway.
 *
 * @example
 * const exporter = new TrainTestExporter('127.0.0.1:9091', 'mnist', { histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_0_3 });
 * await model.fit(x, y, { epochs: 5, callbacks: [exporter] });
 * exporter.evaluate(model, xTest, yTest);
 * await exporter.close();
 */
export class TrainTestExporter {
  /** Resolved address, job, grouping labels and switch. */
  readonly config: ResolvedMetricsConfig;
  /** True when metrics are on (`enabled` option / `GANGPLANK_METRICS_ENABLED`). */
  readonly enabled: boolean;
  /** The group of each phase: job + grouping labels + `phase`. */
  readonly targets: Readonly<Record<Phase, PushTarget>>;

  // TF.js hooks. They are functions (not methods) so they work when TF.js calls them with `this` bound to its
  // CustomCallback wrapper; through that `this` they read the model and fit params TF.js gave the wrapper.
  readonly onTrainBegin: (logs?: Logs) => Promise<void>;
  readonly onTrainEnd: (logs?: Logs) => Promise<void>;
  readonly onEpochBegin: (epoch: number, logs?: Logs) => Promise<void>;
  readonly onEpochEnd: (epoch: number, logs?: Logs) => Promise<void>;
  readonly onBatchBegin: (batch: number, logs?: Logs) => Promise<void>;
  readonly onBatchEnd: (batch: number, logs?: Logs) => Promise<void>;

  private readonly options: TrainTestExporterOptions;
  private readonly clock: ExporterClock;
  private readonly ignoreExceptions: boolean;
  private readonly onError: (error: Error) => void;
  private readonly bounds: number[] | undefined;
  private readonly metricsFilter: Set<string> | undefined;
  private readonly batchIntervalMs: number | undefined;
  private client: PushgatewayClient | undefined;
  private queue: CoalescingPushQueue | undefined;
  private readonly state: Record<Phase, PhaseState>;
  private model: ModelLike | undefined;
  private params: FitParams = {};
  private trainStartMono = 0;
  private epochStartMono: number | undefined;
  private epochSamples = 0;
  private testStartMono = 0;
  private lastBatchSampleMono = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private pendingError: Error | undefined;
  private readonly errors: Error[] = [];
  private readonly warnedKeys = new Set<string>();
  private closed = false;

  /**
   * @param pgwAddr Pushgateway address (`127.0.0.1:9091`, `http://…`, `https://…/prefix`).
   *   @default env `GANGPLANK_PUSHGATEWAY_ADDR`, else `127.0.0.1:9091`
   * @param job Job name. @default env `GANGPLANK_JOB`, else `gangplank`
   */
  constructor(pgwAddr?: string, job?: string, options: TrainTestExporterOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? DEFAULT_CLOCK;
    this.ignoreExceptions = options.ignoreExceptions ?? true;
    this.onError = options.onError ?? defaultOnError();
    this.config = resolveMetricsConfig(
      { ...options, pushgatewayAddr: pgwAddr, job },
      options.env ?? process.env,
    );
    this.enabled = this.config.enabled;
    const bounds =
      options.histogramBuckets && options.histogramBuckets.length > 0
        ? normalizeBounds(options.histogramBuckets)
        : undefined;
    this.bounds = bounds && bounds.length > 0 ? bounds : undefined;
    this.metricsFilter = options.metrics ? new Set(options.metrics) : undefined;
    const bm = options.batchMetrics;
    this.batchIntervalMs =
      bm === true ? 5000 : typeof bm === 'object' ? Math.max(0, bm.intervalMs ?? 5000) : undefined;
    this.model = options.model;
    this.state = {
      train: newPhaseState('train', this.batchIntervalMs !== undefined),
      test: newPhaseState('test'),
    };
    this.targets = {
      train: { job: this.config.job, grouping: { ...this.config.grouping, phase: 'train' } },
      test: { job: this.config.job, grouping: { ...this.config.grouping, phase: 'test' } },
    };
    for (const w of this.config.warnings) this.report(new Error(w), false);

    if (this.enabled) {
      try {
        this.client = new PushgatewayClient(this.config.pushgatewayAddr, {
          ...options.client,
          handler: options.handler ?? options.client?.handler,
        });
        this.queue = new CoalescingPushQueue(this.client, { onOutcome: (o) => this.onOutcome(o) });
      } catch (e) {
        // A bad address must not crash a training: with ignoreExceptions it only turns pushing off.
        this.report(e instanceof Error ? e : new Error(String(e)), true);
      }
    }

    const trainBegin = this.handleTrainBegin.bind(this);
    const trainEnd = this.handleTrainEnd.bind(this);
    const epochBegin = this.handleEpochBegin.bind(this);
    const epochEnd = this.handleEpochEnd.bind(this);
    const batchEnd = this.handleBatchEnd.bind(this);
    this.onTrainBegin = function (this: unknown, logs?: Logs) {
      return trainBegin(this, logs);
    };
    this.onTrainEnd = function (this: unknown, logs?: Logs) {
      return trainEnd(this, logs);
    };
    this.onEpochBegin = function (this: unknown, epoch: number) {
      return epochBegin(this, epoch);
    };
    this.onEpochEnd = function (this: unknown, epoch: number, logs?: Logs) {
      return epochEnd(this, epoch, logs);
    };
    // Always defined, because TF.js calls every hook of a callback list directly when the list starts with a
    // tf.Callback instance. onBatchEnd also adds up batch sizes (samples/s) and checks each batch's loss for NaN.
    this.onBatchBegin = () => Promise.resolve();
    this.onBatchEnd = function (this: unknown, batch: number, logs?: Logs) {
      return batchEnd(this, batch, logs);
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // TF.js BaseCallback protocol (used when the exporter sits in a list that starts with a tf.Callback).

  /** Sets the model whose parameter count and weights are exported. Returns the exporter. */
  setModel(model: ModelLike): this {
    this.model = model;
    return this;
  }

  /** TF.js hands `fit`'s parameters (`epochs`, `samples`, …) here. */
  setParams(params: FitParams): void {
    this.params = { ...params };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Plain calls for hand-written training loops. They never block; they throw only with ignoreExceptions: false.

  /** Starts a training run: status running, start timestamp, elapsed time from now. */
  trainBegin(info: { model?: ModelLike; targetEpochs?: number } = {}): void {
    this.guard(() => {
      if (info.model) this.model = info.model;
      const s = newPhaseState('train', this.batchIntervalMs !== undefined);
      s.pushFailures = this.state.train.pushFailures;
      s.lastPushSuccessSeconds = this.state.train.lastPushSuccessSeconds;
      this.state.train = s;
      this.trainStartMono = this.clock.monotonicMs();
      this.epochStartMono = this.trainStartMono;
      this.epochSamples = 0;
      s.startTimestampSeconds = this.clock.wallMs() / 1000;
      s.status = 'running';
      s.elapsedSeconds = 0;
      const target = info.targetEpochs ?? this.options.targetEpochs ?? this.params.epochs;
      if (target !== undefined) s.targetEpochs = target;
      this.readParameterCount(s);
      this.enqueue('train');
      this.startTimer();
    });
  }

  /** Marks the start of an epoch (optional: without it, an epoch starts when the previous one ends). */
  epochBegin(_epoch?: number): void {
    this.guard(() => {
      this.epochStartMono = this.clock.monotonicMs();
      this.epochSamples = 0;
    });
  }

  /**
   * Records a finished epoch (`epoch` is 0-based) with its logs (`{loss, acc, val_loss, …}`: numbers or scalar
   * tensors with `dataSync()`), and queues a push.
   */
  epochEnd(epoch: number, logs: Logs = {}, info: { samples?: number } = {}): void {
    this.guard(() => {
      if (this.state.train.status === undefined) this.trainBegin();
      const s = this.state.train;
      const now = this.clock.monotonicMs();
      this.setLogs(s, resolveLogsSync(logs));
      s.epochsCount = epoch + 1;
      s.elapsedSeconds = (now - this.trainStartMono) / 1000;
      if (this.epochStartMono !== undefined) {
        const seconds = (now - this.epochStartMono) / 1000;
        s.epochDurationSeconds = seconds;
        const samples = info.samples ?? (this.epochSamples > 0 ? this.epochSamples : this.params.samples);
        if (samples !== undefined && seconds > 0) s.samplesPerSecond = samples / seconds;
      }
      this.epochStartMono = now;
      this.epochSamples = 0;
      const target = this.options.targetEpochs ?? this.params.epochs;
      if (target !== undefined) s.targetEpochs = target;
      this.readParameterCount(s);
      const every = this.options.weightsHistogramEvery ?? 1;
      if (this.bounds && every > 0 && (epoch + 1) % every === 0)
        s.weights = this.weightsHistogram() ?? s.weights;
      this.enqueue('train');
    });
  }

  /** Records a finished batch: counts it, checks its loss and, with batch metrics on, samples its logs. */
  batchEnd(_batch: number, logs: Logs = {}): void {
    this.guard(() => {
      const s = this.state.train;
      const size = logs['size'];
      if (typeof size === 'number') this.epochSamples += size;
      if (this.batchIntervalMs === undefined) {
        // Cheap NaN check without reading other values.
        const loss = logs['loss'];
        const v = typeof loss === 'number' ? loss : isTensorLike(loss) ? scalarSync(loss) : undefined;
        if (v !== undefined && !Number.isFinite(v)) s.nonFiniteLoss += 1;
        return;
      }
      s.batches += 1;
      const values = resolveLogsSync(logs);
      const loss = values['loss'];
      if (loss !== undefined && !Number.isFinite(loss)) s.nonFiniteLoss += 1;
      const now = this.clock.monotonicMs();
      if (now - this.lastBatchSampleMono < this.batchIntervalMs) return;
      this.lastBatchSampleMono = now;
      s.batchLogs.clear();
      for (const [k, v] of Object.entries(values)) {
        if (k === 'batch' || k === 'size') continue;
        if (this.metricsFilter && !this.metricsFilter.has(k)) continue;
        s.batchLogs.set(k, v);
      }
      s.elapsedSeconds = (now - this.trainStartMono) / 1000;
      this.enqueue('train');
    });
  }

  /** Ends the training successfully: final weights histogram, status succeeded, end timestamp, push. */
  trainEnd(_logs?: Logs): void {
    this.guard(() => {
      this.stopTimer();
      const s = this.state.train;
      if (s.status === undefined) return;
      if (this.bounds) s.weights = this.weightsHistogram() ?? s.weights;
      this.readParameterCount(s);
      s.status = 'succeeded';
      s.endTimestampSeconds = this.clock.wallMs() / 1000;
      this.enqueue('train');
    });
  }

  /**
   * Ends the training as failed (call it from your `catch`; {@link fit} does it for you). Never throws, not even
   * with `ignoreExceptions: false`: the training's own error is the one to surface.
   */
  trainFailed(_error?: unknown): void {
    try {
      this.stopTimer();
      const s = this.state.train;
      if (s.status === undefined) s.startTimestampSeconds = this.clock.wallMs() / 1000;
      s.status = 'failed';
      s.endTimestampSeconds = this.clock.wallMs() / 1000;
      this.enqueue('train');
    } catch (e) {
      this.report(e instanceof Error ? e : new Error(String(e)), false);
    }
  }

  /** Starts a test (evaluation) run. */
  testBegin(info: { model?: ModelLike } = {}): void {
    this.guard(() => {
      if (info.model) this.model = info.model;
      const s = newPhaseState('test');
      s.pushFailures = this.state.test.pushFailures;
      s.lastPushSuccessSeconds = this.state.test.lastPushSuccessSeconds;
      this.state.test = s;
      this.testStartMono = this.clock.monotonicMs();
      s.startTimestampSeconds = this.clock.wallMs() / 1000;
      s.status = 'running';
    });
  }

  /** Ends a test run with its results (`{loss, acc}`), weights histogram and elapsed time, and queues a push. */
  testEnd(logs: Logs = {}): void {
    this.guard(() => {
      if (this.state.test.status === undefined) this.testBegin();
      const s = this.state.test;
      this.setLogs(s, resolveLogsSync(logs));
      s.elapsedSeconds = (this.clock.monotonicMs() - this.testStartMono) / 1000;
      this.readParameterCount(s);
      if (this.bounds) s.weights = this.weightsHistogram() ?? s.weights;
      s.status = 'succeeded';
      s.endTimestampSeconds = this.clock.wallMs() / 1000;
      this.enqueue('test');
    });
  }

  /** Ends a test run as failed. Never throws. */
  testFailed(_error?: unknown): void {
    try {
      const s = this.state.test;
      s.status = 'failed';
      s.endTimestampSeconds = this.clock.wallMs() / 1000;
      this.enqueue('test');
    } catch (e) {
      this.report(e instanceof Error ? e : new Error(String(e)), false);
    }
  }

  /** Records test results measured elsewhere in one call (begin + end). */
  recordTest(logs: Logs, info: { model?: ModelLike } = {}): void {
    this.testBegin(info);
    this.testEnd(logs);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // TF.js conveniences.

  /**
   * Runs `model.evaluate(x, y, args)` (which takes no callbacks in TF.js) and records `gangplank_test_*` from its
   * results, named by `model.metricsNames` (`loss`, `acc`, …). Returns what `evaluate` returned; the caller still
   * owns (and disposes) those tensors.
   */
  evaluate<R extends TensorLike | TensorLike[]>(
    model: Omit<ModelLike, 'evaluate'> & { evaluate(x: unknown, y: unknown, args?: unknown): R },
    x: unknown,
    y: unknown,
    args?: unknown,
  ): R {
    this.testBegin({ model });
    let result: R;
    try {
      result = model.evaluate(x, y, args);
    } catch (e) {
      this.testFailed(e);
      throw e;
    }
    // Tensors are read inside testEnd, under the ignoreExceptions policy.
    this.testEnd(this.namedResults(model, result));
    return result;
  }

  /** Like {@link evaluate}, for `model.evaluateDataset(dataset, args)`. */
  async evaluateDataset<R extends TensorLike | TensorLike[]>(
    model: Omit<ModelLike, 'evaluateDataset'> & {
      evaluateDataset(dataset: unknown, args?: unknown): Promise<R>;
    },
    dataset: unknown,
    args?: unknown,
  ): Promise<R> {
    this.testBegin({ model });
    let result: R;
    try {
      result = await model.evaluateDataset(dataset, args);
    } catch (e) {
      this.testFailed(e);
      throw e;
    }
    let named: Record<string, number> = {};
    try {
      named = await resolveLogs(this.namedResults(model, result));
    } catch (e) {
      const err = new Error(
        `reading the evaluation results failed: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
      if (this.enabled && !this.ignoreExceptions) throw err;
      this.report(err, false);
    }
    this.testEnd(named);
    return result;
  }

  /**
   * Runs `model.fit(x, y, args)` with the exporter added to `args.callbacks`, marks the run failed if `fit`
   * throws, and returns fit's result. Does not close the exporter.
   */
  async fit<R>(
    model: ModelLike & { fit(x: unknown, y: unknown, args?: Record<string, unknown>): Promise<R> },
    x: unknown,
    y: unknown,
    args: Record<string, unknown> = {},
  ): Promise<R> {
    this.model = model;
    const given = args['callbacks'];
    const callbacks =
      given === undefined ? [this] : Array.isArray(given) ? [...(given as unknown[]), this] : [given, this];
    try {
      return await model.fit(x, y, { ...args, callbacks });
    } catch (e) {
      this.trainFailed(e);
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Lifecycle.

  /**
   * Waits until the queued pushes are done or `timeoutMs` passes. With `ignoreExceptions: false`, rejects with
   * the first problem met so far.
   */
  async flush(timeoutMs = this.options.closeTimeoutMs ?? 5000): Promise<void> {
    const result = await this.queue?.flush(timeoutMs);
    if (result && !result.complete)
      this.report(
        new MetricsExportError(`${result.unfinished} metrics push(es) still pending after ${timeoutMs} ms`),
        true,
      );
    this.throwPending();
  }

  /**
   * Pushes the last state (waiting at most `closeTimeoutMs`), then stops the periodic push and closes connections.
   * With `ignoreExceptions: false`, rejects if a push failed or could not finish.
   */
  async close(timeoutMs = this.options.closeTimeoutMs ?? 5000): Promise<void> {
    if (this.closed) {
      this.throwPending();
      return;
    }
    this.closed = true;
    this.stopTimer();
    const result = await this.queue?.close(timeoutMs);
    this.client?.close();
    if (result && !result.complete)
      this.report(
        new MetricsExportError(`gave up on ${result.unfinished} metrics push(es) after ${timeoutMs} ms`),
        true,
      );
    this.throwPending();
  }

  /** Deletes both groups (train and test) of this exporter from the gateway, e.g. after a throw-away run. */
  async deleteGroups(): Promise<void> {
    if (!this.client) return;
    await Promise.all([this.client.delete(this.targets.train), this.client.delete(this.targets.test)]);
  }

  /** The exposition text that the next push of `phase` will carry. */
  render(phase: Phase): string {
    const { families, skipped } = phaseFamilies(this.state[phase]);
    for (const key of skipped) {
      if (this.warnedKeys.has(`${phase}:${key}`)) continue;
      this.warnedKeys.add(`${phase}:${key}`);
      this.report(
        new Error(
          `log key "${key}" would reuse the name of a built-in gangplank_${phase}_* metric; not exported`,
        ),
        false,
      );
    }
    return renderFamilies(families);
  }

  /** Problems met so far (push failures, bad input), oldest first; at most the last 100. */
  get problems(): readonly Error[] {
    return this.errors;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Internals.

  private adoptWrapper(ctx: unknown): void {
    if (ctx === this || typeof ctx !== 'object' || ctx === null) return;
    const w = ctx as WrapperLike;
    if (looksLikeModel(w.model)) this.model = w.model;
    if (typeof w.params === 'object' && w.params !== null) this.params = { ...(w.params as FitParams) };
  }

  private handleTrainBegin(ctx: unknown, _logs?: Logs): Promise<void> {
    return settle(() => {
      this.adoptWrapper(ctx);
      this.trainBegin();
    });
  }

  private handleEpochBegin(ctx: unknown, epoch: number): Promise<void> {
    return settle(() => {
      this.adoptWrapper(ctx);
      this.epochBegin(epoch);
    });
  }

  private async handleEpochEnd(ctx: unknown, epoch: number, logs?: Logs): Promise<void> {
    this.adoptWrapper(ctx);
    // A tf.Callback list hands tf.Scalars; read them (dataSync first, data() otherwise) without disposing them.
    let values: Record<string, number>;
    try {
      values = await resolveLogs(logs);
    } catch (e) {
      const err = new Error(`reading the epoch logs failed: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
      if (this.enabled && !this.ignoreExceptions) throw err;
      this.report(err, false);
      values = {};
    }
    this.epochEnd(epoch, values);
  }

  private handleBatchEnd(_ctx: unknown, batch: number, logs?: Logs): Promise<void> {
    return settle(() => this.batchEnd(batch, logs ?? {}));
  }

  private handleTrainEnd(ctx: unknown, logs?: Logs): Promise<void> {
    return settle(() => {
      this.adoptWrapper(ctx);
      this.trainEnd(logs);
    });
  }

  /** `evaluate`'s outputs keyed by `model.metricsNames` (`loss` first), still as tensors. */
  private namedResults(model: ModelLike, result: TensorLike | TensorLike[]): Record<string, TensorLike> {
    const list = Array.isArray(result) ? result : [result];
    const names = model.metricsNames ?? [];
    const out: Record<string, TensorLike> = {};
    list.forEach((t, i) => (out[names[i] ?? (i === 0 ? 'loss' : `metric_${i}`)] = t));
    return out;
  }

  private setLogs(s: PhaseState, values: Record<string, number>): void {
    for (const [k, v] of Object.entries(values)) {
      if (this.metricsFilter && !this.metricsFilter.has(k)) continue;
      s.logs.set(k, v);
      if (s.phase === 'train' && /loss$/.test(k) && !Number.isFinite(v)) s.nonFiniteLoss += 1;
    }
  }

  private readParameterCount(s: PhaseState): void {
    const m = this.model;
    if (!m || typeof m.countParams !== 'function') return;
    try {
      s.parametersCount = m.countParams();
    } catch (e) {
      // An unbuilt model throws here; the other metrics still go out.
      this.report(
        new Error(`model.countParams() failed: ${e instanceof Error ? e.message : String(e)}`),
        false,
      );
    }
  }

  private weightsHistogram(): HistogramData | undefined {
    const m = this.model;
    if (!m || !this.bounds) return undefined;
    const h = emptyHistogram(this.bounds);
    try {
      for (const t of weightTensors(m)) {
        const values = tensorDataSync(t);
        if (values) observeAll(h, values);
      }
    } catch (e) {
      this.report(
        new Error(`reading the model weights failed: ${e instanceof Error ? e.message : String(e)}`),
        false,
      );
      return undefined;
    }
    return h;
  }

  private enqueue(phase: Phase): void {
    if (!this.queue || this.closed) return;
    this.queue.enqueue({ method: 'PUT', target: this.targets[phase], render: () => this.render(phase) });
  }

  private onOutcome(o: PushOutcome): void {
    const phase =
      o.target === this.targets.train ? 'train' : o.target === this.targets.test ? 'test' : undefined;
    if (o.ok) {
      if (phase) this.state[phase].lastPushSuccessSeconds = this.clock.wallMs() / 1000;
      return;
    }
    if (phase) this.state[phase].pushFailures += 1;
    const err = o.error ?? new PushError('push failed', { kind: 'network', method: o.method, url: '' });
    this.report(
      new MetricsExportError(
        `could not push ${phase ?? ''} metrics of job "${this.config.job}" to the Pushgateway ${this.client?.baseUrl ?? this.config.pushgatewayAddr}: ${err.message}. ` +
          `Check the address (option or GANGPLANK_PUSHGATEWAY_ADDR), or set GANGPLANK_METRICS_ENABLED=false to train without metrics.`,
        { cause: err },
      ),
      true,
    );
  }

  /** Records a problem; `fatal` ones abort the next hook when ignoreExceptions is false. */
  private report(error: Error, fatal: boolean): void {
    this.errors.push(error);
    if (this.errors.length > 100) this.errors.shift();
    if (!this.ignoreExceptions && fatal) {
      this.pendingError ??= error;
      return;
    }
    try {
      this.onError(error);
    } catch {
      // A user's error hook must not break training.
    }
  }

  private throwPending(): void {
    if (this.pendingError !== undefined) {
      const e = this.pendingError;
      this.pendingError = undefined;
      throw e;
    }
  }

  private guard(fn: () => void): void {
    if (!this.enabled) return;
    this.throwPending();
    try {
      fn();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (!this.ignoreExceptions) throw err;
      this.report(err, false);
    }
  }

  private startTimer(): void {
    this.stopTimer();
    const every = this.options.pushIntervalMs ?? 10_000;
    if (every <= 0 || !this.queue) return;
    this.timer = setInterval(() => {
      const s = this.state.train;
      if (s.status !== 'running') return;
      s.elapsedSeconds = (this.clock.monotonicMs() - this.trainStartMono) / 1000;
      this.enqueue('train');
    }, every);
    // The periodic push never keeps a process alive.
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
