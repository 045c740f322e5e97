/**
 * The exporter as a real `tf.Callback`, for `@gangplank/metrics/tfjs`. TF.js hands `setModel(model)` only to
 * `tf.Callback` instances (a plain callbacks object is wrapped in a `CustomCallback` whose `setModel` does
 * nothing), so `model.fit(x, y, { callbacks: [exporter] })` gives this exporter the model, as Keras does, and the
 * parameter count and weights histogram go out with no extra call. This is the only module that imports TF.js;
 * the main entry never loads it.
 */
import { Callback } from '@tensorflow/tfjs-layers';
import type { ResolvedMetricsConfig } from '../config.js';
import type { PushTarget } from '../push/grouping.js';
import type { Phase } from './catalogue.js';
import type { TrainTestExporterOptions } from './exporter-options.js';
import { TrainTestExporter as PlainExporter } from './exporter.js';
import type { Evaluated, EvaluatingModel, Logs, ModelLike } from './model.js';

type Container = Parameters<Callback['setModel']>[0];
type Params = Parameters<Callback['setParams']>[0];

/**
 * Pushes training and testing metrics to a Prometheus Pushgateway; a `tf.Callback`.
 *
 * @example
 * import { TrainTestExporter, HISTOGRAM_WEIGHT_BUCKETS_1_0 } from '@gangplank/metrics/tfjs';
 * const exporter = new TrainTestExporter('127.0.0.1:9091', 'mnist', { histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_1_0 });
 * await model.fit(x, y, { epochs: 5, validationSplit: 0.1, callbacks: [exporter] });
 * await exporter.close();
 */
export class TrainTestExporter extends Callback {
  /** The plain exporter doing the work; every method below hands over to it. */
  readonly exporter: PlainExporter;

  /** Same arguments as the main entry's `TrainTestExporter`. */
  constructor(pgwAddr?: string, job?: string, options: TrainTestExporterOptions = {}) {
    super();
    this.exporter = new PlainExporter(pgwAddr, job, options);
  }

  get config(): ResolvedMetricsConfig {
    return this.exporter.config;
  }

  get enabled(): boolean {
    return this.exporter.enabled;
  }

  get targets(): Readonly<Record<Phase, PushTarget>> {
    return this.exporter.targets;
  }

  get problems(): readonly Error[] {
    return this.exporter.problems;
  }

  override setModel(model: Container): void {
    super.setModel(model);
    this.exporter.setModel(model);
  }

  override setParams(params: Params): void {
    super.setParams(params);
    this.exporter.setParams(params);
  }

  override onTrainBegin(logs?: Logs): Promise<void> {
    return this.exporter.onTrainBegin(logs);
  }

  override onTrainEnd(logs?: Logs): Promise<void> {
    return this.exporter.onTrainEnd(logs);
  }

  override onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    return this.exporter.onEpochBegin(epoch, logs);
  }

  override onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    return this.exporter.onEpochEnd(epoch, logs);
  }

  override onBatchBegin(batch: number, logs?: Logs): Promise<void> {
    return this.exporter.onBatchBegin(batch, logs);
  }

  override onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    return this.exporter.onBatchEnd(batch, logs);
  }

  /** Runs `model.evaluate` and records `gangplank_test_*` (see the main entry's exporter). */
  evaluate<R extends Evaluated>(model: EvaluatingModel<R>, x: unknown, y: unknown, args?: unknown): R {
    return this.exporter.evaluate<R>(model, x, y, args);
  }

  /** Records test results measured elsewhere (begin + end). */
  recordTest(logs: Logs, info: { model?: ModelLike } = {}): void {
    this.exporter.recordTest(logs, info);
  }

  flush(timeoutMs?: number): Promise<void> {
    return this.exporter.flush(timeoutMs);
  }

  close(timeoutMs?: number): Promise<void> {
    return this.exporter.close(timeoutMs);
  }

  deleteGroups(): Promise<void> {
    return this.exporter.deleteGroups();
  }

  render(phase: Phase): string {
    return this.exporter.render(phase);
  }
}
