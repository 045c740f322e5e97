/**
 * A bounded push queue that coalesces to the latest state per group and pushes in the background, so a training
 * loop never waits on the network. Each group has at most one push in flight and one pending; a newer state
 * replaces the pending one (the body is rendered just before sending, so the newest state is what goes out).
 */
import { toError } from '../to-error.js';
import { PushError } from './errors.js';
import { groupingKeyId, type PushTarget } from './grouping.js';
import type { PushResult, SendOptions } from './client.js';
import type { PushMethod } from './transport.js';

/** The subset of the client the queue needs (a port, so tests can fake it). */
export interface PushSender {
  send(
    method: PushMethod,
    target: PushTarget,
    body: (() => string) | undefined,
    options?: SendOptions,
  ): Promise<PushResult>;
}

/** One queued push: method, group and a render function called right before sending. */
export interface QueuedPush {
  method: PushMethod;
  target: PushTarget;
  /** Renders the exposition text; unused for DELETE. */
  render?: () => string;
}

/** What happened to one push (after its retries). */
export interface PushOutcome {
  key: string;
  target: PushTarget;
  method: PushMethod;
  ok: boolean;
  result?: PushResult;
  error?: PushError;
}

export interface PushQueueOptions {
  /** Most groups with work queued at once; beyond it the oldest pending push is dropped. @default 64 */
  maxGroups?: number;
  /** Called after each push, success or failure. Must not throw (exceptions are swallowed). */
  onOutcome?: (outcome: PushOutcome) => void;
}

export interface FlushResult {
  /** True when every queued push was attempted to its end within the deadline. */
  complete: boolean;
  /** Pushes still pending or in flight when the deadline passed (0 when complete). */
  unfinished: number;
}

interface Slot {
  target: PushTarget;
  pending: QueuedPush | undefined;
  inFlight: boolean;
  seq: number;
}

export class CoalescingPushQueue {
  private readonly slots = new Map<string, Slot>();
  private readonly maxGroups: number;
  private readonly onOutcome: (o: PushOutcome) => void;
  private readonly abort = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private seq = 0;
  private closed = false;
  /** Pushes replaced by a newer state before they were sent. */
  coalesced = 0;
  /** Pushes dropped because the queue was full or closed. */
  dropped = 0;

  constructor(
    private readonly sender: PushSender,
    options: PushQueueOptions = {},
  ) {
    this.maxGroups = Math.max(1, options.maxGroups ?? 64);
    this.onOutcome = options.onOutcome ?? (() => undefined);
  }

  /** Pushes waiting or in flight. */
  get size(): number {
    let n = 0;
    for (const s of this.slots.values()) n += (s.pending ? 1 : 0) + (s.inFlight ? 1 : 0);
    return n;
  }

  /** Queues a push and returns at once; never throws. */
  enqueue(push: QueuedPush): void {
    const key = groupingKeyId(push.target);
    if (this.closed) {
      this.dropped += 1;
      this.report({
        key,
        target: push.target,
        method: push.method,
        ok: false,
        error: this.dropError(push, 'the exporter is closed'),
      });
      return;
    }
    let slot = this.slots.get(key);
    if (slot === undefined) {
      if (this.slots.size >= this.maxGroups) this.evictOldest();
      slot = { target: push.target, pending: undefined, inFlight: false, seq: 0 };
      this.slots.set(key, slot);
    }
    if (slot.pending) this.coalesced += 1;
    slot.pending = push;
    slot.seq = ++this.seq;
    if (!slot.inFlight) void this.drain(key, slot);
  }

  /**
   * Waits until every queued push has been attempted (with retries), or until `timeoutMs` passes. Never rejects;
   * failures are reported through `onOutcome`.
   */
  async flush(timeoutMs = Infinity): Promise<FlushResult> {
    if (this.slots.size === 0) return { complete: true, unfinished: 0 };
    let timer: NodeJS.Timeout | undefined;
    let waiter: (() => void) | undefined;
    const idle = new Promise<boolean>((resolve) => {
      waiter = () => resolve(true);
      this.idleWaiters.push(waiter);
    });
    const deadline = Number.isFinite(timeoutMs)
      ? new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
        })
      : new Promise<boolean>(() => undefined);
    const complete = await Promise.race([idle, deadline]);
    if (timer) clearTimeout(timer);
    this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
    return { complete, unfinished: complete ? 0 : this.size };
  }

  /**
   * Flushes within `timeoutMs`, then cancels whatever is left (in-flight requests and retry waits) and refuses
   * new pushes.
   */
  async close(timeoutMs = 5000): Promise<FlushResult> {
    const result = await this.flush(timeoutMs);
    this.closed = true;
    if (!result.complete) {
      for (const [key, slot] of this.slots) {
        if (slot.pending) {
          this.dropped += 1;
          this.report({
            key,
            target: slot.target,
            method: slot.pending.method,
            ok: false,
            error: this.dropError(slot.pending, `close() gave up after ${timeoutMs} ms`),
          });
          slot.pending = undefined;
        }
      }
      this.abort.abort(new Error(`close() gave up after ${timeoutMs} ms`));
      await this.flush(1000);
    }
    return result;
  }

  private async drain(key: string, slot: Slot): Promise<void> {
    slot.inFlight = true;
    while (slot.pending) {
      const push = slot.pending;
      slot.pending = undefined;
      let outcome: PushOutcome;
      try {
        const render = push.render;
        const result = await this.sender.send(
          push.method,
          push.target,
          push.method === 'DELETE' ? undefined : (render ?? (() => '')),
          {
            signal: this.abort.signal,
          },
        );
        outcome = { key, target: push.target, method: push.method, ok: true, result };
        // A success after failed attempts: a stalled gateway may still apply an attempt we gave up on (a frozen
        // one queues them), after this one; the newest state goes once more so an old epoch cannot stay.
        if (result.attempts > 1 && !slot.pending && push.method !== 'DELETE' && !this.closed) slot.pending = push;
      } catch (e) {
        const error =
          e instanceof PushError
            ? e
            : new PushError(`could not push to the Pushgateway: ${toError(e).message}`, {
                kind: 'dropped',
                method: push.method,
                url: '',
                cause: e,
              });
        outcome = { key, target: push.target, method: push.method, ok: false, error };
      }
      this.report(outcome);
    }
    slot.inFlight = false;
    this.slots.delete(key);
    if (this.slots.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private evictOldest(): void {
    let oldest: [string, Slot] | undefined;
    for (const entry of this.slots) {
      if (entry[1].pending && (oldest === undefined || entry[1].seq < oldest[1].seq)) oldest = entry;
    }
    if (!oldest) return;
    const [key, slot] = oldest;
    const push = slot.pending!;
    slot.pending = undefined;
    if (!slot.inFlight) this.slots.delete(key);
    this.dropped += 1;
    this.report({
      key,
      target: slot.target,
      method: push.method,
      ok: false,
      error: this.dropError(push, `the queue holds at most ${this.maxGroups} groups`),
    });
  }

  private dropError(push: QueuedPush, why: string): PushError {
    return new PushError(`push ${push.method} for job "${push.target.job}" dropped: ${why}`, {
      kind: 'dropped',
      method: push.method,
      url: '',
    });
  }

  private report(outcome: PushOutcome): void {
    try {
      this.onOutcome(outcome);
    } catch {
      // A reporting hook must not break the queue.
    }
  }
}
