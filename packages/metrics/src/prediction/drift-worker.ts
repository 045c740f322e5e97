/**
 * Runs a model's drift checks off the request path.
 *
 * Gangplank 0.5 calls the drift function inline: its time adds to the prediction's latency and its exceptions
 * discard the prediction. Here `predict` only appends `(x, y)` to a bounded queue and returns; one worker per model
 * runs the checks one at a time (a stateful detector is never called concurrently), after the current macrotask,
 * so even a synchronous detector never runs inside the `predict` call. A full queue drops its oldest check (the
 * freshest data matters most for drift) and counts it; a detector that throws, rejects or returns something that
 * is not a `Drift` is counted by error class, and the next check runs as usual.
 */
import type { Drift, DriftDetector, DriftFunction } from '../drift/drift.js';
import type { ErrorClassLimiter } from './error-class.js';
import { bump } from './series.js';
import type { DriftSeries } from './series.js';

/** A drift source as `PrometheusModel` accepts it: a Gangplank-style function or a stateful detector. */
export type DriftSource<X = unknown, Y = unknown> = DriftFunction<X, Y> | DriftDetector<X, Y>;

/**
 * The `detector` label value of a drift source: a detector's `name` (`ks`, `chi_square`, `mmd_online`…), or
 * `function` for a Gangplank-style function (whose `.name` is whatever the call site made it, often `drift`).
 */
export function driftSourceLabel(source: DriftSource): string {
  if (typeof source === 'function') return 'function';
  const name: unknown = source.name;
  if (typeof name !== 'string' || name === '') return 'detector';
  return name.slice(0, 64).replace(/[^A-Za-z0-9_.:-]/g, '_');
}

/** Thrown (and counted, never propagated) when a drift source returns something that is not a `Drift`. */
export class InvalidDriftResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDriftResultError';
  }
}

export interface DriftWorkerOptions {
  readonly series: DriftSeries;
  readonly errorClasses: ErrorClassLimiter;
  /** Checks held before the oldest is dropped. */
  readonly backlog: number;
  /** Milliseconds, monotonic. */
  readonly clock: () => number;
  /** Told about every failed check; must not throw (its exceptions are swallowed). */
  readonly onError: (error: unknown) => void;
  /** Runs inside `submit` (on the request path) to copy or reduce `(x, y)` before they are queued. */
  readonly snapshot?: ((x: unknown, y: unknown) => readonly [unknown, unknown]) | undefined;
}

/**
 * A fixed-capacity FIFO of `(x, y)` pairs that overwrites its oldest entry when full. A plain array with
 * `shift()` made a full queue cost ~380 ns per prediction in `bench/predict-overhead.ts`; this is O(1) and
 * allocates nothing per call.
 */
class Ring {
  readonly #xs: unknown[];
  readonly #ys: unknown[];
  #head = 0;
  size = 0;

  constructor(capacity: number) {
    this.#xs = new Array<unknown>(capacity).fill(undefined);
    this.#ys = new Array<unknown>(capacity).fill(undefined);
  }

  /** Appends; returns true when the oldest entry was overwritten. */
  push(x: unknown, y: unknown): boolean {
    const capacity = this.#xs.length;
    const full = this.size === capacity;
    const at = (this.#head + this.size) % capacity;
    this.#xs[at] = x;
    this.#ys[at] = y;
    if (full) this.#head = (this.#head + 1) % capacity;
    else this.size++;
    return full;
  }

  /** Removes the oldest entry into `out`; false when empty. */
  shift(out: { x: unknown; y: unknown }): boolean {
    if (this.size === 0) return false;
    out.x = this.#xs[this.#head];
    out.y = this.#ys[this.#head];
    // Release the references: queued tensors or buffers should not outlive their check.
    this.#xs[this.#head] = undefined;
    this.#ys[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#xs.length;
    this.size--;
    return true;
  }

  clear(): void {
    const job = { x: undefined as unknown, y: undefined as unknown };
    while (this.shift(job));
  }
}

export class DriftWorker {
  readonly #check: (x: unknown, y: unknown) => Drift | Promise<Drift>;
  readonly #windowFill: (() => { readonly size: number; readonly capacity: number }) | undefined;
  readonly #o: DriftWorkerOptions;
  readonly #queue: Ring;
  #running = false;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(source: DriftSource, options: DriftWorkerOptions) {
    this.#o = options;
    this.#queue = new Ring(options.backlog);
    if (typeof source === 'function') {
      this.#check = (x, y) => source(x, y);
      this.#windowFill = undefined;
    } else {
      this.#check = (x, y) => source.check(x, y);
      this.#windowFill = typeof source.windowFill === 'function' ? () => source.windowFill!() : undefined;
    }
    options.series.hasWindow = this.#windowFill !== undefined;
    this.#readWindow();
  }

