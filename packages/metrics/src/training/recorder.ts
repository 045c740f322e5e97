/**
 * The train/test state machine behind `TrainTestExporter`: it turns hook calls into the plain state of each phase
 * and says when a phase changed. No I/O and no timers: time comes from the injected clock, pushes are the owner's
 * job (`onChange`), and problems met while reading the model go to `onProblem`.
 */
import type { RecordEvent } from '../history/history-point.js';
import { toError } from '../to-error.js';
import type { ExporterClock } from './clock.js';
import type { TrainTestExporterOptions } from './exporter-options.js';
import { newPhaseState, phaseFamilies, type Phase, type PhaseState } from './catalogue.js';
import type { MetricFamily } from './exposition.js';
import { emptyHistogram, normalizeBounds, observeAll, type HistogramData } from './histogram.js';
import { logKeyRenamer } from './keras-names.js';
import {
  isTensorLike,
  resolveLogsSync,
  scalarSync,
  tensorDataSync,
  weightTensors,
  type FitParams,
  type Logs,
  type ModelLike,
} from './model.js';

/** The exporter's options that the recorder reads as given (documented on TrainTestExporterOptions), and its wiring. */
export interface RecorderOptions extends Pick<
  TrainTestExporterOptions,
  'metrics' | 'logKeys' | 'histogramBuckets' | 'model' | 'weightsHistogramEvery' | 'targetEpochs'
> {
  clock: ExporterClock;
  /** Batch logs sampled at most every N ms (the exporter's `batchMetrics`); `undefined` = no batch metrics. */
  batchIntervalMs?: number;
  /** A phase's state changed and is worth pushing. */
  onChange: (phase: Phase) => void;
  /** A problem that leaves the rest of the state good (an unbuilt model, an unreadable tensor). */
  onProblem: (error: Error) => void;
  /** Advice given once: a setup that silently loses metrics. @default onProblem */
  onAdvice?: (error: Error) => void;
  /** Told of every value the moment it is recorded (the run history). */
  onRecord?: (event: RecordEvent) => void;
}

export class TrainTestRecorder {
  model: ModelLike | undefined;
  params: FitParams = {};
  /** Bounds of the weights histogram, normalised; `undefined` when it is off. */
  readonly bounds: number[] | undefined;
  private readonly state: Record<Phase, PhaseState>;
  private readonly metricsFilter: Set<string> | undefined;
  private readonly rename: (key: string) => string;
  private trainStartMono = 0;
  private epochStartMono: number | undefined;
  private epochSamples = 0;
  private testStartMono = 0;
  private lastBatchSampleMono = -Infinity;
  private readonly warnedKeys = new Set<string>();
  private warnedNoModel = false;

  constructor(private readonly options: RecorderOptions) {
    const given = options.histogramBuckets;
    const bounds = given && given.length > 0 ? normalizeBounds(given) : undefined;
    this.bounds = bounds && bounds.length > 0 ? bounds : undefined;
    this.metricsFilter = options.metrics ? new Set(options.metrics) : undefined;
    this.rename = logKeyRenamer(options.logKeys);
    this.model = options.model;
    this.state = {
      train: newPhaseState('train', options.batchIntervalMs !== undefined),
      test: newPhaseState('test'),
    };
  }

  /** True once a training run has begun (and until the exporter is gone: a finished run stays begun). */
  get trainStarted(): boolean {
    return this.state.train.status !== undefined;
  }

  get trainRunning(): boolean {
    return this.state.train.status === 'running';
  }

  get testStarted(): boolean {
    return this.state.test.status !== undefined;
  }

  trainBegin(info: { model?: ModelLike; targetEpochs?: number } = {}): void {
    if (info.model) this.model = info.model;
    const s = this.freshState('train');
    const clock = this.options.clock;
    this.trainStartMono = clock.monotonicMs();
    this.epochStartMono = this.trainStartMono;
    this.epochSamples = 0;
    s.startTimestampSeconds = clock.wallMs() / 1000;
    s.status = 'running';
    s.elapsedSeconds = 0;
    const target = info.targetEpochs ?? this.options.targetEpochs ?? this.params.epochs;
    if (target !== undefined) s.targetEpochs = target;
    this.readParameterCount(s);
    this.options.onChange('train');
  }

