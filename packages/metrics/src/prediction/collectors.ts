/**
 * The prediction metric families of one prom-client `Registry`, shared by every `PrometheusModel` on it.
 *
 * Gangplank 0.5 registers its counters per model, so a second model on the same registry fails with "Duplicated
 * timeseries". Here each registry gets one set of families (created with the first model, kept in a WeakMap), and
 * each model adds its own `model`/`version` series to them. The families are small prom-client-compatible
 * collectors (`name`, `help`, `type`, `get()`, `reset()`) that read {@link ModelSeries} at scrape time, so
 * `registry.metrics()`, `getMetricsAsJSON()`, `resetMetrics()`, `Registry.merge` and the OpenMetrics content type
 * all work as with prom-client's own metrics.
 */
import type { Metric } from 'prom-client';
import type { AnyRegistry } from '../serve/exposition.js';
import { ErrorClassLimiter } from './error-class.js';
import { DEFAULT_BATCH_BUCKETS, DEFAULT_LATENCY_BUCKETS, PREDICT_HELP, PREDICT_METRIC } from './names.js';
import { DriftSeries, MethodSeries, ModelSeries } from './series.js';
import type { BucketCounts, MethodKind, ModelLabels } from './series.js';

type MetricType = 'counter' | 'gauge' | 'histogram';
type FamilyKey = keyof typeof PREDICT_METRIC;
type Labels = Readonly<Record<string, string | number>>;

/** One exposed sample, in the shape prom-client's registry formats. */
interface SampleValue {
  readonly value: number;
  readonly labels: Labels;
  readonly metricName?: string;
}

/** A metric family computed at scrape time from the shared series. */
class Family {
  // Mutable: prom-client's registry renames counters (drops `_total`) when it serves OpenMetrics.
  name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly aggregator: 'sum' | 'first';
  readonly #read: () => SampleValue[];
  readonly #reset: () => void;

  constructor(
    key: FamilyKey,
    type: MetricType,
    read: () => SampleValue[],
    reset: () => void,
    aggregator: 'sum' | 'first' = 'sum',
  ) {
    this.name = PREDICT_METRIC[key];
    this.help = PREDICT_HELP[key];
    this.type = type;
    this.aggregator = aggregator;
    this.#read = read;
    this.#reset = reset;
  }

  /** Same contract as prom-client's `Metric.get()`. */
  get(): Promise<{
    name: string;
    help: string;
    type: MetricType;
    values: SampleValue[];
    aggregator: string;
  }> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.#read(),
      aggregator: this.aggregator,
    });
  }

  /** Called by `registry.resetMetrics()`: zeroes every model's counters (not gauges of live state). */
  reset(): void {
    this.#reset();
  }
}

/** A sample per series of `all()` that `keep` accepts (every one by default): `pick`'s number, the series' labels. */
function numbers<S extends { readonly labels: Labels }>(
  all: () => Iterable<S>,
  pick: (series: S) => number,
  keep: (series: S) => boolean = () => true,
): () => SampleValue[] {
  return () =>
    Array.from(all())
      .filter(keep)
      .map((series) => ({ value: pick(series), labels: series.labels }));
}

/** Options fixed per registry by the first model that uses it. */
export interface RegistryMetricsOptions {
  readonly latencyBuckets?: readonly number[] | undefined;
}

/** The shared prediction metrics of one registry. */
export class PredictionMetrics {
  readonly registry: AnyRegistry;
  readonly latencyBuckets: readonly number[];
  readonly batchBuckets: readonly number[] = DEFAULT_BATCH_BUCKETS;
  readonly errorClasses = new ErrorClassLimiter();
  readonly #models = new Map<string, ModelSeries>();
  readonly #drifts = new Map<string, DriftSeries>();
  #driftRegistered = false;

