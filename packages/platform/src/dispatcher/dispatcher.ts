/**
 * Why this file is just over 400 lines: it is the one state machine of a held run (claim, start, sync, renew, end,
 * lose), and its transitions read best side by side; the loops, recovery, logs and options already live apart.
 *
 * The dispatcher: claims new runs from the store, hands them to an executor, and records what the executor reports
 * (state, exit code, reason, message, artifacts, logs) on the run.
 *
 * - **Latency.** `wake()` (called by the server after a create, update, delete or cancel) claims at once; a poll
 *   every `pollMs` is the fallback (and what a second server sharing the database relies on). A claimed run is
 *   marked `running` as soon as the executor accepted it.
 * - **Concurrency.** At most `concurrency` runs are held; the rest stay `scheduling` in the store, unclaimed.
 * - **Leases.** Held runs' leases are renewed every `renewMs`; the renewal also brings cancel requests, and a run
 *   that no longer comes back (its training was deleted) is stopped on the executor.
 * - **Restart safety.** On `start()` the dispatcher takes up the active runs it holds (its `workerId` is stable
 *   across restarts: host name + executor kind), and fails the runs of workers that stopped renewing their leases
 *   (`restart-recovery.ts`).
 * - **Loops.** Claiming, lease renewal and each run's sync are single-flight (`single-flight.ts`): a request while
 *   one is under way makes it go round once more instead of starting a second copy.
 */
import { availableParallelism, hostname } from 'node:os';
import { LeaseLostError, NotFoundError } from '../domain/errors.js';
import { errorText } from '../domain/run-error.js';
import type { RunSpec } from '../domain/run-spec.js';
import type { TrainingRun } from '../domain/types.js';
import type { Executor, ExecutorHandle, ExecutorStatus } from '../executors/executor.js';
import type { DispatcherOptions, DispatcherStore } from './dispatcher-options.js';
import { newActiveRun, type ActiveRun, type ActiveRunStart } from './active-run.js';
import { resolveRunSpec, type RunSpecDefaults } from './resolve-run-spec.js';
import { failOrphans, recoverHeldRuns, type RecoveryContext } from './restart-recovery.js';
import { runInfo } from './run-info.js';
import { RunMetricsPublisher, type RunMetricsInfo } from './run-metrics.js';
import { singleFlight } from './single-flight.js';
import { patchFor, runStateOf } from './state-mapping.js';
import { messageWithErrorTail } from './error-tail.js';
import { drainLogs } from './run-logs.js';

export type { DispatcherOptions } from './dispatcher-options.js';

export interface Dispatcher {
  readonly workerId: string;
  /** Recovers held runs, then starts claiming. */
  start(): Promise<void>;
  /** Claim now (and pick up cancel requests now) instead of at the next poll. */
  wake(): void;
  /** Stops claiming and watching. Live runs keep running and are re-attached by the next `start()`. */
  stop(): Promise<void>;
  /** Ids of the runs this dispatcher holds. */
  activeRunIds(): string[];
}

