/**
 * `TrainTestExporter`: training and testing metrics pushed to a Pushgateway, compatible with Python Gangplank 0.5's
 * metric names, without its blocking push. It wires three parts: the recorder (the train/test state machine), the
 * TF.js hooks (the callback protocol) and the push policy (queue, timer, error handling); this class adds the
 * `fit`/`evaluate` conveniences. TF.js is never imported: models are duck-typed.
 */
import { resolveMetricsConfig, type ResolvedMetricsConfig } from '../config.js';
import { resolveHistorySink } from '../history/history-options.js';
import { HistoryRecorder, type HistoryStats } from '../history/history-recorder.js';
import type { PushTarget } from '../push/grouping.js';
import { toError } from '../to-error.js';
import type { Phase } from './catalogue.js';
import { SYSTEM_CLOCK } from './clock.js';
import { batchInterval, type TrainTestExporterOptions } from './exporter-options.js';
import { renderFamilies } from './exposition.js';
import {
  resolveLogs,
  type Evaluated,
  type EvaluatingModel,
  type FitParams,
  type Logs,
  type ModelLike,
  type TensorLike,
} from './model.js';
import { PushPolicy } from './push-policy.js';
import { TrainTestRecorder } from './recorder.js';
import { tfjsHooks, type TfjsHooks } from './tfjs-hooks.js';

/**
 * Pushes training and testing metrics to a Prometheus Pushgateway.
 *
 * @example
 * const exporter = new TrainTestExporter('127.0.0.1:9091', 'mnist', { histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_0_3 });
 * await model.fit(x, y, { epochs: 5, callbacks: [exporter] });
 * exporter.evaluate(model, xTest, yTest);
 * await exporter.close();
 */
export class TrainTestExporter implements TfjsHooks {
  /** Resolved address, job, grouping labels and switch. */
  readonly config: ResolvedMetricsConfig;
  /** True when metrics are on (`enabled` option / `GANGPLANK_METRICS_ENABLED`). */
  readonly enabled: boolean;
  /** The group of each phase: job + grouping labels + `phase`. */
  readonly targets: Readonly<Record<Phase, PushTarget>>;

  // TF.js hooks (see tfjs-hooks.ts for why they are functions and not methods).
  readonly onTrainBegin: TfjsHooks['onTrainBegin'];
  readonly onTrainEnd: TfjsHooks['onTrainEnd'];
  readonly onEpochBegin: TfjsHooks['onEpochBegin'];
  readonly onEpochEnd: TfjsHooks['onEpochEnd'];
  readonly onBatchBegin: TfjsHooks['onBatchBegin'];
  readonly onBatchEnd: TfjsHooks['onBatchEnd'];

  private readonly options: TrainTestExporterOptions;
  private readonly recorder: TrainTestRecorder;
  private readonly policy: PushPolicy;
  private readonly history: HistoryRecorder | undefined;

