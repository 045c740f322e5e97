/**
 * `PrometheusModel`: an instrumenting proxy for any model with a `predict` method, recording what Python
 * Gangplank 0.5's `PrometheusModel` records (same metric names and HELP texts) and more.
 *
 * What Gangplank's `__call__` maps to: Keras' `model(x)` is TF.js `LayersModel.apply(x)`, and `GraphModel`
 * runs its graph directly with `execute`/`executeAsync`; those methods (see `callMethods`), and calling the proxy
 * itself when the model is a function, are recorded as `gangplank_predict_call_*`.
 *
 * The proxy behaves as the model for everything else: property reads, writes, `in`, `Object.keys` and the
 * prototype are the model's, so `proxy instanceof tf.LayersModel` is true (Gangplank's `isinstance` was False),
 * and `proxy instanceof PrometheusModel` is true too. Methods read from the model's prototype chain are bound to
 * the model, so classes with `#private` fields work and their internal calls are not recorded twice.
 * `fit`, `evaluate` and the rest pass through unrecorded, as in Gangplank. The one property the proxy adds is
 * `prometheus` (the {@link PrometheusModelHandle}); it shadows a model property of that name.
 */
import { inspect } from 'node:util';
import { Registry } from 'prom-client';
import { renderMetrics } from '../serve/exposition.js';
import type { AnyRegistry, Exposition } from '../serve/exposition.js';
import { metricsHandler } from '../serve/handler.js';
import type { MetricsRequestHandler } from '../serve/handler.js';
import type { MetricsServer } from '../serve/server.js';
import { predictionMetrics } from './collectors.js';
import { DriftWorker, driftSourceLabel, isThenable } from './drift-worker.js';
import type { DriftSource } from './drift-worker.js';
import { resolveOptions } from './options.js';
import type { PrometheusModelErrorSource, PrometheusModelOptions } from './options.js';
import { countSamples } from './sample-count.js';
import { leaseServer } from './shared-server.js';
import { toError } from '../to-error.js';
import { bump } from './series.js';
import type { MethodKind, MethodSeries, ModelLabels } from './series.js';

/** The controls and metrics of one wrapped model, at `proxy.prometheus`. */
export interface PrometheusModelHandle {
  /**
   * The registry this model records into (its own one unless `options.registry` was given). Typed as a
   * Prometheus-text registry for convenience; it is the one passed in, whatever its content type.
   */
  readonly registry: Registry;
  /** This model's `model` and `version` label values. */
  readonly labels: ModelLabels;
  /** The wrapped model itself (calls on it are not recorded). */
  readonly target: object;
  /** Names of the methods recorded as `predict` and as `call`. */
  readonly instrumented: { readonly predict: readonly string[]; readonly call: readonly string[] };
  /**
   * Resolves with the standalone server once it listens (with `undefined` when no `port` was given); rejects with
   * a `MetricsServerError` when it cannot listen (port in use). The rejection is also reported to `onError`, so
   * not awaiting this never crashes the process.
   */
  readonly ready: Promise<MetricsServer | undefined>;
  /** A `(req, res)` handler serving this model's registry, to mount in the application's own server. */
  readonly handler: MetricsRequestHandler;
  /** The registry's exposition text and content type. */
  metrics(): Promise<Exposition>;
  /** Resolves once every queued drift check has run; immediately when there is no drift source. */
  drain(): Promise<void>;
  /**
   * Stops drift checking (queued checks are discarded, a running one finishes on its own) and closes the
   * standalone server. The model's series stay in the registry, as counters should. Safe to call twice.
   */
  close(): Promise<void>;
}

/** A wrapped model: the model's own type, plus the `prometheus` handle. */
export type PrometheusModel<M extends object = object> = M & { readonly prometheus: PrometheusModelHandle };

type AnyFunction = (...args: never[]) => unknown;
/** The first argument of the model's `predict`, for typing the drift source. */
export type PredictInput<M> = M extends { predict: (x: infer X, ...rest: never[]) => unknown } ? X : unknown;
/** What the model's `predict` returns or resolves to. */
export type PredictOutput<M> = M extends { predict: (...args: never[]) => infer Y } ? Awaited<Y> : unknown;

