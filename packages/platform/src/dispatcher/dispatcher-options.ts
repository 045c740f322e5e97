/** What a dispatcher is configured with. */
import type { RunSpec } from '../domain/run-spec.js';
import type { TrainingRun } from '../domain/types.js';
import type { Executor } from '../executors/executor.js';
import type { Store } from '../store/store.js';

/** The store methods the dispatcher uses (the run side of the `Store` port, plus look-ups for run specs). */
export type DispatcherStore = Pick<
  Store,
  | 'claimRuns'
  | 'renewLeases'
  | 'updateRun'
  | 'appendLogs'
  | 'lastLogSeq'
  | 'readLogs'
  | 'getRun'
  | 'listActiveRuns'
  | 'getToolchain'
  | 'getConnection'
>;

/** Told of the dispatcher's own decisions, for counting them (the server's /metrics); no prom-client here. */
export interface DispatcherEvents {
  /** A run this dispatcher claimed from the queue. */
  claimed?(run: TrainingRun): void;
  /** A run this dispatcher failed `Lost` (its hand-over interrupted, or not re-attachable). */
  lost?(run: TrainingRun): void;
}

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
  /** The history endpoint (and credential) of each run, handed to it as `GANGPLANK_HISTORY_URL`/`…_TOKEN`. */
  history?: (trainingId: string, runId: string) => { url: string; token?: string };
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
  events?: DispatcherEvents;
  /** Where problems that do not belong to a run are reported. @default console.warn */
  warn?: (message: string) => void;
  clock?: () => Date;
}
