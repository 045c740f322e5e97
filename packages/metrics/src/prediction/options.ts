import type { AnyRegistry } from '../serve/exposition.js';
import type { DriftSource } from './drift-worker.js';

/** Where an error reported to {@link PrometheusModelOptions.onError} came from. */
export type PrometheusModelErrorSource = 'drift' | 'server';

/**
 * Options of `new PrometheusModel(model, options)`. Gangplank 0.5's positional `registry`, `port` and
 * `get_drift_metrics_func` are `registry`, `port` and `drift` here.
 *
 * @typeParam X - the model's input (the first argument of `predict`).
 * @typeParam Y - the model's output (what `predict` returns or resolves to).
 */
export interface PrometheusModelOptions<X = unknown, Y = unknown> {
  /**
   * The prom-client registry to record into. Many models can share one: each adds its own `model`/`version`
   * series to one shared set of metric families.
   * @default a new `Registry` of this model's own (never prom-client's global one)
   */
  readonly registry?: AnyRegistry;
  /**
   * The `model` label value.
   * @default 'default'
   */
  readonly name?: string;
  /**
   * The `version` label value. Prometheus treats an empty label as absent.
   * @default ''
   */
  readonly version?: string;
  /**
   * Start a standalone `/metrics` server on this port (0 picks a free one; see `prometheus.ready`). Models of one
   * registry that give the same port and host share one server. Omit it when the application already serves
   * HTTP: mount `prometheus.handler` there instead.
   * @default undefined (no server)
   */
  readonly port?: number;
  /**
   * The interface the standalone server binds; Gangplank bound `0.0.0.0`. Set `'0.0.0.0'` only when Prometheus
   * scrapes from another host.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * A drift source, checked off the request path after every successful `predict`: a Gangplank-style function
   * `(x, y) => Drift | Promise<Drift>`, or a `DriftDetector` (`check(x, y)`, optional `windowFill()`).
   * @default undefined (no drift metrics for this model)
   */
  readonly drift?: DriftSource<X, Y>;
  /**
   * Drift checks held while the detector is busy; when full, the oldest queued check is dropped and counted in
   * `gangplank_predict_drift_dropped_total`.
   * @default 100
   */
  readonly driftBacklog?: number;
  /**
   * Runs on the request path, right after a successful `predict`, to turn `(x, y)` into what the drift check will
   * see later. Needed when the caller disposes its tensors after `predict` (TF.js): copy or reduce them here,
   * e.g. `(x, y) => [x.clone(), y.clone()]` (and dispose them in the detector) or `(x, y) => [x.arraySync(), y.arraySync()]`.
   * An exception here is counted as a drift error and never reaches the caller.
   * @default undefined (the detector gets `x` and `y` themselves)
   */
  readonly driftInput?: (x: X, y: Y) => readonly [x: unknown, y: unknown];
  /**
   * Methods recorded as Gangplank's `predict` (samples in `gangplank_predict_total`, drift checked). Methods the
   * model does not have are skipped. Use `['run']` for an onnxruntime `InferenceSession`.
   * @default ['predict', 'predictAsync']
   */
  readonly predictMethods?: readonly string[];
  /**
   * Methods recorded as Gangplank's `__call__` (samples in `gangplank_predict_call_total`, no drift). Calling the
   * proxy itself, when the model is a function, counts as `call` too.
   * @default ['apply', 'execute', 'executeAsync'] (TF.js `LayersModel.apply` is Keras' `model(x)`;
   *   `GraphModel.execute`/`executeAsync` run the graph directly)
   */
  readonly callMethods?: readonly string[];
  /**
   * Counts the samples of one call's output (and batch-size histogram value), for outputs the default cannot
   * read. The default reads the batch dimension of a tensor, of the first output of a list or dict of tensors,
   * or the length of an array.
   * @default countSamples (from `@gangplank/metrics`)
   */
  readonly countSamples?: (y: Y, x: X) => number;
  /**
   * Latency histogram bounds in seconds. Shared by every model on the registry, so fixed by the first model.
   * @default DEFAULT_LATENCY_BUCKETS (100 µs to 10 s)
   */
  readonly latencyBuckets?: readonly number[];
  /**
   * A monotonic clock in milliseconds (inject a fake one in tests).
   * @default performance.now
   */
  readonly clock?: () => number;
  /**
   * Told about drift check failures (also counted in `gangplank_predict_drift_errors_total`) and about a
   * standalone server that fails to start or errors later.
   * @default one process warning per model and source, then silence
   */
  readonly onError?: (error: unknown, source: PrometheusModelErrorSource) => void;
}

/** The options after defaults, as the proxy uses them. */
export interface ResolvedOptions {
  readonly registry: AnyRegistry | undefined;
  readonly name: string;
  readonly version: string;
  readonly port: number | undefined;
  readonly host: string;
  readonly driftBacklog: number;
  readonly predictMethods: readonly string[];
  readonly callMethods: readonly string[];
  readonly clock: () => number;
}

export const DEFAULT_PREDICT_METHODS: readonly string[] = Object.freeze(['predict', 'predictAsync']);
export const DEFAULT_CALL_METHODS: readonly string[] = Object.freeze(['apply', 'execute', 'executeAsync']);
const DEFAULT_DRIFT_BACKLOG = 100;

/** Applies defaults and rejects bad values with messages that say what to pass instead. */
export function resolveOptions(options: PrometheusModelOptions<never, never>): ResolvedOptions {
  const name = options.name ?? 'default';
  const version = options.version ?? '';
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(
      `PrometheusModel: name must be a non-empty string (the model label), got ${String(name)}`,
    );
  }
  if (typeof version !== 'string') {
    throw new TypeError(
      `PrometheusModel: version must be a string (the version label), got ${String(version)}`,
    );
  }
  const driftBacklog = options.driftBacklog ?? DEFAULT_DRIFT_BACKLOG;
  if (!Number.isInteger(driftBacklog) || driftBacklog < 1) {
    throw new RangeError(`PrometheusModel: driftBacklog must be an integer >= 1, got ${driftBacklog}`);
  }
  const port = options.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new RangeError(
      `PrometheusModel: port must be an integer from 0 to 65535 (0 = any free port), got ${port}`,
    );
  }
  const drift: unknown = options.drift;
  if (
    drift !== undefined &&
    typeof drift !== 'function' &&
    (drift === null ||
      typeof drift !== 'object' ||
      typeof (drift as { check?: unknown }).check !== 'function')
  ) {
    throw new TypeError(
      'PrometheusModel: drift must be a function (x, y) => Drift or a detector with a check(x, y) method',
    );
  }
  return {
    registry: options.registry,
    name,
    version,
    port,
    host: options.host ?? '127.0.0.1',
    driftBacklog,
    predictMethods: options.predictMethods ?? DEFAULT_PREDICT_METHODS,
    callMethods: options.callMethods ?? DEFAULT_CALL_METHODS,
    clock: options.clock ?? (() => performance.now()),
  };
}
