/**
 * Records a run's history without ever holding the training up: `record` only converts and buffers (bounded); one
 * background loop sends the buffer in batches, one request at a time, each with a deadline, and retries a failed
 * batch with capped exponential backoff for as long as the run lasts. Retrying is safe because the server keeps the
 * first point of each (phase, name, step) and ignores repeats. `close()` sends what is left within a deadline.
 */
import { backoffDelay, type RetryPolicy } from '../push/backoff.js';
import { eventPoints, type RecordEvent } from './history-point.js';
import type { HistorySink } from './history-sink.js';
import { PointBuffer } from './point-buffer.js';

export interface HistoryRecorderOptions {
  sink: HistorySink;
  /** Points held while the server is away; past it new points are dropped and counted. @default 100000 */
  bufferPoints?: number;
  /** Points per request. @default 2000 */
  batchPoints?: number;
  /** Backoff between attempts (its `retries` is ignored: a batch is retried until it goes or the run closes). */
  retry?: Partial<Omit<RetryPolicy, 'retries'>>;
  /** Unix time in ms. @default Date.now */
  now?: () => number;
  /** Problems: failed attempts (the caller throttles), drops, refused batches, points left at close. */
  onProblem: (error: Error) => void;
  /** @default Math.random */
  random?: () => number;
}

export interface HistoryStats {
  /** Points handed to the sink and confirmed. */
  sent: number;
  /** Points dropped because the buffer was full. */
  dropped: number;
  /** Points the sink refused for good (the batch was not retried). */
  refused: number;
  /** Points still waiting. */
  pending: number;
}

export class HistoryRecorder {
  private readonly buffer: PointBuffer;
  private readonly batchPoints: number;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly random: () => number;
  private pumping = false;
  private closed = false;
  private sent = 0;
  private refused = 0;
  private full = false;
  private wakeBackoff: (() => void) | undefined;
  private readonly idle = new Set<() => void>();
  /** Set while closing: no backoff may outlast it. */
  private deadline = Infinity;

  constructor(private readonly options: HistoryRecorderOptions) {
    this.buffer = new PointBuffer(options.bufferPoints ?? 100_000);
    this.batchPoints = Math.max(1, options.batchPoints ?? 2000);
    this.policy = {
      retries: Infinity,
      initialDelayMs: options.retry?.initialDelayMs ?? 200,
      factor: options.retry?.factor ?? 2,
      maxDelayMs: options.retry?.maxDelayMs ?? 5000,
    };
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Where the points go. */
  get target(): string {
    return this.options.sink.target;
  }

  get stats(): HistoryStats {
    return {
      sent: this.sent,
      dropped: this.buffer.dropped,
      refused: this.refused,
      pending: this.buffer.size,
    };
  }

  /** Buffers the event's points and wakes the sender. Never throws, never waits. */
  record(event: RecordEvent): void {
    if (this.closed) return;
    const points = eventPoints(event, this.now() / 1000);
    if (points.length === 0) return;
    const dropped = this.buffer.add(points);
    if (dropped > 0 && !this.full) {
      this.full = true;
      this.options.onProblem(
        new Error(
          `run history buffer is full (${this.buffer.capacity} points waiting for ${this.target}): new points are dropped and counted until it drains`,
        ),
      );
    } else if (dropped === 0 && this.full && this.buffer.size < this.buffer.capacity / 2) {
      this.full = false;
    }
    this.pump();
  }

  /** Resolves once every buffered point was sent (or refused), or after `timeoutMs`; true when nothing is left. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.buffer.size === 0 && !this.pumping) return true;
    this.pump();
    let timer: NodeJS.Timeout | undefined;
    let done: (() => void) | undefined;
    const drained = new Promise<void>((resolve) => {
      done = resolve;
      this.idle.add(resolve);
    });
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, timeoutMs));
    });
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
    if (done) this.idle.delete(done);
    return this.buffer.size === 0;
  }

  /**
   * Sends what is left, waiting at most `timeoutMs` (a pending backoff is cut short to fit), then stops. Points
   * still unsent are reported with their count.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.deadline = this.now() + Math.max(0, timeoutMs);
    this.wakeBackoff?.();
    const drained = await this.flush(timeoutMs);
    this.closed = true;
    this.wakeBackoff?.();
    const { pending, dropped } = this.stats;
    if (!drained || dropped > 0) {
      this.options.onProblem(
        new Error(
          `run history: ${pending} points not delivered to ${this.target} before close` +
            (dropped > 0 ? `, ${dropped} dropped while the buffer was full` : ''),
        ),
      );
    }
  }

  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    // setImmediate: the hook calls of one synchronous burst (an epoch's values, its histogram) share one request.
    setImmediate(() => {
      void this.loop();
    });
  }

  private async loop(): Promise<void> {
    let failures = 0;
    try {
      while (!this.closed && this.buffer.size > 0) {
        const batch = this.buffer.peek(this.batchPoints);
        const outcome = await this.options.sink.send(batch);
        if (outcome.ok) {
          this.buffer.confirm(batch.length);
          this.sent += batch.length;
          failures = 0;
          continue;
        }
        this.options.onProblem(outcome.error);
        if (!outcome.retry) {
          this.buffer.confirm(batch.length);
          this.refused += batch.length;
          continue;
        }
        failures += 1;
        await this.backoff(backoffDelay(failures, this.policy, this.random));
      }
    } finally {
      this.pumping = false;
      if (this.buffer.size === 0 || this.closed) {
        for (const resolve of this.idle) resolve();
        this.idle.clear();
      } else {
        this.pump();
      }
    }
  }

  /** Waits `ms`, cut short by close; the timer never keeps the process alive on its own. */
  private backoff(ms: number): Promise<void> {
    const wait = Math.min(ms, Math.max(0, this.deadline - this.now()));
    return new Promise((resolve) => {
      const timer = setTimeout(finish, wait);
      timer.unref();
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeBackoff = () => {
        this.wakeBackoff = undefined;
        finish();
      };
    });
  }
}
