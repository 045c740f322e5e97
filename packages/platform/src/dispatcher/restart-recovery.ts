/**
 * Restart safety. On start a dispatcher takes up the active runs it holds (its worker id is stable across
 * restarts): live runs are re-attached through their stored executor handle and log cursor, so no log line is
 * stored twice; others fail with reason `Lost`. Runs of another worker whose lease expired fail `Lost` as well,
 * so no run stays `running` for ever.
 */
import { errorText } from '../domain/run-error.js';
import type { RunSpec } from '../domain/run-spec.js';
import type { TrainingRun } from '../domain/types.js';
import type { Executor, ExecutorHandle } from '../executors/executor.js';
import type { Store } from '../store/store.js';
import type { ActiveRun, ActiveRunStart } from './active-run.js';
import { LOG_PAGE, toStoreChunk, type StoreChunk } from './run-logs.js';

/** What recovery needs from the dispatcher. */
export interface RecoveryContext {
  store: Pick<Store, 'listActiveRuns' | 'appendLogs' | 'lastLogSeq' | 'readLogs'>;
  executor: Executor;
  workerId: string;
  clock: () => Date;
  resolve(run: TrainingRun): Promise<RunSpec>;
  isHeld(runId: string): boolean;
  /** Starts a claimed run that never reached an executor. */
  start(run: TrainingRun): void;
  /** Holds a run again (builds its active record and watches it). */
  adopt(start: ActiveRunStart): ActiveRun;
  failLost(run: TrainingRun, message: string): Promise<void>;
  /** Reads the run's status and logs now. */
  requestSync(runId: string): void;
}

function asHandle(value: unknown): ExecutorHandle | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const h = value as Record<string, unknown>;
  return typeof h.executor === 'string' && typeof h.runId === 'string' ? (h as ExecutorHandle) : undefined;
}

/** Takes up the active runs this worker holds. */
export async function recoverHeldRuns(context: RecoveryContext): Promise<void> {
  const { store, executor } = context;
  for (const run of await store.listActiveRuns(context.workerId)) {
    if (context.isHeld(run.id)) continue;
    const handle = asHandle(run.executorHandle);
    if (run.state === 'scheduling' && !handle) {
      context.start(run);
      continue;
    }
    if (!handle || handle.executor !== executor.kind) {
      await context.failLost(
        run,
        'the server stopped before the run reached an executor that can be re-attached',
      );
      continue;
    }
    let spec: RunSpec;
    try {
      spec = await context.resolve(run);
    } catch (error) {
      await executor.cancel(handle, 'lost after a restart').catch(() => undefined);
      await context.failLost(
        run,
        `after a restart the run could not be described again: ${errorText(error)}`,
      );
      continue;
    }
    const status = await executor.attach(handle, spec);
    const cursor = typeof handle.logCursor === 'string' ? handle.logCursor : undefined;
    const a = context.adopt({
      run,
      spec,
      handle,
      state: run.state,
      ...(cursor !== undefined ? { cursor } : {}),
      ...(run.podName ? { podName: run.podName } : {}),
    });
    await skipStoredLogs(context, a);
    const what = status.phase === 'failed' ? 'could not be re-attached' : 're-attached';
    await store.appendLogs(run.id, [
      { stream: 'system', text: `dispatcher ${context.workerId} restarted; run ${what}\n` },
    ]);
    context.requestSync(run.id);
  }
}

/**
 * The cursor saved with a run trails its last append when the server died between the two writes; the chunks in
 * that gap are in the store already. Skips the executor's chunks that match the stored tail (stream, text and
 * time to the millisecond), so a restart never stores a line twice.
 */
async function skipStoredLogs(context: RecoveryContext, a: ActiveRun): Promise<void> {
  const { store, executor } = context;
  const last = await store.lastLogSeq(a.run.id);
  if (last === 0) return;
  const tail = await store.readLogs(a.run.id, { afterSeq: Math.max(0, last - LOG_PAGE), limit: LOG_PAGE });
  const key = (c: StoreChunk) => `${c.stream}\0${c.text}\0${c.time}`;
  const stored = new Set(tail.map(key));
  const page = await executor.logs(a.handle, a.cursor, LOG_PAGE);
  let skip = 0;
  while (skip < page.chunks.length && stored.has(key(toStoreChunk(page.chunks[skip]!)))) skip++;
  if (skip === 0) return;
  a.cursor =
    skip === page.chunks.length ? page.cursor : (await executor.logs(a.handle, a.cursor, skip)).cursor;
  a.cursorDirty = true;
}

/**
 * Runs held by another worker whose lease expired: that worker is gone, and nobody can follow them. What they left
 * running (a process tree on this host, a Slurm job, a Kubernetes Job) is stopped first, through the executor's
 * cancel of a run it does not follow, so an orphan neither outlives its record nor holds a slot beyond the
 * concurrency.
 */
export async function failOrphans(context: RecoveryContext): Promise<void> {
  const now = context.clock().getTime();
  for (const run of await context.store.listActiveRuns()) {
    if (run.state !== 'running' || !run.claimedBy || run.claimedBy === context.workerId) continue;
    if (!run.leaseExpiresAt || Date.parse(run.leaseExpiresAt) >= now) continue;
    const handle = asHandle(run.executorHandle);
    if (handle && handle.executor === context.executor.kind) {
      await context.executor
        .cancel(handle, `worker ${run.claimedBy} is gone: its run is stopped`)
        .catch(() => undefined);
    }
    await context.failLost(run, `worker ${run.claimedBy} stopped renewing its lease (stopped or crashed)`);
  }
}