/** The `PrometheusModel` constructor. */
export interface PrometheusModelConstructor {
  /**
   * Wraps `model`, recording every `predict` (and `call`) into a prom-client registry.
   *
   * @example
   * ```ts
   * const model = new PrometheusModel(await tf.loadLayersModel(url), { name: 'mnist', version: '3', port: 8561 });
   * await model.prometheus.ready; // scrape http://127.0.0.1:8561/metrics
   * const y = model.predict(x);   // same result, recorded
   * ```
   * @throws TypeError when `model` has none of the `predictMethods` and is not callable, or an option is invalid.
   */
  new <M extends object>(
    model: M,
    options?: PrometheusModelOptions<PredictInput<M>, PredictOutput<M>>,
  ): PrometheusModel<M>;
  /** True for proxies made by this constructor. */
  [Symbol.hasInstance](value: unknown): boolean;
}

/** The property holding the handle. */
const HANDLE = 'prometheus';
const proxies = new WeakSet<object>();
const ignoredPrototypes: readonly object[] = [Object.prototype, Function.prototype];

function create(model: object, options: PrometheusModelOptions = {}): PrometheusModel {
  if (model === null || (typeof model !== 'object' && typeof model !== 'function')) {
    throw new TypeError(
      `PrometheusModel: the model must be an object or function with a predict method, got ${typeof model}`,
    );
  }
  if (proxies.has(model)) {
    throw new TypeError(
      'PrometheusModel: this model is already a PrometheusModel; wrap the original model once',
    );
  }
  const o = resolveOptions(options);
  const registry: AnyRegistry = o.registry ?? new Registry();
  const metrics = predictionMetrics(registry, { latencyBuckets: options.latencyBuckets });
  const labels: ModelLabels = { model: o.name, version: o.version };
  const series = metrics.model(labels);
  const { clock } = o;
  const report = options.onError ?? warnOnce(labels);
  const onError = (error: unknown, source: PrometheusModelErrorSource): void => {
    try {
      report(error, source);
    } catch {
      // A throwing hook must not become an unhandled rejection or break a prediction.
    }
  };
  const drift: DriftSource | undefined = options.drift;
  const worker =
    drift === undefined
      ? undefined
      : new DriftWorker(drift, {
          series: metrics.drift(series, driftSourceLabel(drift)),
          errorClasses: metrics.errorClasses,
          backlog: o.driftBacklog,
          clock,
          onError: (error) => onError(error, 'drift'),
          snapshot: options.driftInput,
        });
  const customCount = options.countSamples;
  const count = customCount === undefined ? countSamples : safeCount(customCount);
  const target = model as Record<PropertyKey, unknown>;

  const succeeded = (m: MethodSeries, started: number, x: unknown, y: unknown): void => {
    const seconds = (clock() - started) / 1000;
    series.inFlight--;
    const n = count(y, x);
    if (m.kind === 'predict') {
      series.predictSamples += n;
      series.predictSeconds += seconds;
      if (worker !== undefined) worker.submit(x, y);
    } else {
      series.callSamples += n;
      series.callSeconds += seconds;
    }
    m.latency.observe(seconds);
    m.batch.observe(n);
  };
  const failed = (m: MethodSeries, started: number, error: unknown): void => {
    const seconds = (clock() - started) / 1000;
    series.inFlight--;
    // Gangplank adds the time of failed calls too (its `finally`), so the compatible counters do.
    if (m.kind === 'predict') series.predictSeconds += seconds;
    else series.callSeconds += seconds;
    m.latency.observe(seconds);
    bump(m.errors, metrics.errorClasses.labelFor(error));
  };
  const instrument = (m: MethodSeries, call: (thisArg: unknown, args: unknown[]) => unknown) =>
    function instrumented(this: unknown, ...args: unknown[]): unknown {
      const started = clock();
      series.inFlight++;
      let y: unknown;
      try {
        y = call(this, args);
      } catch (error) {
        failed(m, started, error);
        throw error;
      }
      if (!isThenable(y)) {
        succeeded(m, started, args[0], y);
        return y;
      }
      return y.then(
        (value) => {
          succeeded(m, started, args[0], value);
          return value;
        },
        (error: unknown) => {
          failed(m, started, error);
          throw error;
        },
      );
    };

  // The wrappers, made once: the hot path does one Map lookup in the `get` trap and no allocation of its own.
  const wrappers = new Map<PropertyKey, unknown>();
  const instrumented = { predict: [] as string[], call: [] as string[] };
  const wrapMethods = (names: readonly string[], kind: MethodKind): void => {
    for (const name of names) {
      const fn = target[name];
      if (typeof fn !== 'function' || wrappers.has(name) || isIgnored(name, fn)) continue;
      const m = metrics.method(series, name, kind);
      // The method is looked up at each call, so replacing it on the model later is honoured.
      wrappers.set(
        name,
        instrument(m, (_this, args) => Reflect.apply(target[name] as AnyFunction, model, args)),
      );
      instrumented[kind].push(name);
    }
  };
  wrapMethods(o.predictMethods, 'predict');
  wrapMethods(o.callMethods, 'call');
  const callable = typeof model === 'function';
  const callWrapper = callable
    ? instrument(metrics.method(series, 'call', 'call'), (thisArg, args) =>
        Reflect.apply(model as AnyFunction, thisArg, args),
      )
    : undefined;
  if (callable) instrumented.call.push('call');
  if (instrumented.predict.length === 0 && !callable) {
    throw new TypeError(
      `PrometheusModel: the model has none of the methods ${o.predictMethods.join(', ')} and is not a function. ` +
        "Pass predictMethods with its inference method's name, e.g. { predictMethods: ['run'] } for an " +
        'onnxruntime InferenceSession.',
    );
  }

  let closed: Promise<void> | undefined;
  const lease =
    o.port === undefined ? undefined : leaseServer(registry, o.host, o.port, (e) => onError(e, 'server'));
  const ready: Promise<MetricsServer | undefined> = lease?.server ?? Promise.resolve(undefined);
  // Reported here so a caller that never awaits `ready` gets a warning, not an unhandled rejection.
  ready.catch((error: unknown) => onError(error, 'server'));
  let handler: MetricsRequestHandler | undefined;
  const handle: PrometheusModelHandle = {
    registry: registry as Registry,
    labels: series.labels,
    target: model,
    instrumented,
    ready,
    get handler() {
      return (handler ??= metricsHandler(registry));
    },
    metrics: () => renderMetrics(registry),
    drain: () => worker?.drain() ?? Promise.resolve(),
    close: () =>
      (closed ??= (async () => {
        worker?.close();
        await lease?.release();
      })()),
  };

  const boundCache = new Map<PropertyKey, { fn: AnyFunction; bound: AnyFunction }>();
  const proxy = new Proxy(shadowOf(model, labels), {
    get(_shadow, prop) {
      if (prop === HANDLE) return handle;
      const wrapper = wrappers.get(prop);
      if (wrapper !== undefined) return wrapper;
      const value: unknown = Reflect.get(model, prop, model);
      return typeof value === 'function' && !Object.prototype.hasOwnProperty.call(model, prop)
        ? bound(prop, value as AnyFunction)
        : value;
    },
    set: (_shadow, prop, value) => Reflect.set(model, prop, value, model),
    has: (_shadow, prop) => prop === HANDLE || Reflect.has(model, prop),
    deleteProperty: (_shadow, prop) => Reflect.deleteProperty(model, prop),
    ownKeys: () => Reflect.ownKeys(model),
    getOwnPropertyDescriptor(_shadow, prop) {
      const descriptor = Reflect.getOwnPropertyDescriptor(model, prop);
      if (descriptor === undefined) return undefined;
      const wrapper = wrappers.get(prop);
      // Reported configurable: the shadow target does not hold the property, and a proxy may only report a
      // non-configurable property that its target really has.
      return 'value' in descriptor && wrapper !== undefined
        ? { ...descriptor, value: wrapper, configurable: true }
        : { ...descriptor, configurable: true };
    },
    defineProperty: (_shadow, prop, descriptor) => Reflect.defineProperty(model, prop, descriptor),
    getPrototypeOf: () => Reflect.getPrototypeOf(model),
    setPrototypeOf: (_shadow, proto) => Reflect.setPrototypeOf(model, proto),
    ...(callWrapper === undefined
      ? {}
      : {
          apply: (_shadow: unknown, thisArg: unknown, args: unknown[]) =>
            Reflect.apply(callWrapper, thisArg, args),
        }),
  }) as PrometheusModel;
  proxies.add(proxy);
  return proxy;

  /** Prototype methods bound to the model, cached so `proxy.fit === proxy.fit`. */
  function bound(prop: PropertyKey, fn: AnyFunction): AnyFunction {
    if (prop === 'constructor' || isIgnored(prop, fn)) return fn;
    const cached = boundCache.get(prop);
    if (cached !== undefined && cached.fn === fn) return cached.bound;
    const b: AnyFunction = fn.bind(model);
    boundCache.set(prop, { fn, bound: b });
    return b;
  }
}

