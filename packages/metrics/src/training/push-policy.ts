/**
 * How the exporter pushes and what it does with problems: the coalescing queue over the Pushgateway client, the
 * periodic push timer, and the error policy (`ignoreExceptions`: report and go on, or hold the first fatal problem
 * for the next call to throw). Telemetry never breaks a training unless the user asked it to.
 */
import type { ResolvedMetricsConfig } from '../config.js';
import { PushgatewayClient, type PushHandler, type PushgatewayClientOptions } from '../push/client.js';
import { PushError } from '../push/errors.js';
import type { PushTarget } from '../push/grouping.js';
import { CoalescingPushQueue, type PushOutcome } from '../push/queue.js';
import { ThreadedPushQueue, type BackgroundPushQueue } from '../push/threaded-queue.js';
import { toError } from '../to-error.js';
import type { Phase } from './catalogue.js';

/** Raised by hooks, `flush()` and `close()` when `ignoreExceptions` is false. */
export class MetricsExportError extends Error {
  override name = 'MetricsExportError';
}

export interface PushPolicyOptions {
  config: ResolvedMetricsConfig;
  targets: Readonly<Record<Phase, PushTarget>>;
  ignoreExceptions: boolean;
  /** The user's hook. @default a process warning, at most one per minute */
  onError?: (error: Error) => void;
  client?: PushgatewayClientOptions;
  handler?: PushHandler;
  /** Push from a worker thread (unless a function option — handler, transport, runtime — needs this one). */
  pushThread?: boolean;
  /** The exposition text of a phase, rendered right before each push. */
  render: (phase: Phase) => string;
  /** Told of each push's outcome, to count it in the phase's state. */
  pushed: (phase: Phase, ok: boolean) => void;
}

const MAX_PROBLEMS = 100;

/** One warning a minute: a gateway that is down for an hour must not flood the training log. */
export function defaultOnError(now: () => number = Date.now): (error: Error) => void {
  let last = -Infinity;
  return (error) => {
    const t = now();
    if (t - last < 60_000) return;
    last = t;
    process.emitWarning(
      `${error.message} (metrics are dropped, training goes on; further warnings muted for 60 s)`,
      'GangplankMetricsWarning',
    );
  };
}

export class PushPolicy {
  readonly client: PushgatewayClient | undefined;
  private readonly queue: BackgroundPushQueue | undefined;
  private readonly errors: Error[] = [];
  private pendingError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly onError: (error: Error) => void;

  constructor(private readonly options: PushPolicyOptions) {
    const { config } = options;
    this.onError = options.onError ?? defaultOnError();
    for (const w of config.warnings) this.report(new Error(w), false);
    if (!config.enabled) return;
    try {
      this.client = new PushgatewayClient(config.pushgatewayAddr, {
        ...options.client,
        handler: options.handler ?? options.client?.handler,
      });
      this.queue = this.backgroundQueue(this.client);
    } catch (e) {
      // A bad address must not crash a training: with ignoreExceptions it only turns pushing off.
      this.report(toError(e), true);
    }
  }

  get enabled(): boolean {
    return this.options.config.enabled;
  }

  get ignoreExceptions(): boolean {
    return this.options.ignoreExceptions;
  }

  /** Problems met so far, oldest first; at most the last 100. */
  get problems(): readonly Error[] {
    return this.errors;
  }

  /** Queues a push of `phase`'s latest state; never blocks, never throws. */
  enqueue(phase: Phase): void {
    if (!this.queue || this.closed) return;
    this.queue.enqueue({
      method: 'PUT',
      target: this.options.targets[phase],
      render: () => this.options.render(phase),
    });
  }