  /** Queues a check of one prediction. Never throws, never waits. */
  submit(x: unknown, y: unknown): void {
    if (this.#closed) return;
    const { series, snapshot } = this.#o;
    if (snapshot !== undefined) {
      try {
        [x, y] = snapshot(x, y);
      } catch (error) {
        this.#fail(error);
        return;
      }
    }
    if (this.#queue.push(x, y)) series.dropped++;
    series.pending = this.#queue.size + (this.#running ? 1 : 0);
    if (!this.#running) {
      this.#running = true;
      // setImmediate, not a microtask: the caller's whole synchronous turn (returning the prediction, writing
      // the HTTP response) completes before a detector runs.
      setImmediate(() => void this.#pump());
    }
  }

  /** Resolves once every queued check has run (or been dropped by `close`). */
  drain(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops taking checks and discards queued ones; a check already running finishes on its own. */
  close(): void {
    this.#closed = true;
    this.#queue.clear();
    this.#o.series.pending = this.#running ? 1 : 0;
    if (!this.#running) this.#settle();
  }

  async #pump(): Promise<void> {
    const { series } = this.#o;
    const job = { x: undefined as unknown, y: undefined as unknown };
    while (this.#queue.shift(job)) {
      series.pending = this.#queue.size + 1;
      await this.#run(job.x, job.y);
      job.x = job.y = undefined;
    }
    this.#running = false;
    series.pending = 0;
    this.#settle();
  }

  async #run(x: unknown, y: unknown): Promise<void> {
    const { series, clock } = this.#o;
    const started = clock();
    try {
      const result = this.#check(x, y);
      apply(series, isThenable(result) ? await result : result);
      series.checks++;
    } catch (error) {
      this.#fail(error);
    } finally {
      series.seconds += (clock() - started) / 1000;
      this.#readWindow();
    }
  }

  #readWindow(): void {
    if (this.#windowFill === undefined) return;
    const { series } = this.#o;
    try {
      const { size, capacity } = this.#windowFill();
      series.windowSamples = size;
      series.windowFill = capacity > 0 ? Math.min(1, size / capacity) : 0;
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    bump(this.#o.series.errors, this.#o.errorClasses.labelFor(error));
    try {
      this.#o.onError(error);
    } catch {
      // A failing error hook must not stop the worker.
    }
  }

  #settle(): void {
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }
}

/** Applies a drift result as Gangplank does: undefined fields leave their metric alone. */
function apply(series: DriftSeries, drift: unknown): void {
  if (drift === null || typeof drift !== 'object') {
    throw new InvalidDriftResultError(
      `a drift check must return a Drift object ({ driftDetected?, pValue?, testStatistic? }), got ${describe(drift)}`,
    );
  }
  const { driftDetected, pValue, testStatistic } = drift as { [K in keyof Drift]?: unknown };
  // Validate everything before touching any metric, so an invalid result changes nothing.
  let detected: number | undefined;
  if (driftDetected !== undefined) {
    // Booleans are accepted from untyped callers: `true` is one incident.
    const n = typeof driftDetected === 'boolean' ? Number(driftDetected) : driftDetected;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
      throw new InvalidDriftResultError(
        `driftDetected must be a finite number >= 0 (it is added to a counter), got ${describe(driftDetected)}`,
      );
    }
    detected = n;
  }
  if (pValue !== undefined && typeof pValue !== 'number') {
    throw new InvalidDriftResultError(`pValue must be a number, got ${describe(pValue)}`);
  }
  if (testStatistic !== undefined && typeof testStatistic !== 'number') {
    throw new InvalidDriftResultError(`testStatistic must be a number, got ${describe(testStatistic)}`);
  }
  if (detected !== undefined) series.detected += detected;
  if (pValue !== undefined) series.pValue = pValue;
  if (testStatistic !== undefined) series.testStatistic = testStatistic;
}

function describe(value: unknown): string {
  switch (typeof value) {
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
    case 'string':
      return `the string "${value}"`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${value}`;
    default:
      return typeof value;
  }
}

/** True for promises and other thenables. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