/**
 * The proxy's target: an empty stand-in, so the proxy can report the model's properties (even frozen or
 * non-configurable ones, like a frozen plain-object model's `predict`) without breaking the Proxy invariants that
 * tie a trap's answers to its target. A function when the model is callable, so the `apply` trap works.
 */
function shadowOf(model: object, labels: ModelLabels): object {
  const shadow: object = typeof model === 'function' ? () => undefined : {};
  // util.inspect shows a proxy's target, not what the traps report; make it show the model.
  Object.defineProperty(shadow, inspect.custom, {
    configurable: true,
    value: (_depth: number, options: object) =>
      `PrometheusModel(${labels.model}${labels.version === '' ? '' : `@${labels.version}`}) ${inspect(model, options)}`,
  });
  return shadow;
}

/** Methods every object or function inherits (`toString`, `call`, `bind`…): never wrapped, never bound. */
function isIgnored(prop: PropertyKey, fn: unknown): boolean {
  return ignoredPrototypes.some((p) => (p as Record<PropertyKey, unknown>)[prop] === fn);
}

/** A user sample counter that may not throw or return nonsense on the hot path. */
function safeCount(custom: (y: unknown, x: unknown) => number): (y: unknown, x: unknown) => number {
  return (y, x) => {
    try {
      const n = custom(y, x);
      return Number.isFinite(n) && n >= 0 ? n : countSamples(y);
    } catch {
      return countSamples(y);
    }
  };
}

function warnOnce(labels: ModelLabels): (error: unknown, source: PrometheusModelErrorSource) => void {
  const warned = new Set<PrometheusModelErrorSource>();
  return (error, source) => {
    if (warned.has(source)) return;
    warned.add(source);
    const what = source === 'drift' ? 'drift check' : 'metrics server';
    const more =
      source === 'drift' ? '; later failures are only counted in gangplank_predict_drift_errors_total' : '';
    const e = toError(error);
    const message = `${e.name}: ${e.message}`;
    process.emitWarning(`PrometheusModel(${labels.model}): ${what} failed: ${message}${more}`, {
      type: 'GangplankWarning',
    });
  };
}

class PrometheusModelImpl {
  constructor(model: object, options?: PrometheusModelOptions) {
    // A constructor may return another object: `new PrometheusModel(m)` is the proxy, not an instance of this class.
    return create(model, options);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' || typeof value === 'function' ? proxies.has(value as object) : false;
  }
}

/** Wraps a model so its predictions are recorded; see {@link PrometheusModelConstructor}. */
export const PrometheusModel = PrometheusModelImpl as unknown as PrometheusModelConstructor;
