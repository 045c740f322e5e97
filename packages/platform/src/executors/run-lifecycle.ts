/**
 * The run lifecycle the folder-based executors (local, Slurm) share: the map of live runs, their listeners, the
 * record kept in the run's folder (`run-folder.ts`), cancel/timeout bookkeeping, the artifact finalisation of a run
 * whose entry point exited 0, and the end of a run. An executor supplies only what differs through
 * {@link LifecyclePrimitives}: how a run is launched and followed stays in the executor, how one is stopped (a process
 * tree, `scancel`) is handed in here.
 *
 * Why one core: the two executors had grown two copies of this code that had begun to differ (one guarded its
 * writes against a removed run folder, the other took an injectable clock). Both behaviours now hold for both.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExecutorReason } from '../domain/executor-reason.js';
import type { RunArtifact } from '../domain/run-artifact.js';
import { RunError, errorText } from '../domain/run-error.js';
import type { RunSpec } from '../domain/run-spec.js';
import type { ExecutorHandle, ExecutorStatus, LogPage, LogStream } from './executor.js';
import { isFinalPhase } from './executor.js';
import { finalizeRun } from './pipeline.js';
import {
  appendLog,
  finalStatusOfFolder,
  logFileOf,
  lost,
  readLog,
  readState,
  statusOfFolder,
  toStatus,
  unlessFolderGone,
  writeState,
  type RunRecord,
} from './run-folder.js';

/** What every executor keeps in memory about a run it follows. */
export interface LiveRun<S extends RunRecord> {
  spec: RunSpec;
  dir: string;
  state: S;
  /** Aborted by a cancel or a timeout: stops the preparation. */
  abort: AbortController;
  listeners: Set<() => void>;
  /** Set once the run's end has begun (its exit is being read, its artifact published). */
  ending?: Promise<void>;
  settled: Promise<void>;
  settle: () => void;
}

/** How a run ended. */
export interface RunEnd {
  reason: ExecutorReason;
  message?: string | undefined;
  artifacts?: RunArtifact[];
}

/** The parts that differ between executors. */
export interface LifecyclePrimitives<S extends RunRecord, R extends LiveRun<S>> {
  /** Adds the executor's own fields to a newly tracked run. */
  extend(run: LiveRun<S>): R;
  /** True when the run's process or job was started (else a re-attached run died in preparation). */
  launched(state: S): boolean;
  /** Stops what runs for a tracked run (its process tree, its job); called after the cancel is recorded. */
  kill(run: R): Promise<void>;
  /** Stops the process or job a run not followed by this server left in its folder (`state` absent: no folder). */
  killUntracked(handle: ExecutorHandle, state: S | undefined): Promise<void>;
  /** Frees what the run held (timers, GPUs) as it ends. */
  onEnd?(run: R): void;
  /** Lets go of a run when the executor closes; the run itself keeps going. */
  onClose?(run: R): void;
}

