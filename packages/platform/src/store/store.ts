/**
 * The `Store` port: trainings, toolchain integrations, connections, and the training runs with their logs and
 * metrics history (the contract between the API server and the dispatcher). Two adapters share one SQL
 * implementation: embedded PGlite (default) and PostgreSQL through `pg`.
 *
 * Failures a caller can act on are domain error classes (`domain/errors.ts`), recognised with `instanceof`:
 * `NotFoundError`, `AlreadyExistsError`, `LeaseLostError`, `BadRequestError`. Anything else (the database is
 * unreachable, a query timed out) is a driver error, worth retrying.
 */
import type {
  Connection,
  ConnectionSpec,
  LogChunk,
  ModelTraining,
  ModelTrainingSpec,
  RunState,
  StoredLogChunk,
  ToolchainIntegration,
  ToolchainIntegrationSpec,
  TrainingArtifact,
  TrainingRun,
  TrainingState,
} from '../domain/types.js';
import type { HistorySeries, RecordedPoint } from '../domain/history.js';

/** Odahu paging: `size` items from offset `size·page`. */
export interface Page {
  /** @default 500 */
  size: number;
  /** 0-based. @default 0 */
  page: number;
}

export type TrainingSortField = 'id' | 'createdAt' | 'updatedAt' | 'state' | 'modelName';

export interface TrainingListQuery extends Page {
  /** Exact matches, OR-ed; empty or absent = no filter. */
  toolchain?: readonly string[];
  modelName?: readonly string[];
  modelVersion?: readonly string[];
  state?: readonly TrainingState[];
  /** @default { field: 'id', descending: false } (Odahu's `ORDER BY id`) */
  sort?: { field: TrainingSortField; descending: boolean };
}

export interface ConnectionListQuery extends Page {
  type?: readonly string[];
}

export interface ListResult<T> {
  items: T[];
  /** Items matching the filters, ignoring paging. */
  total: number;
}

/** What a worker may change on a run it holds. */
export interface RunPatch {
  state?: RunState;
  reason?: string | null;
  message?: string | null;
  exitCode?: number | null;
  podName?: string | null;
  artifacts?: TrainingArtifact[];
  startedAt?: string | null;
  finishedAt?: string | null;
  executorHandle?: unknown;
  /** Drop the claim (lease) after a final update. */
  release?: boolean;
}

export interface Store {
  // Trainings. Create and update also create a run (state `scheduling`); the training's status mirrors its latest run.
  listTrainings(query: TrainingListQuery): Promise<ListResult<ModelTraining>>;
  getTraining(id: string): Promise<ModelTraining | undefined>;
  /** Throws `AlreadyExistsError`. */
  createTraining(id: string, spec: ModelTrainingSpec): Promise<{ training: ModelTraining; run: TrainingRun }>;
  /**
   * Saves the spec and starts a new run, even when the spec is unchanged (Odahu #561). Earlier runs that are still
   * active get a cancel request. Throws `NotFoundError`.
   */
  updateTraining(id: string, spec: ModelTrainingSpec): Promise<{ training: ModelTraining; run: TrainingRun }>;
  /** Hard delete (runs and logs go too; active runs get a cancel request first, for the dispatcher). */
  deleteTraining(id: string): Promise<boolean>;

  listToolchains(page: Page): Promise<ListResult<ToolchainIntegration>>;
  getToolchain(id: string): Promise<ToolchainIntegration | undefined>;
  createToolchain(id: string, spec: ToolchainIntegrationSpec): Promise<ToolchainIntegration>;
  updateToolchain(id: string, spec: ToolchainIntegrationSpec): Promise<ToolchainIntegration>;
  deleteToolchain(id: string): Promise<boolean>;

  /** Connections come back with secrets decrypted (plain text); masking is the server's job. */
  listConnections(query: ConnectionListQuery): Promise<ListResult<Connection>>;
  getConnection(id: string): Promise<Connection | undefined>;
  createConnection(id: string, spec: ConnectionSpec): Promise<Connection>;
  updateConnection(id: string, spec: ConnectionSpec): Promise<Connection>;
  deleteConnection(id: string): Promise<boolean>;

  // Runs (the dispatcher's side of the contract).
  /** A new `scheduling` run of an existing training with a snapshot of its spec; it becomes the latest run. */
  createRun(trainingId: string): Promise<TrainingRun>;
  /**
   * Claims up to `limit` `scheduling` runs that nobody holds or whose lease expired, oldest first, with
   * `FOR UPDATE SKIP LOCKED`: two workers never get the same run.
   */
  claimRuns(workerId: string, limit: number, leaseMs: number): Promise<TrainingRun[]>;
  /** Extends the leases `workerId` still holds; returns those runs (a missing one was lost or deleted: stop it). */
  renewLeases(workerId: string, runIds: readonly string[], leaseMs: number): Promise<TrainingRun[]>;
  /**
   * Applies a patch. With `workerId`, refuses (`LeaseLostError`) when another worker holds a live lease.
   * Throws `NotFoundError` for an unknown run.
   */
  updateRun(runId: string, patch: RunPatch, options?: { workerId?: string }): Promise<TrainingRun>;
  /**
   * Asks a run to stop. A run nobody holds yet that is still `scheduling` is finished at once (`failed`,
   * reason `Cancelled`); otherwise the holder sees `cancelRequested`.
   */
  requestCancel(runId: string, reason: string): Promise<TrainingRun>;
  /**
   * Appends chunks after the run's last one; returns the sequence number of the last chunk. Throws
   * `NotFoundError` for an unknown run.
   */
  appendLogs(runId: string, chunks: readonly LogChunk[]): Promise<number>;
  /** Sequence number of the run's last log chunk, 0 before the first. Throws `NotFoundError` for an unknown run. */
  lastLogSeq(runId: string): Promise<number>;
  /** Chunks with `seq > afterSeq`, in order. */
  readLogs(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<StoredLogChunk[]>;
  /**
   * Stores a batch of a run's history points in one transaction. A point whose (phase, name, step) the run already
   * holds is skipped, so a retried batch stores nothing twice. Throws `NotFoundError` for an unknown run and
   * `HistoryLimitError` (nothing stored) when the run would hold more than `maxPoints` (default 200,000).
   */
  appendHistory(
    runId: string,
    points: readonly RecordedPoint[],
    options?: { maxPoints?: number },
  ): Promise<{ stored: number; total: number }>;
  /** The run's history as series (phase, then name; points by step). Throws `NotFoundError` for an unknown run. */
  readHistory(runId: string): Promise<HistorySeries[]>;
  /** Every run of a training, oldest first. */
  listRuns(trainingId: string): Promise<TrainingRun[]>;
  getRun(runId: string): Promise<TrainingRun | undefined>;
  /** Runs in `scheduling` or `running`; only those held by `workerId` when given. */
  listActiveRuns(workerId?: string): Promise<TrainingRun[]>;

  /** Counts of trainings by the state of their latest run (for `/metrics`). */
  countTrainingsByState(): Promise<Record<TrainingState, number>>;
  /** Stops following other servers' changes and closes the database connections. */
  close(): Promise<void>;
}
