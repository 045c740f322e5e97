/**
 * The push queue on a worker thread (push-worker.ts). `enqueue` renders the body here, at once, and posts it: a
 * message reaches the worker even while this thread is busy, so a hand-written synchronous training loop is
 * pushed on time, and a down or hanging gateway costs this thread nothing. Outcomes come back as messages and are
 * handled when this thread is free again.
 */
import { Worker } from 'node:worker_threads';
import { toError } from '../to-error.js';
import { PushError } from './errors.js';
import { groupingKeyId, type PushTarget } from './grouping.js';
import type { FlushResult, PushOutcome, QueuedPush } from './queue.js';
import type { CloneableClientOptions, FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

/** What the exporter needs of a background queue; `CoalescingPushQueue` (in-thread) has the same shape. */
export interface BackgroundPushQueue {
  enqueue(push: QueuedPush): void;
  flush(timeoutMs: number): Promise<FlushResult>;
  close(timeoutMs: number): Promise<FlushResult>;
}

export interface ThreadedPushQueueOptions {
  address: string;
  client: CloneableClientOptions;
  maxGroups?: number;
  onOutcome: (outcome: PushOutcome) => void;
}

/** Slack on top of a flush deadline for the worker's answer to come back. */
const ANSWER_SLACK_MS = 1000;

/**
 * The worker's compiled script. From `dist/` it sits next to this module; when this module runs from its `.ts`
 * source (the tests), Node cannot start a `.ts` worker, so the built one in `dist/` is used (`tsc -b` first).
 */
function workerScript(): URL {
  const fromSources = import.meta.url.endsWith('.ts');
  return new URL(fromSources ? '../../dist/push/push-worker.js' : './push-worker.js', import.meta.url);
}

export class ThreadedPushQueue implements BackgroundPushQueue {
  private readonly worker: Worker;
  private readonly targets = new Map<string, PushTarget>();
  private readonly waiting = new Map<number, (result: FlushResult) => void>();
  private nextId = 0;
  private dead: Error | undefined;
  private closed = false;

  constructor(private readonly options: ThreadedPushQueueOptions) {
    const init: WorkerInit = {
      address: options.address,
      client: options.client,
      maxGroups: options.maxGroups,
    };
    this.worker = new Worker(workerScript(), { workerData: init });
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (e) => this.die(toError(e)));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.die(new Error(`the push worker exited with code ${code}`));
    });
    // After the listeners (a 'message' listener refs the port again): a forgotten exporter must not keep the
    // process alive; close() holds it alive with a timer while it waits for the worker's answer.
    this.worker.unref();
  }

  enqueue(push: QueuedPush): void {
    const key = groupingKeyId(push.target);
    if (this.dead || this.closed) {
      this.report(
        key,
        push,
        this.dead ? `the push worker failed: ${this.dead.message}` : 'the exporter is closed',
      );
      return;
    }
    this.targets.set(key, push.target);
    let body: string | undefined;
    try {
      body = push.method === 'DELETE' ? undefined : (push.render?.() ?? '');
    } catch (e) {
      this.report(key, push, `rendering the metrics failed: ${toError(e).message}`);
      return;
    }
    this.post({ type: 'push', key, method: push.method, target: push.target, body });
  }

  flush(timeoutMs: number): Promise<FlushResult> {
    return this.request('flush', timeoutMs);
  }

  async close(timeoutMs: number): Promise<FlushResult> {
    const result = await this.request('close', timeoutMs);
    this.closed = true;
    // The worker ends itself after answering; terminate() covers one that could not answer in time.
    void this.worker.terminate().catch(() => undefined);
    return result;
  }

  private request(type: 'flush' | 'close', timeoutMs: number): Promise<FlushResult> {
    if (this.dead || this.closed) return Promise.resolve({ complete: !this.dead, unfinished: 0 });
    const id = ++this.nextId;
    return new Promise<FlushResult>((resolve) => {
      // Ref'd: it keeps the process alive until the worker answers (or the deadline passes).
      const timer = setTimeout(
        () => {
          this.waiting.delete(id);
          resolve({ complete: false, unfinished: 1 });
        },
        (Number.isFinite(timeoutMs) ? Math.max(0, timeoutMs) : 2 ** 31 - 1 - ANSWER_SLACK_MS) +
          ANSWER_SLACK_MS,
      );
      this.waiting.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.post({ type, id, timeoutMs });
    });
  }

  private post(message: ToWorker): void {
    try {
      this.worker.postMessage(message);
    } catch (e) {
      this.die(toError(e));
    }
  }

  private receive(m: FromWorker): void {
    if (m.type === 'done') {
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      waiter?.(m.result);
      return;
    }
    const target = this.targets.get(m.key);
    if (!target) return;
    const error = m.error
      ? new PushError(m.error.message, {
          kind: m.error.kind,
          method: m.method,
          url: '',
          ...(m.error.status !== undefined ? { status: m.error.status } : {}),
          ...(m.error.attempts !== undefined ? { attempts: m.error.attempts } : {}),
        })
      : undefined;
    this.tell({ key: m.key, target, method: m.method, ok: m.ok, ...(error ? { error } : {}) });
  }

  private die(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    for (const waiter of this.waiting.values()) waiter({ complete: false, unfinished: 1 });
    this.waiting.clear();
  }

  private report(key: string, push: QueuedPush, why: string): void {
    const error = new PushError(`push ${push.method} for job "${push.target.job}" dropped: ${why}`, {
      kind: 'dropped',
      method: push.method,
      url: '',
    });
    this.tell({ key, target: push.target, method: push.method, ok: false, error });
  }

  private tell(outcome: PushOutcome): void {
    try {
      this.options.onOutcome(outcome);
    } catch {
      // A reporting hook must not break the queue.
    }
  }
}
