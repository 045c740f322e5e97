/** A run as the API shows it: without the dispatcher's lease and the executor's handle. */
import type { TrainingRun } from '../../domain/types.js';

export function toWireRun(
  run: TrainingRun,
): Omit<TrainingRun, 'claimedBy' | 'leaseExpiresAt' | 'executorHandle'> {
  const { claimedBy: _claimedBy, leaseExpiresAt: _lease, executorHandle: _handle, ...wire } = run;
  return wire;
}
