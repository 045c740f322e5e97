/**
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
 *   across restarts: host name + executor kind): live runs are re-attached through their stored executor handle and
 *   log cursor (so no log line is stored twice), others fail with reason `Lost`. Runs of another worker whose
 *   lease expired are failed with reason `Lost` as well, so no run stays `running` for ever.
 */
import { hostname } from 'node:os';
import { availableParallelism } from 'node:os';
import type { TrainingRun } from '../domain/types.js';
import type { Executor, ExecutorHandle, ExecutorLogChunk, ExecutorStatus } from '../executors/executor.js';
import type { RunSpec } from '../domain/run-spec.js';
import type { Store } from '../store/store.js';
import { resolveRunSpec, type RunSpecDefaults } from './resolve-run-spec.js';
import { RunMetricsPublisher, type RunMetricsInfo } from './run-metrics.js';
import { patchFor, runStateOf } from './state-mapping.js';

/** The store methods the dispatcher uses (the run side of the `Store` port, plus look-ups for run specs). */
export type DispatcherStore = Pick<
  Store,
  | 'claimRuns'
  | 'renewLeases'
  | 'updateRun'
  | 'appendLogs'
  | 'readLogs'
  | 'getRun'
  | 'listActiveRuns'
  | 'getToolchain'
  | 'getConnection'
>;

export interface DispatcherOptions {
  store: DispatcherStore;
  executor: Executor;
  /** Identity of this dispatcher in run leases. Keep it stable across restarts. @default `<hostname>/<executor kind>` */
  workerId?: string;
  /** Runs held at once. @default os.availableParallelism() */
  concurrency?: number;
  /** @default 30_000 */
  leaseMs?: number;
  /** Fallback poll for new runs. @default 500 */
  pollMs?: number;
  /** How often held runs' status and logs are read from the executor. @default 250 */
  syncMs?: number;
  /** How often leases are renewed (and cancel requests picked up). @default min(1000, leaseMs / 3) */
  renewMs?: number;
  /**
   * Pushgateway for run-level metrics; also handed to runs as `GANGPLANK_PUSHGATEWAY_ADDR` unless
   * `runPushgatewayAddr` says otherwise. Absent: no run metrics, and runs get no gateway address.
   */
  pushgateway?: string;
  runPushgatewayAddr?: string;
  /** How long a finished run's gateway groups stay. @default 900_000 (15 min) */
  retainFinishedMs?: number;
  /** Timeout of runs whose training sets none (`GANGPLANK_TIMEOUT` env). @default 4 h */
  defaultTimeoutMs?: number;
  /** Output connection id for trainings without one. */
  outputConnection?: string;
  /** Replaces the default mapping from a stored run to the executor's run description. */
  resolveRunSpec?: (run: TrainingRun) => Promise<RunSpec>;
  /** Stop the executor in `stop()`. @default true */
  closeExecutor?: boolean;
  /**
   * Free the executor's side of finished runs (the local work folder) once their state and logs are stored: runs
   * that failed, whose artifact went to an output connection, or whose training was deleted. A succeeded run
   * without an output connection keeps its folder: its zip is only there. @default true
   */
  releaseFinished?: boolean;
  /** Where problems that do not belong to a run are reported. @default console.warn */
  warn?: (message: string) => void;
  clock?: () => Date;
}

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

interface Active {
  run: TrainingRun;
  spec: RunSpec;
  handle: ExecutorHandle;
  cursor?: string;
  cursorDirty: boolean;
  state: TrainingRun['state'];
  podName?: string;
  message?: string;
  cancelling: boolean;
  syncing: boolean;
  syncAgain: boolean;
  unwatch?: () => void;
}