  constructor(registry: AnyRegistry, options: RegistryMetricsOptions = {}) {
    this.registry = registry;
    this.latencyBuckets = validBuckets(options.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS);
    const models = (): Iterable<ModelSeries> => this.#models.values();
    const reset = (): void => {
      for (const m of this.#models.values()) m.reset();
      for (const d of this.#drifts.values()) d.reset();
    };
    const counter = (key: FamilyKey, pick: (m: ModelSeries) => number): Family =>
      new Family(key, 'counter', numbers(models, pick), reset);
    // One histogram over every method of every model: `which` of each MethodSeries.
    const histogram = (key: 'latency' | 'batchSize', which: 'latency' | 'batch'): Family =>
      new Family(key, 'histogram', () => histogramValues(models(), which, PREDICT_METRIC[key]), reset);
    this.#register([
      counter('samples', (m) => m.predictSamples),
      counter('seconds', (m) => m.predictSeconds),
      counter('callSamples', (m) => m.callSamples),
      counter('callSeconds', (m) => m.callSeconds),
      histogram('latency', 'latency'),
      histogram('batchSize', 'batch'),
      new Family('errors', 'counter', () => errorValues(models()), reset),
      // Live state: resetMetrics() leaves it alone.
      new Family(
        'inFlight',
        'gauge',
        numbers(models, (m) => m.inFlight),
        noop,
      ),
    ]);
  }

  /**
   * The series of `labels`, created on first use. Two models with the same name and version share their series
   * (their counts add up), which is what two wrappers of one deployed model should do.
   */
  model(labels: ModelLabels): ModelSeries {
    const key = `${labels.model}\u0000${labels.version}`;
    let series = this.#models.get(key);
    if (series === undefined) {
      series = new ModelSeries(labels);
      this.#models.set(key, series);
    }
    return series;
  }

  /** Adds (once) the series of an instrumented method to a model. */
  method(series: ModelSeries, method: string, kind: MethodKind): MethodSeries {
    let m = series.methods.find((x) => x.method === method);
    if (m === undefined) {
      m = new MethodSeries(series.labels, method, kind, this.latencyBuckets, this.batchBuckets);
      series.methods.push(m);
    }
    return m;
  }

  /**
   * The drift series of a model and detector, created (and the drift families registered) on first use. The
   * `detector` label keeps two drift sources of one model apart instead of letting them overwrite one gauge.
   */
  drift(series: ModelSeries, detector: string): DriftSeries {
    if (!this.#driftRegistered) this.#registerDrift();
    const key = `${series.labels.model}\u0000${series.labels.version}\u0000${detector}`;
    let drift = this.#drifts.get(key);
    if (drift === undefined) {
      drift = new DriftSeries({ ...series.labels, detector });
      this.#drifts.set(key, drift);
    }
    return drift;
  }

  #registerDrift(): void {
    this.#driftRegistered = true;
    const drifts = (): Iterable<DriftSeries> => this.#drifts.values();
    const reset = (): void => {
      for (const d of this.#drifts.values()) d.reset();
    };
    const counter = (key: FamilyKey, pick: (d: DriftSeries) => number): Family =>
      new Family(key, 'counter', numbers(drifts, pick), reset);
    // The outcome of the last check: zeroed by resetMetrics(), and one worker's value rather than a sum.
    const lastCheck = (key: FamilyKey, pick: (d: DriftSeries) => number): Family =>
      new Family(key, 'gauge', numbers(drifts, pick), reset, 'first');
    // The detector's window, live state of the detectors that have one: left alone by resetMetrics().
    const windowGauge = (key: FamilyKey, pick: (d: DriftSeries) => number): Family =>
      new Family(
        key,
        'gauge',
        numbers(drifts, pick, (d) => d.hasWindow),
        noop,
        'first',
      );
    this.#register([
      counter('driftDetected', (d) => d.detected),
      lastCheck('driftPValue', (d) => d.pValue),
      lastCheck('driftTestStatistic', (d) => d.testStatistic),
      counter('driftChecks', (d) => d.checks),
      new Family(
        'driftErrors',
        'counter',
        () =>
          Array.from(drifts()).flatMap((d) =>
            Array.from(d.errors, ([error, value]) => ({ value, labels: { ...d.labels, error } })),
          ),
        reset,
      ),
      counter('driftDropped', (d) => d.dropped),
      new Family(
        'driftPending',
        'gauge',
        numbers(drifts, (d) => d.pending),
        noop,
      ),
      counter('driftSeconds', (d) => d.seconds),
      windowGauge('driftWindowSamples', (d) => d.windowSamples),
      windowGauge('driftWindowFill', (d) => d.windowFill),
    ]);
  }

  #register(families: readonly Family[]): void {
    for (const family of families) {
      if (this.registry.getSingleMetric(family.name) !== undefined) {
        throw new Error(
          `PrometheusModel: the registry already holds a metric named ${family.name} that this PrometheusModel ` +
            'did not create (a hand-made metric, or another copy of @gangplank/metrics). Give the model a registry ' +
            'of its own, or remove that metric.',
        );
      }
    }
    // prom-client types only its own classes; the registry itself only needs name, help, type, get() and reset().
    for (const family of families) this.registry.registerMetric(family as unknown as Metric);
  }
}