  /**
   * @param pgwAddr Pushgateway address (`127.0.0.1:9091`, `http://…`, `https://…/prefix`).
   *   @default env `GANGPLANK_PUSHGATEWAY_ADDR`, else `127.0.0.1:9091`
   * @param job Job name. @default env `GANGPLANK_JOB`, else `gangplank`
   */
  constructor(pgwAddr?: string, job?: string, options: TrainTestExporterOptions = {}) {
    this.options = options;
    this.config = resolveMetricsConfig(
      { ...options, pushgatewayAddr: pgwAddr, job },
      options.env ?? process.env,
    );
    this.enabled = this.config.enabled;
    this.targets = {
      train: { job: this.config.job, grouping: { ...this.config.grouping, phase: 'train' } },
      test: { job: this.config.job, grouping: { ...this.config.grouping, phase: 'test' } },
    };
    const historySink = this.enabled
      ? resolveHistorySink(options.history, options.env ?? process.env)
      : undefined;
    if (historySink) {
      const history = options.history || {};
      this.history = new HistoryRecorder({
        sink: historySink,
        ...(history.bufferPoints !== undefined ? { bufferPoints: history.bufferPoints } : {}),
        ...(history.batchPoints !== undefined ? { batchPoints: history.batchPoints } : {}),
        ...(options.clock ? { now: () => options.clock!.wallMs() } : {}),
        onProblem: (error) => this.policy.report(error, false),
      });
    }
    this.recorder = new TrainTestRecorder({
      clock: options.clock ?? SYSTEM_CLOCK,
      metrics: options.metrics,
      logKeys: options.logKeys,
      histogramBuckets: options.histogramBuckets,
      model: options.model,
      weightsHistogramEvery: options.weightsHistogramEvery,
      batchIntervalMs: batchInterval(options.batchMetrics),
      targetEpochs: options.targetEpochs,
      onChange: (phase) => this.policy.enqueue(phase),
      onProblem: (error) => this.policy.report(error, false),
      onAdvice: (error) => this.policy.advise(error),
      onRecord: (event) => this.history?.record(event),
    });
    this.policy = new PushPolicy({
      config: this.config,
      targets: this.targets,
      ignoreExceptions: options.ignoreExceptions ?? true,
      onError: options.onError,
      client: options.client,
      handler: options.handler,
      pushThread: options.pushThread,
      render: (phase) => this.render(phase),
      pushed: (phase, ok) => this.recorder.pushed(phase, ok),
    });

    const hooks = tfjsHooks(
      {
        adopt: ({ model, params }) => {
          if (model) this.recorder.model = model;
          if (params) this.recorder.params = params;
        },
        trainBegin: () => this.trainBegin(),
        epochBegin: (epoch) => this.epochBegin(epoch),
        epochEnd: (epoch, logs) => this.epochEnd(epoch, logs),
        batchEnd: (batch, logs) => this.batchEnd(batch, logs),
        trainEnd: (logs) => this.trainEnd(logs),
        logsUnreadable: (error) => this.readFailed(error),
      },
      this,
    );
    this.onTrainBegin = hooks.onTrainBegin;
    this.onTrainEnd = hooks.onTrainEnd;
    this.onEpochBegin = hooks.onEpochBegin;
    this.onEpochEnd = hooks.onEpochEnd;
    this.onBatchBegin = hooks.onBatchBegin;
    this.onBatchEnd = hooks.onBatchEnd;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // TF.js BaseCallback protocol (used when the exporter sits in a list that starts with a tf.Callback).

  /** Sets the model whose parameter count and weights are exported. Returns the exporter. */
  setModel(model: ModelLike): this {
    this.recorder.model = model;
    return this;
  }

  /** TF.js hands `fit`'s parameters (`epochs`, `samples`, …) here. */
  setParams(params: FitParams): void {
    this.recorder.params = { ...params };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Plain calls for hand-written training loops. They never block; they throw only with ignoreExceptions: false.

  /** Starts a training run: status running, start timestamp, elapsed time from now. */
  trainBegin(info: { model?: ModelLike; targetEpochs?: number } = {}): void {
    this.policy.guard(() => {
      this.recorder.trainBegin(info);
      this.policy.startTimer(this.options.pushIntervalMs ?? 10_000, () => this.recorder.tick());
    });
  }

  /** Marks the start of an epoch (optional: without it, an epoch starts when the previous one ends). */
  epochBegin(_epoch?: number): void {
    this.policy.guard(() => this.recorder.epochBegin());
  }

  /**
   * Records a finished epoch (`epoch` is 0-based) with its logs (`{loss, acc, val_loss, …}`: numbers or scalar
   * tensors with `dataSync()`), and queues a push.
   */
  epochEnd(epoch: number, logs: Logs = {}, info: { samples?: number } = {}): void {
    this.policy.guard(() => {
      if (!this.recorder.trainStarted) this.trainBegin();
      this.recorder.epochEnd(epoch, logs, info);
    });
  }

  /** Records a finished batch: counts it, checks its loss and, with batch metrics on, samples its logs. */
  batchEnd(_batch: number, logs: Logs = {}): void {
    this.policy.guard(() => this.recorder.batchEnd(logs));
  }

  /** Ends the training successfully: final weights histogram, status succeeded, end timestamp, push. */
  trainEnd(_logs?: Logs): void {
    this.policy.guard(() => {
      this.policy.stopTimer();
      this.recorder.trainEnd();
    });
  }

  /**
   * Ends the training as failed (call it from your `catch`; {@link fit} does it for you). Never throws, not even
   * with `ignoreExceptions: false`: the training's own error is the one to surface.
   */
  trainFailed(_error?: unknown): void {
    this.neverThrow(() => {
      this.policy.stopTimer();
      this.recorder.trainFailed();
    });
  }

  /** Starts a test (evaluation) run. */
  testBegin(info: { model?: ModelLike } = {}): void {
    this.policy.guard(() => this.recorder.testBegin(info));
  }

  /** Ends a test run with its results (`{loss, acc}`), weights histogram and elapsed time, and queues a push. */
  testEnd(logs: Logs = {}): void {
    this.policy.guard(() => {
      if (!this.recorder.testStarted) this.testBegin();
      this.recorder.testEnd(logs);
    });
  }

  /** Ends a test run as failed. Never throws. */
  testFailed(_error?: unknown): void {
    this.neverThrow(() => this.recorder.testFailed());
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
  evaluate<R extends Evaluated>(model: EvaluatingModel<R>, x: unknown, y: unknown, args?: unknown): R {
    this.testBegin({ model });
    let result: R;
    try {
      result = model.evaluate(x, y, args);
    } catch (e) {
      this.testFailed(e);
      throw e;
    }
    // Tensors are read inside testEnd, under the ignoreExceptions policy.
    this.testEnd(namedResults(model, result));
    return result;
  }

  /** Like {@link evaluate}, for `model.evaluateDataset(dataset, args)`. */
  async evaluateDataset<R extends Evaluated>(
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
      named = await resolveLogs(namedResults(model, result));
    } catch (e) {
      this.readFailed(
        new Error(`reading the evaluation results failed: ${toError(e).message}`, { cause: e }),
      );
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
    this.recorder.model = model;
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
    await Promise.all([this.policy.flush(timeoutMs), this.history?.flush(timeoutMs)]);
  }

  /**
   * Pushes the last state (waiting at most `closeTimeoutMs`), then stops the periodic push and closes connections.
   * With `ignoreExceptions: false`, rejects if a push failed or could not finish.
   */
  async close(timeoutMs = this.options.closeTimeoutMs ?? 5000): Promise<void> {
    // Both within one deadline: a hanging gateway must not eat the history's time, nor the other way round.
    const history = this.history?.close(timeoutMs);
    try {
      await this.policy.close(timeoutMs);
    } finally {
      await history;
    }
  }

  /** The run history's counts (sent, dropped, refused, pending); undefined when no history is recorded. */
  get historyStats(): HistoryStats | undefined {
    return this.history?.stats;
  }

  /** Deletes both groups (train and test) of this exporter from the gateway, e.g. after a throw-away run. */
  deleteGroups(): Promise<void> {
    return this.policy.deleteGroups();
  }

  /** The exposition text that the next push of `phase` will carry. */
  render(phase: Phase): string {
    return renderFamilies(this.recorder.families(phase));
  }

  /** Problems met so far (push failures, bad input), oldest first; at most the last 100. */
  get problems(): readonly Error[] {
    return this.policy.problems;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Internals.

  /** Unreadable logs or results: thrown with ignoreExceptions false (metrics on), else reported. */
  private readFailed(error: Error): void {
    if (this.enabled && !this.policy.ignoreExceptions) throw error;
    this.policy.report(error, false);
  }

  private neverThrow(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.policy.report(toError(e), false);
    }
  }
}

/** `evaluate`'s outputs keyed by `model.metricsNames` (`loss` first), still as tensors. */
function namedResults(model: ModelLike, result: TensorLike | TensorLike[]): Record<string, TensorLike> {
  const list = Array.isArray(result) ? result : [result];
  const names = model.metricsNames ?? [];
  const out: Record<string, TensorLike> = {};
  list.forEach((t, i) => (out[names[i] ?? (i === 0 ? 'loss' : `metric_${i}`)] = t));
  return out;
}