/** Creates a dispatcher; call `start()`. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  return new RunDispatcher(options);
}

class RunDispatcher implements Dispatcher {
  readonly workerId: string;
  private readonly store: DispatcherStore;
  private readonly executor: Executor;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly syncMs: number;
  private readonly renewMs: number;
  private readonly clock: () => Date;
  private readonly warn: (message: string) => void;
  private readonly metrics?: RunMetricsPublisher;
  private readonly resolve: (run: TrainingRun) => Promise<RunSpec>;
  private readonly recovery: RecoveryContext;
  private readonly active = new Map<string, ActiveRun>();
  private readonly timers: NodeJS.Timeout[] = [];
  private starting = 0;
  private running = false;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly tick = singleFlight(() => this.claim(), { while: () => this.running });
  private readonly renew = singleFlight(() => this.renewLeases(), { while: () => this.running });

  constructor(private readonly options: DispatcherOptions) {
    this.store = options.store;
    this.executor = options.executor;
    this.workerId = options.workerId ?? `${hostname()}/${options.executor.kind}`;
    this.concurrency = Math.max(1, options.concurrency ?? availableParallelism());
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 500;
    this.syncMs = options.syncMs ?? 250;
    this.renewMs = options.renewMs ?? Math.min(1000, this.leaseMs / 3);
    this.clock = options.clock ?? (() => new Date());
    this.warn = options.warn ?? ((m) => console.warn(`gangplank dispatcher: ${m}`));
    if (options.pushgateway) {
      this.metrics = new RunMetricsPublisher({
        gateway: options.pushgateway,
        retainMs: options.retainFinishedMs,
        warn: this.warn,
      });
    }
    const defaults: RunSpecDefaults = {
      ...((options.runPushgatewayAddr ?? options.pushgateway)
        ? { pushgatewayAddr: options.runPushgatewayAddr ?? options.pushgateway }
        : {}),
      ...(options.defaultTimeoutMs !== undefined ? { timeoutMs: options.defaultTimeoutMs } : {}),
      ...(options.history ? { history: options.history } : {}),
      ...(options.outputConnection ? { outputConnection: options.outputConnection } : {}),
    };
    this.resolve = options.resolveRunSpec ?? ((run) => resolveRunSpec(run, this.store, defaults));
    this.recovery = {
      store: this.store,
      executor: this.executor,
      workerId: this.workerId,
      clock: this.clock,
      resolve: this.resolve,
      isHeld: (id) => this.active.has(id),
      start: (run) => this.track(this.startRun(run)),
      adopt: (start) => this.adopt(start),
      failLost: (run, message) => this.failLost(run, message),
      requestSync: (id) => this.requestSync(id),
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await recoverHeldRuns(this.recovery);
    await failOrphans(this.recovery);
    this.every(this.pollMs, () => this.wake());
    this.every(this.syncMs, () => {
      for (const id of this.active.keys()) this.requestSync(id);
    });
    this.every(this.renewMs, () => this.track(this.renew()));
    this.every(this.leaseMs, () => this.track(failOrphans(this.recovery)));
    if (this.metrics) {
      const retain = this.metrics.retainMs;
      this.track(this.sweepGateway());
      this.every(retain, () => this.track(this.sweepGateway()));
    }
    this.wake();
  }

  wake(): void {
    if (!this.running) return;
    this.track(this.tick());
    this.track(this.renew());
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    for (const a of this.active.values()) a.unwatch?.();
    this.active.clear();
    this.metrics?.close();
    if (this.options.closeExecutor ?? true) await this.executor.close();
  }

  activeRunIds(): string[] {
    return [...this.active.keys()];
  }

  // ---- loops -----------------------------------------------------------------------------------------------

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private track<T>(promise: Promise<T>): void {
    const p = promise.catch((error: unknown) => this.warn(errorText(error)));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** One round of claiming; true when every free slot was filled, so more runs may be waiting. */
  private async claim(): Promise<boolean> {
    const free = this.concurrency - this.active.size - this.starting;
    if (free <= 0 || !this.running) return false;
    const runs = await this.store.claimRuns(this.workerId, free, this.leaseMs);
    for (const run of runs) {
      this.options.events?.claimed?.(run);
      this.track(this.startRun(run));
    }
    return runs.length === free;
  }

  /** Extends the held runs' leases; picks up cancel requests and drops the runs no longer ours. */
  private async renewLeases(): Promise<void> {
    if (this.active.size === 0) return;
    const ids = [...this.active.keys()];
    const held = new Map(
      (await this.store.renewLeases(this.workerId, ids, this.leaseMs)).map((r) => [r.id, r]),
    );
    for (const id of ids) {
      const a = this.active.get(id);
      if (!a) continue;
      const row = held.get(id);
      if (!row) {
        // Deleted with its training, or taken over after our lease expired: stop it here.
        await this.drop(a, 'the run was deleted or taken over by another worker');
        continue;
      }
      if (row.cancelRequested && !a.cancelling) {
        a.cancelling = true;
        this.track(
          this.executor.cancel(a.handle, row.cancelReason ?? 'cancelled').then(() => this.requestSync(id)),
        );
      }
    }
  }

  // ---- one run ---------------------------------------------------------------------------------------------

  private async startRun(run: TrainingRun): Promise<void> {
    this.starting++;
    try {
      if (run.cancelRequested) {
        await this.finishWithout(run, 'Cancelled', run.cancelReason ?? 'cancelled before it started');
        return;
      }
      let spec: RunSpec;
      try {
        spec = await this.resolve(run);
      } catch (error) {
        await this.finishWithout(run, 'InvalidSpec', errorText(error));
        return;
      }
      // Start at most once. A run whose hand-over to an executor began before this claim (`startedAt` set while
      // still `scheduling`) was being started by a worker that died before recording the process: that process
      // may be running, so the run is failed `Lost` rather than started a second time.
      if (run.startedAt !== undefined) {
        await this.failLost(
          run,
          'the worker that held the run stopped while handing it to its executor; not started again, so it never runs twice',
        );
        return;
      }
      await this.store.updateRun(
        run.id,
        { startedAt: this.clock().toISOString() },
        { workerId: this.workerId },
      );
      let handle: ExecutorHandle;
      try {
        handle = await this.executor.submit(spec);
      } catch (error) {
        await this.finishWithout(
          run,
          'ExecutorError',
          `the ${this.executor.kind} executor refused the run: ${errorText(error)}`,
          spec,
        );
        return;
      }
      const startedAt = this.clock().toISOString();
      // Watched from here (before the first await): a short run may finish while the update below is in flight.
      const a = this.adopt({ run: { ...run, startedAt }, spec, handle, state: 'running' });
      await this.store.updateRun(
        run.id,
        { state: 'running', startedAt, executorHandle: handle },
        { workerId: this.workerId },
      );
      this.track(this.publish(a.run, a.spec, 'running'));
      this.requestSync(run.id);
    } finally {
      this.starting--;
    }
  }

  /** Holds a run: the one place an active run is made, registered and watched. */
  private adopt(start: ActiveRunStart): ActiveRun {
    const id = start.run.id;
    const a = newActiveRun(start, (self) =>
      singleFlight(() => this.sync(self), { while: () => this.active.get(id) === self }),
    );
    this.active.set(id, a);
    a.unwatch = this.executor.watch?.(start.handle, () => this.requestSync(id));
    return a;
  }

  /** Fails (or cancels) a run that never reached the executor. */
  private async finishWithout(
    run: TrainingRun,
    reason: string,
    message: string,
    spec?: RunSpec,
  ): Promise<void> {
    const finishedAt = this.clock().toISOString();
    await this.store.appendLogs(run.id, [
      { stream: 'system', text: `run failed before it started: ${message}\n` },
    ]);
    await this.store.updateRun(
      run.id,
      { state: 'failed', reason, message, finishedAt, release: true },
      { workerId: this.workerId },
    );
    if (spec) this.track(this.publish(run, spec, 'failed', { finishedAt }));
    this.wake();
  }

  private requestSync(id: string): void {
    const a = this.active.get(id);
    if (!a || !this.running) return;
    this.track(a.sync());
  }

  private async sync(a: ActiveRun): Promise<void> {
    let status: ExecutorStatus;
    try {
      // Status before logs: once a final status is read, every line of the run is already in its log.
      status = await this.executor.status(a.handle);
      await drainLogs(this.executor, this.store, a);
    } catch (error) {
      this.warn(`run ${a.run.id}: ${errorText(error)}`);
      return;
    }
    const patch = patchFor(status, a, this.clock());
    // A failure says why: the tail of its error output joins the status message (a cancel needs no cause).
    if (patch?.state === 'failed' && patch.reason !== 'Cancelled') {
      patch.message = messageWithErrorTail(patch.message, a.errorTail);
    }
    if (!patch && !a.cursorDirty) return;
    const handle = { ...a.handle, ...(a.cursor !== undefined ? { logCursor: a.cursor } : {}) };
    try {
      await this.store.updateRun(a.run.id, { ...patch, executorHandle: handle }, { workerId: this.workerId });
    } catch (error) {
      // Only a lost lease or a deleted run ends our watch; anything else (a database hiccup) is retried next sync.
      const gone = error instanceof LeaseLostError || error instanceof NotFoundError;
      if (gone) await this.drop(a, errorText(error));
      else this.warn(`run ${a.run.id}: update not saved, retrying: ${errorText(error)}`);
      return;
    }
    a.cursorDirty = false;
    if (!patch) return;
    a.state = runStateOf(status);
    if (patch.podName) a.podName = patch.podName;
    if (a.state === 'succeeded' || a.state === 'failed') {
      a.unwatch?.();
      this.active.delete(a.run.id);
      this.track(
        this.publish(a.run, a.spec, a.state, {
          ...(status.finishedAt ? { finishedAt: status.finishedAt.toISOString() } : {}),
          ...(status.exitCode !== undefined ? { exitCode: status.exitCode } : {}),
        }),
      );
      this.metrics?.scheduleCleanup(a.run.id);
      if (a.state === 'failed' || a.spec.output) this.release(a);
      this.wake(); // a slot is free
    }
  }

  private release(a: ActiveRun): void {
    if (!(this.options.releaseFinished ?? true) || !this.executor.release) return;
    this.track(this.executor.release(a.handle));
  }

  /** Stops tracking a run we can no longer write to, and stops it on the executor. */
  private async drop(a: ActiveRun, why: string): Promise<void> {
    if (this.active.get(a.run.id) !== a) return;
    this.active.delete(a.run.id);
    a.unwatch?.();
    this.warn(`run ${a.run.id} dropped: ${why}`);
    try {
      await this.executor.cancel(a.handle, why);
    } catch (error) {
      this.warn(`run ${a.run.id}: cancel failed: ${errorText(error)}`);
    }
    this.metrics?.scheduleCleanup(a.run.id);
    this.release(a);
    this.wake();
  }

  private async failLost(run: TrainingRun, message: string): Promise<void> {
    try {
      await this.store.appendLogs(run.id, [{ stream: 'system', text: `run lost: ${message}\n` }]);
      await this.store.updateRun(
        run.id,
        { state: 'failed', reason: 'Lost', message, finishedAt: this.clock().toISOString(), release: true },
        { workerId: this.workerId },
      );
      this.options.events?.lost?.(run);
      this.metrics?.scheduleCleanup(run.id);
    } catch (error) {
      this.warn(`run ${run.id}: not marked lost: ${errorText(error)}`);
    }
  }

  // ---- metrics ---------------------------------------------------------------------------------------------

  private async publish(
    run: TrainingRun,
    spec: RunSpec,
    state: TrainingRun['state'],
    extra: Partial<RunMetricsInfo> = {},
  ): Promise<void> {
    await this.metrics?.publish(runInfo(run, spec, state, this.executor.kind, extra));
  }

  private async sweepGateway(): Promise<void> {
    if (!this.metrics) return;
    const retain = this.metrics.retainMs;
    const now = this.clock().getTime();
    await this.metrics.cleanup(async (labels) => {
      const runId = labels.run_id!;
      if (this.active.has(runId)) return false;
      const run = await this.store.getRun(runId);
      // A run the store does not know may be another platform's sharing this gateway: leave it alone.
      if (!run) return false;
      return run.finishedAt !== undefined && Date.parse(run.finishedAt) + retain < now;
    });
  }
}