  /** Calls `tick` every `everyMs` (0 = never) until {@link stopTimer}; the timer never keeps the process alive. */
  startTimer(everyMs: number, tick: () => void): void {
    this.stopTimer();
    if (everyMs <= 0 || !this.queue) return;
    this.timer = setInterval(() => {
      // Not guard(): a held problem must surface in the user's next call, not as an uncaught timer exception.
      try {
        tick();
      } catch (e) {
        this.report(toError(e), false);
      }
    }, everyMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Runs one user call under the policy: nothing when metrics are off; the held fatal problem is thrown first;
   * a throw inside is reported (ignoreExceptions) or rethrown.
   */
  guard(fn: () => void): void {
    if (!this.enabled) return;
    this.throwPending();
    try {
      fn();
    } catch (e) {
      const err = toError(e);
      if (!this.ignoreExceptions) throw err;
      this.report(err, false);
    }
  }

  /** Records a problem; `fatal` ones abort the next guarded call when ignoreExceptions is false. */
  report(error: Error, fatal: boolean): void {
    this.errors.push(error);
    if (this.errors.length > MAX_PROBLEMS) this.errors.shift();
    if (!this.ignoreExceptions && fatal) {
      this.pendingError ??= error;
      return;
    }
    this.tell(this.onError, error);
  }

  /**
   * Records advice the user must see once (a setup that loses metrics): to the user's `onError` when there is one,
   * else as a process warning that the one-a-minute muting of push failures cannot swallow.
   */
  advise(error: Error): void {
    this.errors.push(error);
    if (this.errors.length > MAX_PROBLEMS) this.errors.shift();
    this.tell(
      this.options.onError ?? ((e) => process.emitWarning(e.message, 'GangplankMetricsWarning')),
      error,
    );
  }

  private tell(hook: (error: Error) => void, error: Error): void {
    try {
      hook(error);
    } catch {
      // A user's error hook must not break training.
    }
  }

  throwPending(): void {
    if (this.pendingError === undefined) return;
    const e = this.pendingError;
    this.pendingError = undefined;
    throw e;
  }

  async flush(timeoutMs: number): Promise<void> {
    const result = await this.queue?.flush(timeoutMs);
    if (result && !result.complete)
      this.report(
        new MetricsExportError(`${result.unfinished} metrics push(es) still pending after ${timeoutMs} ms`),
        true,
      );
    this.throwPending();
  }

  async close(timeoutMs: number): Promise<void> {
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

  async deleteGroups(): Promise<void> {
    if (!this.client) return;
    const { targets } = this.options;
    await Promise.all([this.client.delete(targets.train), this.client.delete(targets.test)]);
  }

  /**
   * A worker thread when nothing forbids it, so a busy training thread never delays a push; functions (a handler,
   * a transport, a runtime) cannot cross threads, so with one of them the queue runs in this thread.
   */
  private backgroundQueue(client: PushgatewayClient): BackgroundPushQueue {
    const onOutcome = (o: PushOutcome): void => this.onOutcome(o);
    const { client: clientOptions = {}, handler, pushThread = true } = this.options;
    const { handler: clientHandler, transport, runtime, ...cloneable } = clientOptions;
    if (pushThread && !handler && !clientHandler && !transport && !runtime) {
      try {
        return new ThreadedPushQueue({
          address: this.options.config.pushgatewayAddr,
          client: cloneable,
          onOutcome,
        });
      } catch (e) {
        this.report(
          new Error(`no push worker thread (${toError(e).message}); pushing from this thread`),
          false,
        );
      }
    }
    return new CoalescingPushQueue(client, { onOutcome });
  }

  private onOutcome(o: PushOutcome): void {
    const { targets, config } = this.options;
    const phase = o.target === targets.train ? 'train' : o.target === targets.test ? 'test' : undefined;
    if (phase) this.options.pushed(phase, o.ok);
    if (o.ok) return;
    const err = o.error ?? new PushError('push failed', { kind: 'network', method: o.method, url: '' });
    this.report(
      new MetricsExportError(
        `could not push ${phase ?? ''} metrics of job "${config.job}" to the Pushgateway ${this.client?.baseUrl ?? config.pushgatewayAddr}: ${err.message}. ` +
          `Check the address (option or GANGPLANK_PUSHGATEWAY_ADDR), or set GANGPLANK_METRICS_ENABLED=false to train without metrics.`,
        { cause: err },
      ),
      true,
    );
  }
}
