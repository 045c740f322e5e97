/**
 * A run's status from its Job and pod. Pure.
 *
 * - Job condition `Complete` → succeeded, with the artifact record from the `result` step's termination message.
 * - Job condition `Failed`: `DeadlineExceeded` → Timeout; else the pod says why: the `setup` step's termination
 *   message (`{"reason":"SourceError","message":…}`), the `train` container's exit code, the `result` step
 *   (ArtifactError), or an eviction.
 * - A pod that cannot pull an image (`ErrImagePull`, `ImagePullBackOff`, `InvalidImageName`) or whose container
 *   cannot be created is failed at once with Kubernetes' reason: Kubernetes would retry for ever.
 * - An evicted pod (`status.reason: Evicted`, node pressure) → Lost, with the kubelet's message.
 */
import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import type { ExecutorStatus } from '../executor.js';
import type { ExecutorReason } from '../../domain/executor-reason.js';
import type { RunArtifact } from '../../domain/run-artifact.js';

/** Annotation holding the reason Gangplank gave when it cancelled the run. */
export const CANCEL_ANNOTATION = 'gangplank.io/cancel-reason';

const FATAL_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

const REASONS = new Set<ExecutorReason>([
  'Failed',
  'SourceError',
  'DataError',
  'ToolchainError',
  'DependencyError',
  'ArtifactError',
  'ResourceError',
]);

/** What a step writes to its termination log. */
export interface StepMessage {
  reason?: ExecutorReason;
  message?: string;
  commitId?: string;
  artifacts?: RunArtifact[];
}

export function parseStepMessage(text: string | undefined): StepMessage | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as StepMessage;
    if (parsed.reason && !REASONS.has(parsed.reason)) parsed.reason = 'Failed';
    return parsed;
  } catch {
    return { message: text.trim() };
  }
}

function container(pod: V1Pod | undefined, name: string): V1ContainerStatus | undefined {
  const all = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
  return all.find((c) => c.name === name);
}

function when(value: Date | string | undefined): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Maps a Job (undefined = not found) and its newest pod. */
export function mapJobStatus(job: V1Job | undefined, pod: V1Pod | undefined): ExecutorStatus {
  if (!job)
    return { phase: 'failed', reason: 'Lost', message: 'the Job of the run is gone from the cluster' };
  const base: ExecutorStatus = { phase: 'queued' };
  if (pod?.metadata?.name) base.processName = pod.metadata.name;
  const startedAt = when(job.status?.startTime);
  if (startedAt) base.startedAt = startedAt;
  const setup = container(pod, 'setup');
  const train = container(pod, 'train');
  const result = container(pod, 'result');
  const setupInfo = parseStepMessage(setup?.state?.terminated?.message);
  if (setupInfo?.commitId) base.commitId = setupInfo.commitId;
  const trainExit = train?.state?.terminated?.exitCode;
  if (trainExit !== undefined) base.exitCode = trainExit;
  const finishedAt = when(job.status?.completionTime) ?? when(train?.state?.terminated?.finishedAt);
  const conditions = job.status?.conditions ?? [];
  const done = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');

  const complete = done('Complete');
  const cancelReason = job.metadata?.annotations?.[CANCEL_ANNOTATION];
  if (cancelReason !== undefined && !complete) {
    // Cancelled by Gangplank: the Job was suspended (its pod stopped) with the reason in an annotation, so any
    // server reading the Job sees the same outcome.
    return {
      ...base,
      phase: 'failed',
      reason: 'Cancelled',
      message: cancelReason,
      ...(finishedAt ? { finishedAt } : {}),
    };
  }
  if (complete) {
    const info = parseStepMessage(result?.state?.terminated?.message);
    return {
      ...base,
      phase: 'succeeded',
      reason: 'Succeeded',
      message: 'the entry point exited with code 0',
      exitCode: 0,
      ...(finishedAt ? { finishedAt } : {}),
      ...(info?.artifacts ? { artifacts: info.artifacts } : {}),
    };
  }
  const ended = (reason: ExecutorReason, message: string): ExecutorStatus => ({
    ...base,
    phase: 'failed',
    reason,
    message,
    ...(finishedAt ? { finishedAt } : {}),
  });
  if (pod?.status?.reason === 'Evicted') {
    return ended('Lost', `the pod was evicted: ${pod.status.message ?? 'no message'}`);
  }
  const failed = done('Failed');
  if (failed) {
    if (failed.reason === 'DeadlineExceeded') {
      return ended(
        'Timeout',
        `the run exceeded its timeout (Job ${failed.reason}: ${failed.message ?? ''})`.trim(),
      );
    }
    const setupExit = setup?.state?.terminated?.exitCode;
    if (setupExit !== undefined && setupExit !== 0) {
      return ended(
        setupInfo?.reason ?? 'Failed',
        setupInfo?.message ?? `the setup step exited with code ${setupExit}`,
      );
    }
    if (trainExit !== undefined && trainExit !== 0) {
      const signal =
        train?.state?.terminated?.reason === 'OOMKilled' ? ' (OOMKilled: raise the memory limit)' : '';
      return ended(
        signal ? 'ResourceError' : 'Failed',
        `the entry point exited with code ${trainExit}${signal}`,
      );
    }
    const resultInfo = parseStepMessage(result?.state?.terminated?.message);
    if (result?.state?.terminated?.exitCode) {
      return ended(resultInfo?.reason ?? 'ArtifactError', resultInfo?.message ?? 'the result step failed');
    }
    return ended(
      'Failed',
      `the Job failed (${failed.reason ?? 'no reason'}: ${failed.message ?? ''})`.trim(),
    );
  }
  for (const status of [setup, train, result]) {
    const waiting = status?.state?.waiting;
    if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
      const image = status?.image ? ` "${status.image}"` : '';
      return ended(
        'ResourceError',
        `container ${status?.name ?? ''} image${image} cannot start (${waiting.reason}): ${waiting.message ?? ''}`.trim(),
      );
    }
  }
  const scheduled = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (!pod || scheduled?.status === 'False' || pod.status?.phase === 'Pending') {
    if (setup?.state?.running) return { ...base, phase: 'preparing', message: 'fetching source and data' };
    const why = scheduled?.status === 'False' ? `${scheduled.reason ?? ''}: ${scheduled.message ?? ''}` : '';
    return { ...base, phase: 'queued', ...(why ? { message: `waiting for a node (${why})` } : {}) };
  }
  return { ...base, phase: 'running' };
}