  epochBegin(): void {
    this.epochStartMono = this.options.clock.monotonicMs();
    this.epochSamples = 0;
  }

  epochEnd(epoch: number, logs: Logs, info: { samples?: number } = {}): void {
    const s = this.state.train;
    const now = this.options.clock.monotonicMs();
    const recorded = this.setLogs(s, resolveLogsSync(logs));
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
    const weights =
      this.bounds && every > 0 && (epoch + 1) % every === 0 ? this.weightsHistogram() : undefined;
    if (weights) s.weights = weights;
    this.options.onRecord?.({ type: 'epoch', epoch, values: recorded });
    if (weights)
      this.options.onRecord?.({ type: 'weights', phase: 'train', step: epoch + 1, histogram: weights });
    this.options.onChange('train');
  }

  batchEnd(logs: Logs): void {
    const s = this.state.train;
    const size = logs['size'];
    if (typeof size === 'number') this.epochSamples += size;
    const interval = this.options.batchIntervalMs;
    if (interval === undefined) {
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
    const now = this.options.clock.monotonicMs();
    if (now - this.lastBatchSampleMono < interval) return;
    this.lastBatchSampleMono = now;
    s.batchLogs.clear();
    for (const [k, v] of Object.entries(values)) {
      if (k === 'batch' || k === 'size') continue;
      const name = this.rename(k);
      if (!this.wanted(k, name)) continue;
      s.batchLogs.set(name, v);
    }
    s.elapsedSeconds = (now - this.trainStartMono) / 1000;
    this.options.onRecord?.({ type: 'batch', batch: s.batches, values: Object.fromEntries(s.batchLogs) });
    this.options.onChange('train');
  }

  /** Updates the elapsed time of a running training (the periodic push); false when none is running. */
  tick(): boolean {
    const s = this.state.train;
    if (s.status !== 'running') return false;
    s.elapsedSeconds = (this.options.clock.monotonicMs() - this.trainStartMono) / 1000;
    this.options.onChange('train');
    return true;
  }

  trainEnd(): void {
    const s = this.state.train;
    if (s.status === undefined) return;
    const weights = this.bounds ? this.weightsHistogram() : undefined;
    if (weights) {
      s.weights = weights;
      // The last epoch's histogram already holds this step unless weights came every N epochs: first one wins.
      this.options.onRecord?.({
        type: 'weights',
        phase: 'train',
        step: s.epochsCount ?? 0,
        histogram: weights,
      });
    }
    this.readParameterCount(s);
    s.status = 'succeeded';
    s.endTimestampSeconds = this.options.clock.wallMs() / 1000;
    this.options.onChange('train');
  }

  trainFailed(): void {
    const s = this.state.train;
    const now = this.options.clock.wallMs() / 1000;
    if (s.status === undefined) s.startTimestampSeconds = now;
    s.status = 'failed';
    s.endTimestampSeconds = now;
    this.options.onChange('train');
  }

  testBegin(info: { model?: ModelLike } = {}): void {
    if (info.model) this.model = info.model;
    const s = this.freshState('test');
    this.testStartMono = this.options.clock.monotonicMs();
    s.startTimestampSeconds = this.options.clock.wallMs() / 1000;
    s.status = 'running';
  }

  testEnd(logs: Logs): void {
    const s = this.state.test;
    const recorded = this.setLogs(s, resolveLogsSync(logs));
    s.elapsedSeconds = (this.options.clock.monotonicMs() - this.testStartMono) / 1000;
    this.readParameterCount(s);
    const weights = this.bounds ? this.weightsHistogram() : undefined;
    if (weights) s.weights = weights;
    // A test is placed at the number of epochs trained so far, so tests between epochs line up with them.
    const step = this.state.train.epochsCount ?? 0;
    this.options.onRecord?.({ type: 'test', step, values: recorded });
    if (weights) this.options.onRecord?.({ type: 'weights', phase: 'test', step, histogram: weights });
    s.status = 'succeeded';
    s.endTimestampSeconds = this.options.clock.wallMs() / 1000;
    this.options.onChange('test');
  }

  testFailed(): void {
    const s = this.state.test;
    s.status = 'failed';
    s.endTimestampSeconds = this.options.clock.wallMs() / 1000;
    this.options.onChange('test');
  }

  /** Counts a push outcome into the phase's own `gangplank_exporter_*` series. */
  pushed(phase: Phase, ok: boolean): void {
    if (ok) this.state[phase].lastPushSuccessSeconds = this.options.clock.wallMs() / 1000;
    else this.state[phase].pushFailures += 1;
  }

  /** The metric families the next push of `phase` carries; a log key that clashes with a built-in is reported once. */
  families(phase: Phase): MetricFamily[] {
    const { families, skipped } = phaseFamilies(this.state[phase]);
    for (const key of skipped) {
      if (this.warnedKeys.has(`${phase}:${key}`)) continue;
      this.warnedKeys.add(`${phase}:${key}`);
      this.options.onProblem(
        new Error(
          `log key "${key}" would reuse the name of a built-in gangplank_${phase}_* metric; not exported`,
        ),
      );
    }
    return families;
  }

  private adviseNoModel(): void {
    if (this.warnedNoModel) return;
    this.warnedNoModel = true;
    (this.options.onAdvice ?? this.options.onProblem)(
      new Error(
        'histogramBuckets were given but the exporter has no model, so the weights histogram and the parameter ' +
          'count are not exported: TF.js never hands a plain callbacks object the model. Import TrainTestExporter ' +
          "from '@gangplank/metrics/tfjs' (a tf.Callback: model.fit gives it the model), or pass { model } to the " +
          'constructor, or call exporter.setModel(model), or train with exporter.fit(model, x, y, args).',
      ),
    );
  }

  /** A new run of `phase` starts from an empty state; the exporter's own push counters carry over. */
  private freshState(phase: Phase): PhaseState {
    const old = this.state[phase];
    const s = newPhaseState(phase, phase === 'train' && this.options.batchIntervalMs !== undefined);
    s.pushFailures = old.pushFailures;
    s.lastPushSuccessSeconds = old.lastPushSuccessSeconds;
    this.state[phase] = s;
    return s;
  }

  /** Returns the values set, by exported name. */
  private setLogs(s: PhaseState, values: Record<string, number>): Record<string, number> {
    const set: Record<string, number> = {};
    for (const [k, v] of Object.entries(values)) {
      const name = this.rename(k);
      if (!this.wanted(k, name)) continue;
      s.logs.set(name, v);
      set[name] = v;
      if (s.phase === 'train' && /loss$/.test(k) && !Number.isFinite(v)) s.nonFiniteLoss += 1;
    }
    return set;
  }

  /** The `metrics` filter accepts a key by either spelling (`acc` or `accuracy`). */
  private wanted(key: string, name: string): boolean {
    return !this.metricsFilter || this.metricsFilter.has(key) || this.metricsFilter.has(name);
  }

  private readParameterCount(s: PhaseState): void {
    const m = this.model;
    if (!m || typeof m.countParams !== 'function') return;
    try {
      s.parametersCount = m.countParams();
    } catch (e) {
      // An unbuilt model throws here; the other metrics still go out.
      this.options.onProblem(new Error(`model.countParams() failed: ${toError(e).message}`));
    }
  }

  private weightsHistogram(): HistogramData | undefined {
    const m = this.model;
    if (!this.bounds) return undefined;
    if (!m) {
      this.adviseNoModel();
      return undefined;
    }
    const h = emptyHistogram(this.bounds);
    try {
      for (const t of weightTensors(m)) {
        const values = tensorDataSync(t);
        if (values) observeAll(h, values);
      }
    } catch (e) {
      this.options.onProblem(new Error(`reading the model weights failed: ${toError(e).message}`));
      return undefined;
    }
    return h;
  }
}
