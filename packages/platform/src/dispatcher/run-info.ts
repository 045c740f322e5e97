import type { RunSpec } from '../domain/run-spec.js';
import type { TrainingRun } from '../domain/types.js';
import type { RunMetricsInfo } from './run-metrics.js';

/** What the run-level metrics say about a run in `state`; `extra` adds what only its end knows. */
export function runInfo(
  run: TrainingRun,
  spec: RunSpec,
  state: TrainingRun['state'],
  executor: string,
  extra: Partial<RunMetricsInfo> = {},
): RunMetricsInfo {
  return {
    runId: run.id,
    trainingId: run.trainingId,
    job: spec.metrics.job,
    state,
    modelName: spec.model.name,
    modelVersion: spec.model.version,
    toolchain: spec.toolchain.id,
    executor,
    createdAt: run.createdAt,
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...extra,
  };
}
