/**
 * Maps what an executor reports onto a run's state and fields. Pure. An executor never decides a training's state:
 * `queued`/`preparing`/`running` are all the run's `running` (the run was handed over and is being worked on, like an
 * Odahu pod whose setup step runs), `succeeded`/`failed` are final.
 */
import type { RunState } from '../domain/types.js';
import type { ExecutorStatus } from '../executors/executor.js';
import type { RunPatch } from '../store/store.js';

export function runStateOf(status: ExecutorStatus): RunState {
  return status.phase === 'succeeded' ? 'succeeded' : status.phase === 'failed' ? 'failed' : 'running';
}

/** The patch that records `status`, or undefined when nothing the store shows would change. */
export function patchFor(
  status: ExecutorStatus,
  current: { state: RunState; podName?: string; message?: string },
  now: Date,
): RunPatch | undefined {
  const state = runStateOf(status);
  const final = state === 'succeeded' || state === 'failed';
  if (!final) {
    const podName = status.processName;
    if (state === current.state && (podName === undefined || podName === current.podName)) return undefined;
    return { state, ...(podName ? { podName } : {}) };
  }
  return {
    state,
    reason: status.reason ?? (state === 'succeeded' ? 'Succeeded' : 'Failed'),
    message: status.message ?? null,
    exitCode: status.exitCode ?? null,
    ...(status.processName ? { podName: status.processName } : {}),
    ...(status.artifacts ? { artifacts: status.artifacts } : {}),
    finishedAt: (status.finishedAt ?? now).toISOString(),
    release: true,
  };
}