const byRegistry = new WeakMap<AnyRegistry, PredictionMetrics>();

/**
 * The prediction metrics of `registry`, created on first use. Options are fixed by the first caller; a later
 * caller asking for different latency buckets gets an error rather than silently different buckets.
 */
export function predictionMetrics(
  registry: AnyRegistry,
  options: RegistryMetricsOptions = {},
): PredictionMetrics {
  const existing = byRegistry.get(registry);
  if (existing !== undefined) {
    if (
      options.latencyBuckets !== undefined &&
      !sameBuckets(existing.latencyBuckets, options.latencyBuckets)
    ) {
      throw new Error(
        `PrometheusModel: latencyBuckets [${options.latencyBuckets.join(', ')}] differ from the buckets ` +
          `[${existing.latencyBuckets.join(', ')}] this registry's ${PREDICT_METRIC.latency} already uses; ` +
          'every model on one registry shares one histogram, so pass the same buckets (or none).',
      );
    }
    return existing;
  }
  const created = new PredictionMetrics(registry, options);
  byRegistry.set(registry, created);
  return created;
}

function histogramValues(
  models: Iterable<ModelSeries>,
  which: 'latency' | 'batch',
  name: string,
): SampleValue[] {
  const out: SampleValue[] = [];
  const bucketName = `${name}_bucket`;
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;
  for (const model of models) {
    for (const method of model.methods) {
      const h: BucketCounts = method[which];
      let cumulative = 0;
      for (let i = 0; i < h.bounds.length; i++) {
        cumulative += h.counts[i] as number;
        out.push({
          metricName: bucketName,
          value: cumulative,
          labels: { ...method.labels, le: h.bounds[i] as number },
        });
      }
      out.push({ metricName: bucketName, value: h.count, labels: { ...method.labels, le: '+Inf' } });
      out.push({ metricName: sumName, value: h.sum, labels: method.labels });
      out.push({ metricName: countName, value: h.count, labels: method.labels });
    }
  }
  return out;
}

function errorValues(models: Iterable<ModelSeries>): SampleValue[] {
  const out: SampleValue[] = [];
  for (const model of models) {
    for (const method of model.methods) {
      for (const [error, value] of method.errors) out.push({ value, labels: { ...method.labels, error } });
    }
  }
  return out;
}

function validBuckets(buckets: readonly number[]): readonly number[] {
  if (buckets.length === 0) throw new Error('PrometheusModel: latencyBuckets must hold at least one bound');
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i] as number;
    if (!Number.isFinite(b) || b <= 0 || (i > 0 && b <= (buckets[i - 1] as number))) {
      throw new Error(
        `PrometheusModel: latencyBuckets must be finite, positive and strictly increasing seconds; got ` +
          `[${buckets.join(', ')}]`,
      );
    }
  }
  return Object.freeze([...buckets]);
}

function sameBuckets(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function noop(): void {}