export interface RunLifecycleOptions {
  /** Executor kind, recorded in handles. */
  kind: string;
  /** Name in messages (`local executor is closed`). */
  label: string;
  /** Folder holding one work folder per run. */
  root: string;
  /** Remove a run's work folder when `release` is called. @default true */
  removeOnRelease?: boolean;
  /** Clock of the times recorded in the state and the log. @default Date.now */
  now?: () => number;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class RunLifecycle<S extends RunRecord, R extends LiveRun<S>> {
  readonly root: string;
  readonly now: () => number;
  closed = false;
  private readonly runs = new Map<string, R>();

  constructor(
    private readonly options: RunLifecycleOptions,
    private readonly primitives: LifecyclePrimitives<S, R>,
  ) {
    this.root = resolve(options.root);
    this.now = options.now ?? Date.now;
    mkdirSync(this.root, { recursive: true });
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }

  get(runId: string): R | undefined {
    return this.runs.get(runId);
  }

  /** Runs this server follows. */
  live(): R[] {
    return [...this.runs.values()];
  }

  /** The folder and the first record of a new run (phase `preparing`); throws what `submit` rejects with. */
  open(spec: RunSpec): R {
    if (this.closed) throw new Error(`${this.options.label} executor is closed`);
    if (!RUN_ID.test(spec.runId)) throw new Error(`run id "${spec.runId}" cannot name a folder`);
    const dir = join(this.root, spec.runId);
    mkdirSync(dir, { recursive: true });
    // The run's record, log and source credentials: the server's only (a root server's run user must not read
    // them, nor write a state that names another process to stop).
    mkdirSync(join(dir, '.gangplank'), { recursive: true, mode: 0o700 });
    chmodSync(join(dir, '.gangplank'), 0o700);
    for (const sub of ['workspace', 'output']) mkdirSync(join(dir, sub), { recursive: true });
    // A new run's state holds only the RunRecord fields; the executor adds its own as the run goes on.
    const run = this.track(spec, dir, { phase: 'preparing', startedAt: this.iso() } as S);
    this.save(run);
    return run;
  }

  handleOf(run: R): ExecutorHandle {
    return { executor: this.options.kind, runId: run.spec.runId, dir: run.dir };
  }

  dirOf(handle: ExecutorHandle): string {
    return typeof handle.dir === 'string' ? handle.dir : join(this.root, handle.runId);
  }

  /**
   * Re-attach: a followed run's status; `Lost` when the folder is gone; a final record as it is; a run that died in
   * preparation ends `Lost`; else `resume` picks the live run up (watch its process, poll its job).
   */
  async attach(
    handle: ExecutorHandle,
    spec: RunSpec,
    resume: (run: R) => Promise<void>,
  ): Promise<ExecutorStatus> {
    const live = this.runs.get(handle.runId);
    if (live) return toStatus(live.state);
    const dir = this.dirOf(handle);
    const state = readState<S>(dir);
    if (!state) return lost('the work folder of the run is gone');
    if (isFinalPhase(state.phase)) return toStatus(state);
    const run = this.track(spec, dir, state);
    if (this.primitives.launched(state)) await resume(run);
    else
      await this.end(run, { reason: 'Lost', message: 'the server stopped while the run was being prepared' });
    return toStatus(run.state);
  }

  status(handle: ExecutorHandle): ExecutorStatus {
    const live = this.runs.get(handle.runId);
    return live ? toStatus(live.state) : statusOfFolder(this.dirOf(handle));
  }

  async cancel(handle: ExecutorHandle, reason: string): Promise<void> {
    const run = this.runs.get(handle.runId);
    if (run) return this.stop(run, reason, false);
    const state = readState<S>(this.dirOf(handle));
    if (!state || !isFinalPhase(state.phase)) await this.primitives.killUntracked(handle, state);
  }

  logs(handle: ExecutorHandle, cursor: string | undefined, limit: number): LogPage {
    return readLog(logFileOf(this.dirOf(handle)), cursor, limit);
  }

  watch(handle: ExecutorHandle, listener: () => void): () => void {
    const run = this.runs.get(handle.runId);
    if (!run) return () => {};
    run.listeners.add(listener);
    return () => run.listeners.delete(listener);
  }

  release(handle: ExecutorHandle): Promise<void> {
    const run = this.runs.get(handle.runId);
    if (run && !isFinalPhase(run.state.phase)) {
      return Promise.reject(new Error(`run ${handle.runId} is still active`));
    }
    this.runs.delete(handle.runId);
    if (this.options.removeOnRelease ?? true) rmSync(this.dirOf(handle), { recursive: true, force: true });
    return Promise.resolve();
  }

  /** Resolves when the run is final (tests, benchmarks, `runTrainingLocally`). */
  async settled(runId: string): Promise<ExecutorStatus | undefined> {
    const run = this.runs.get(runId);
    if (!run) return finalStatusOfFolder(join(this.root, runId));
    await run.settled;
    return toStatus(run.state);
  }

  close(): void {
    this.closed = true;
    for (const run of this.runs.values()) {
      this.primitives.onClose?.(run);
      run.listeners.clear();
    }
    this.runs.clear();
  }

  /** Writes the run's state, then tells its listeners. A removed folder is not an error (see `unlessFolderGone`). */
  save(run: R): void {
    unlessFolderGone(() => writeState(run.dir, run.state));
    for (const listener of run.listeners) listener();
  }

  log(run: R, stream: LogStream, text: string, partial = false): void {
    unlessFolderGone(() => appendLog(run.dir, this.iso(), stream, text, partial));
  }

  /**
   * Cancel or timeout: the first reason is recorded (and wins over what the stop makes the process report), the
   * preparation is aborted, the executor's `kill` stops what runs; `wait` resolves when the run has ended.
   */
  async stop(run: R, reason: string, timedOut: boolean, wait = true): Promise<void> {
    if (isFinalPhase(run.state.phase)) return;
    if (run.state.cancelReason === undefined) {
      run.state.cancelReason = reason;
      run.state.timedOut = timedOut;
      this.save(run);
      this.log(run, 'system', timedOut ? reason : `cancelled: ${reason}`);
    }
    run.abort.abort();
    await this.primitives.kill(run);
    if (wait) await run.settled;
  }

  /** Runs `finish` once per run, however many exit signals or polls see the end. */
  ending(run: R, finish: () => Promise<void>): Promise<void> {
    run.ending ??= finish();
    return run.ending;
  }

  /** A recorded cancel or timeout, as the run's end. */
  cancelled(run: R): RunEnd | undefined {
    if (run.state.cancelReason === undefined) return undefined;
    return { reason: run.state.timedOut ? 'Timeout' : 'Cancelled', message: run.state.cancelReason };
  }

  /** The entry point exited 0: publish the output folder as the artifact, then end the run. */
  async succeed(run: R, message: string | undefined): Promise<void> {
    try {
      const artifacts = await finalizeRun({
        spec: run.spec,
        outputDir: join(run.dir, 'output'),
        artifactDir: join(run.dir, 'artifacts'),
        commitId: run.state.commitId ?? '',
        log: (text) => this.log(run, 'system', text),
      });
      await this.end(run, { reason: 'Succeeded', message, artifacts });
    } catch (error) {
      await this.end(run, {
        reason: error instanceof RunError ? error.reason : 'ArtifactError',
        message: errorText(error),
      });
    }
  }

  /** Records the run's end; a run ends once. A finished run lives on in its folder, memory holds active runs. */
  end(run: R, result: RunEnd): Promise<void> {
    if (isFinalPhase(run.state.phase)) return Promise.resolve();
    this.primitives.onEnd?.(run);
    run.state = {
      ...run.state,
      phase: result.reason === 'Succeeded' ? 'succeeded' : 'failed',
      reason: result.reason,
      ...(result.message !== undefined ? { message: result.message } : {}),
      finishedAt: this.iso(),
      ...(result.artifacts ? { artifacts: result.artifacts } : {}),
    };
    this.log(run, 'system', `run ${run.state.phase}: ${result.message ?? result.reason}`);
    this.save(run);
    run.settle();
    if (this.runs.get(run.spec.runId) === run) this.runs.delete(run.spec.runId);
    return Promise.resolve();
  }

  private track(spec: RunSpec, dir: string, state: S): R {
    let settle = () => {};
    const settled = new Promise<void>((r) => (settle = r));
    const run = this.primitives.extend({
      spec,
      dir,
      state,
      abort: new AbortController(),
      listeners: new Set(),
      settled,
      settle,
    });
    this.runs.set(spec.runId, run);
    return run;
  }
}
