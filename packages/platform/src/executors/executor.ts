/**
 * The `Executor` port: the only way the dispatcher starts, watches and stops runs. The local executor implements it
 * with child processes; Slurm (`sbatch`/`squeue`/`scancel`) and Kubernetes (batch/v1 Jobs) fit the same shape:
 * `submit` returns a serialisable handle (a pid and folder, a Slurm job id, a Job name) that survives a restart of
 * the server, `status` and `logs` are polled with it, `cancel` stops the run. An executor never decides a training's
 * state: it reports a phase, and the dispatcher maps it onto the state machine.
 */
import type { ExecutorReason } from '../domain/executor-reason.js';
import type { RunArtifact } from '../domain/run-artifact.js';
import type { RunSpec } from '../domain/run-spec.js';

/** What the executor knows about a run. `preparing` = fetching code/data/dependencies. */
export type ExecutorPhase = 'queued' | 'preparing' | 'running' | 'succeeded' | 'failed';

/** Serialisable pointer to a submitted run, stored with the run and used to re-attach after a restart. */
export interface ExecutorHandle {
  /** Executor kind that made it (`local`, `slurm`, `kubernetes`). */
  executor: string;
  runId: string;
  /** Executor-specific fields (pid, work folder, job id …); JSON only. */
  [key: string]: string | number | boolean | null | undefined;
}

export interface ExecutorStatus {
  phase: ExecutorPhase;
  /** Exit code of the entry point, once known. */
  exitCode?: number;
  reason?: ExecutorReason;
  /** Human-readable; for data errors it names the binding. */
  message?: string;
  /** Process / job name shown as the run's pod name. */
  processName?: string;
  startedAt?: Date;
  finishedAt?: Date;
  /** Commit id of the algorithm source, once fetched. */
  commitId?: string;
  artifacts?: RunArtifact[];
}

export type LogStream = 'stdout' | 'stderr' | 'system';

/** One piece of output, in the order the run produced it. */
export interface ExecutorLogChunk {
  /** 0-based position in the run's log; stable across restarts, so a consumer can de-duplicate. */
  seq: number;
  stream: LogStream;
  time: Date;
  /** A line without its trailing newline. */
  text: string;
  /** True when `text` did not end a line (a progress bar, a split long line, output without a final newline). */
  partial?: boolean;
}

export interface LogPage {
  chunks: ExecutorLogChunk[];
  /** Opaque; pass it back to get what follows. */
  cursor: string;
}

export interface Executor {
  /** Executor kind, recorded in handles. */
  readonly kind: string;
  /** Starts a run and returns at once (preparation happens in the background). */
  submit(spec: RunSpec): Promise<ExecutorHandle>;
  /**
   * Picks a run up again after a restart of the server. Resolves to the current status: a live run keeps being
   * watched; a run that cannot be found or followed is reported `failed` with reason `Lost`.
   */
  attach(handle: ExecutorHandle, spec: RunSpec): Promise<ExecutorStatus>;
  status(handle: ExecutorHandle): Promise<ExecutorStatus>;
  /** Stops the run (its whole process tree / job) and records `reason` as its message. Idempotent. */
  cancel(handle: ExecutorHandle, reason: string): Promise<void>;
  /** Output after `cursor` (from the start when absent), at most `limit` chunks. */
  logs(handle: ExecutorHandle, cursor?: string, limit?: number): Promise<LogPage>;
  /** Optional push notification: `listener` is called when the status or the log of the run changed. */
  watch?(handle: ExecutorHandle, listener: () => void): () => void;
  /** Deletes what the run left on the executor side (work folder); call after logs and artifacts are saved. */
  release?(handle: ExecutorHandle): Promise<void>;
  /** Stops watching; live runs keep running (they are re-attached by the next server). */
  close(): Promise<void>;
}

/** True when the phase is final. */
export function isFinalPhase(phase: ExecutorPhase): boolean {
  return phase === 'succeeded' || phase === 'failed';
}