const LOG_PAGE = 1000;

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
  private readonly active = new Map<string, Active>();
  private readonly timers: NodeJS.Timeout[] = [];
  private starting = 0;
  private running = false;
  private ticking = false;
  private tickAgain = false;
  private renewing = false;
  private readonly pending = new Set<Promise<unknown>>();

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
      ...(options.outputConnection ? { outputConnection: options.outputConnection } : {}),
    };
    this.resolve = options.resolveRunSpec ?? ((run) => resolveRunSpec(run, this.store, defaults));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.recover();
    await this.failOrphans();
    this.every(this.pollMs, () => this.wake());
    this.every(this.syncMs, () => {
      for (const id of this.active.keys()) this.requestSync(id);
    });
    this.every(this.renewMs, () => this.track(this.renew()));
    this.every(this.leaseMs, () => this.track(this.failOrphans()));
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

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.tickAgain = false;
        const free = this.concurrency - this.active.size - this.starting;
        if (free <= 0 || !this.running) break;
        const runs = await this.store.claimRuns(this.workerId, free, this.leaseMs);
        for (const run of runs) this.track(this.startRun(run));
        if (runs.length === free) this.tickAgain = true; // there may be more waiting
      } while (this.tickAgain && this.running);
    } finally {
      this.ticking = false;
    }
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.active.size === 0) return;
    this.renewing = true;
    try {
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
    } finally {
      this.renewing = false;
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
      const a: Active = {
        run: { ...run, startedAt },
        spec,
        handle,
        cursorDirty: false,
        state: 'running',
        cancelling: false,
        syncing: false,
        syncAgain: false,
      };
      this.active.set(run.id, a);
      // Watch before the first await: a short run may finish while the update below is in flight.
      a.unwatch = this.executor.watch?.(handle, () => this.requestSync(run.id));
      await this.store.updateRun(
        run.id,
        { state: 'running', startedAt, executorHandle: handle },
        { workerId: this.workerId },
      );
      this.track(this.publish(a, 'running'));
      this.requestSync(run.id);
    } finally {
      this.starting--;
    }
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
    if (spec) this.track(this.publishInfo(run, spec, 'failed', { finishedAt }));
    this.wake();
  }

  private requestSync(id: string): void {
    const a = this.active.get(id);
    if (!a || !this.running) return;
    if (a.syncing) {
      a.syncAgain = true;
      return;
    }
    a.syncing = true;
    this.track(
      (async () => {
        try {
          do {
            a.syncAgain = false;
            await this.sync(a);
          } while (a.syncAgain && this.active.get(id) === a);
        } finally {
          a.syncing = false;
        }
      })(),
    );
  }

  private async sync(a: Active): Promise<void> {
    let status: ExecutorStatus;
    try {
      // Status before logs: once a final status is read, every line of the run is already in its log.
      status = await this.executor.status(a.handle);
      await this.drainLogs(a);
    } catch (error) {
      this.warn(`run ${a.run.id}: ${errorText(error)}`);
      return;
    }
    const patch = patchFor(status, a, this.clock());
    if (!patch && !a.cursorDirty) return;
    const handle = { ...a.handle, ...(a.cursor !== undefined ? { logCursor: a.cursor } : {}) };
    try {
      await this.store.updateRun(a.run.id, { ...patch, executorHandle: handle }, { workerId: this.workerId });
    } catch (error) {
      // Only a lost lease or a deleted run ends our watch; anything else (a database hiccup) is retried next sync.
      if (isGone(error)) await this.drop(a, errorText(error));
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
      this.track(this.publish(a, a.state, status));
      this.metrics?.scheduleCleanup(a.run.id);
      if (a.state === 'failed' || a.spec.output) this.release(a);
      this.wake(); // a slot is free
    }
  }

  private release(a: Active): void {
    if (!(this.options.releaseFinished ?? true) || !this.executor.release) return;
    this.track(this.executor.release(a.handle));
  }

  private async drainLogs(a: Active): Promise<void> {
    for (;;) {
      const page = await this.executor.logs(a.handle, a.cursor, LOG_PAGE);
      if (page.chunks.length > 0) {
        await this.store.appendLogs(a.run.id, page.chunks.map(toStoreChunk));
      }
      if (page.cursor !== a.cursor) {
        a.cursor = page.cursor;
        a.cursorDirty = true;
      }
      if (page.chunks.length < LOG_PAGE) return;
    }
  }

  /** Stops tracking a run we can no longer write to, and stops it on the executor. */
  private async drop(a: Active, why: string): Promise<void> {
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

  // ---- restart safety --------------------------------------------------------------------------------------

  private async recover(): Promise<void> {
    for (const run of await this.store.listActiveRuns(this.workerId)) {
      if (this.active.has(run.id)) continue;
      const handle = asHandle(run.executorHandle);
      if (run.state === 'scheduling' && !handle) {
        this.track(this.startRun(run));
        continue;
      }
      if (!handle || handle.executor !== this.executor.kind) {
        await this.failLost(
          run,
          'the server stopped before the run reached an executor that can be re-attached',
        );
        continue;
      }
      let spec: RunSpec;
      try {
        spec = await this.resolve(run);
      } catch (error) {
        await this.executor.cancel(handle, 'lost after a restart').catch(() => undefined);
        await this.failLost(run, `after a restart the run could not be described again: ${errorText(error)}`);
        continue;
      }
      const status = await this.executor.attach(handle, spec);
      const cursor = typeof handle.logCursor === 'string' ? handle.logCursor : undefined;
      const a: Active = {
        run,
        spec,
        handle,
        ...(cursor !== undefined ? { cursor } : {}),
        cursorDirty: false,
        state: run.state,
        ...(run.podName ? { podName: run.podName } : {}),
        cancelling: false,
        syncing: false,
        syncAgain: false,
      };
      this.active.set(run.id, a);
      a.unwatch = this.executor.watch?.(handle, () => this.requestSync(run.id));
      await this.skipStoredLogs(a);
      await this.store.appendLogs(run.id, [
        {
          stream: 'system',
          text: `dispatcher ${this.workerId} restarted; run ${status.phase === 'failed' ? 'could not be re-attached' : 're-attached'}\n`,
        },
      ]);
      this.requestSync(run.id);
    }
  }

  /**
   * The cursor saved with a run trails its last append when the server died between the two writes; the chunks in
   * that gap are in the store already. Skips the executor's chunks that match the stored tail (stream, text and
   * time to the millisecond), so a restart never stores a line twice.
   */
  private async skipStoredLogs(a: Active): Promise<void> {
    const last = await this.store.appendLogs(a.run.id, []); // appends nothing; returns the last sequence number
    if (last === 0) return;
    const tail = await this.store.readLogs(a.run.id, {
      afterSeq: Math.max(0, last - LOG_PAGE),
      limit: LOG_PAGE,
    });
    const key = (c: { stream: string; text: string; time: string }) => `${c.stream}\0${c.text}\0${c.time}`;
    const stored = new Set(tail.map(key));
    const page = await this.executor.logs(a.handle, a.cursor, LOG_PAGE);
    let skip = 0;
    while (skip < page.chunks.length && stored.has(key(toStoreChunk(page.chunks[skip]!)))) skip++;
    if (skip === 0) return;
    a.cursor =
      skip === page.chunks.length ? page.cursor : (await this.executor.logs(a.handle, a.cursor, skip)).cursor;
    a.cursorDirty = true;
  }

  /** Runs held by another worker whose lease expired: that worker is gone, and nobody can follow them. */
  private async failOrphans(): Promise<void> {
    const now = this.clock().getTime();
    for (const run of await this.store.listActiveRuns()) {
      if (run.state !== 'running' || !run.claimedBy || run.claimedBy === this.workerId) continue;
      if (!run.leaseExpiresAt || Date.parse(run.leaseExpiresAt) >= now) continue;
      await this.failLost(run, `worker ${run.claimedBy} stopped renewing its lease (stopped or crashed)`);
    }
  }

  private async failLost(run: TrainingRun, message: string): Promise<void> {
    try {
      await this.store.appendLogs(run.id, [{ stream: 'system', text: `run lost: ${message}\n` }]);
      await this.store.updateRun(
        run.id,
        { state: 'failed', reason: 'Lost', message, finishedAt: this.clock().toISOString(), release: true },
        { workerId: this.workerId },
      );
      this.metrics?.scheduleCleanup(run.id);
    } catch (error) {
      this.warn(`run ${run.id}: not marked lost: ${errorText(error)}`);
    }
  }

  // ---- metrics ---------------------------------------------------------------------------------------------

  private publish(a: Active, state: TrainingRun['state'], status?: ExecutorStatus): Promise<void> {
    return this.publishInfo(a.run, a.spec, state, {
      ...(status?.finishedAt ? { finishedAt: status.finishedAt.toISOString() } : {}),
      ...(status?.exitCode !== undefined ? { exitCode: status.exitCode } : {}),
    });
  }

  private async publishInfo(
    run: TrainingRun,
    spec: RunSpec,
    state: TrainingRun['state'],
    extra: Partial<RunMetricsInfo>,
  ): Promise<void> {
    if (!this.metrics) return;
    await this.metrics.publish({
      runId: run.id,
      trainingId: run.trainingId,
      job: spec.metrics.job,
      state,
      modelName: spec.model.name,
      modelVersion: spec.model.version,
      toolchain: spec.toolchain.id,
      executor: this.executor.kind,
      createdAt: run.createdAt,
      ...(run.startedAt ? { startedAt: run.startedAt } : {}),
      ...extra,
    });
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

/** The store keeps raw text (the log endpoint concatenates chunks), so complete lines get their newline back. */
function toStoreChunk(chunk: ExecutorLogChunk): { stream: ExecutorLogChunk['stream']; text: string; time: string } {
  return {
    stream: chunk.stream,
    text: chunk.partial ? chunk.text : `${chunk.text}\n`,
    time: chunk.time.toISOString(),
  };
}

function asHandle(value: unknown): ExecutorHandle | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const h = value as Record<string, unknown>;
  return typeof h.executor === 'string' && typeof h.runId === 'string' ? (h as ExecutorHandle) : undefined;
}

function isGone(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'LeaseLostError' || name === 'NotFoundError';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
