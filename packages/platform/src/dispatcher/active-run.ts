/** A run the dispatcher holds, with what it knows of it between two syncs. */
import type { RunSpec } from '../domain/run-spec.js';
import type { TrainingRun } from '../domain/types.js';
import type { ExecutorHandle } from '../executors/executor.js';

export interface ActiveRun {
  run: TrainingRun;
  spec: RunSpec;
  handle: ExecutorHandle;
  /** The executor's log cursor: chunks before it are stored. */
  cursor?: string;
  /** The cursor moved since it was last saved with the run. */
  cursorDirty: boolean;
  /** The last lines of the run's stderr seen so far, for the status message of a failure. */
  errorTail?: string;
  /** The state and pod name last stored, so an unchanged status writes nothing. */
  state: TrainingRun['state'];
  podName?: string;
  /** A cancel was sent to the executor already. */
  cancelling: boolean;
  /** Reads status and logs and stores them (single-flight: see `single-flight.ts`). */
  sync: () => Promise<void>;
  unwatch?: () => void;
}

/** What an active run starts from: a fresh start, or a run taken up again after a restart. */
export interface ActiveRunStart {
  run: TrainingRun;
  spec: RunSpec;
  handle: ExecutorHandle;
  state: TrainingRun['state'];
  cursor?: string;
  podName?: string;
}

/** `syncFor` makes the run's sync loop (it needs the run to know when the run is no longer held). */
export function newActiveRun(
  start: ActiveRunStart,
  syncFor: (a: ActiveRun) => () => Promise<void>,
): ActiveRun {
  const a: ActiveRun = {
    run: start.run,
    spec: start.spec,
    handle: start.handle,
    ...(start.cursor !== undefined ? { cursor: start.cursor } : {}),
    cursorDirty: false,
    state: start.state,
    ...(start.podName ? { podName: start.podName } : {}),
    cancelling: false,
    sync: () => Promise.resolve(),
  };
  a.sync = syncFor(a);
  return a;
}
