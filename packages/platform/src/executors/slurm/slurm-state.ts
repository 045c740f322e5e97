/**
 * Slurm job states and exit codes mapped onto executor phases and reasons. Pure.
 *
 * Slurm reports `ExitCode=<code>:<signal>`; a job killed by a signal has code 0 and the signal number, which we
 * report as 128 + signal (the shell's convention, and what the local executor reports). Every final state gets a
 * message that says what happened in words, with Slurm's own state name in it so an operator can search logs.
 */
import type { ExecutorPhase } from '../executor.js';
import type { ExecutorReason } from '../../domain/executor-reason.js';

/** What Slurm says about a job (from `scontrol`, `sacct` or the job-completion file). */
export interface SlurmJobInfo {
  jobId: string;
  /** `PENDING`, `RUNNING`, `COMPLETED`, `FAILED` … (a `CANCELLED by 0` suffix is removed). */
  state: string;
  /** Slurm's reason (`NonZeroExitCode`, `TimeLimit`, `Resources` …); `None` or absent when there is none. */
  reason?: string;
  /** `code:signal`, e.g. `3:0`. */
  exitCode?: string;
  startTime?: Date;
  endTime?: Date;
  nodeList?: string;
}

export interface MappedSlurmState {
  phase: ExecutorPhase;
  reason?: ExecutorReason;
  message?: string;
  exitCode?: number;
}

/** Splits Slurm's `code:signal`; undefined when absent or unreadable. */
export function parseSlurmExitCode(text: string | undefined): { code: number; signal: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  return { code: Number(match[1]), signal: Number(match[2]) };
}

/** Slurm's `code:signal` as one number: the code, or 128 + signal when a signal ended the job. */
export function exitNumber(text: string | undefined): number | undefined {
  const parsed = parseSlurmExitCode(text);
  if (!parsed) return undefined;
  return parsed.signal > 0 && parsed.code === 0 ? 128 + parsed.signal : parsed.code;
}

const QUEUED = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESIZING']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SUSPENDED', 'STOPPED', 'SIGNALING', 'STAGE_OUT']);

function reasonText(reason: string | undefined): string {
  return reason && reason !== 'None' ? ` (${reason})` : '';
}

/**
 * Maps a job's state. `cancelReason` is the reason Gangplank gave when it cancelled the job itself (so that a
 * `CANCELLED` the user asked for keeps the user's words); `timedOut` says the cancel was Gangplank's timeout.
 */
export function mapSlurmState(
  info: Pick<SlurmJobInfo, 'jobId' | 'state' | 'reason' | 'exitCode'>,
  cancel?: { reason: string; timedOut: boolean },
): MappedSlurmState {
  const state = info.state.split(/[\s+]/)[0]?.toUpperCase() ?? '';
  const job = `Slurm job ${info.jobId}`;
  const parsed = parseSlurmExitCode(info.exitCode);
  const exitCode = exitNumber(info.exitCode);
  const withCode = exitCode === undefined ? {} : { exitCode };
  if (QUEUED.has(state)) {
    return { phase: 'queued', message: `${job} is ${state.toLowerCase()}${reasonText(info.reason)}` };
  }
  if (RUNNING.has(state)) {
    return { phase: 'running', message: `${job} is ${state.toLowerCase()}${reasonText(info.reason)}` };
  }
  if (cancel && (state === 'CANCELLED' || state === 'TIMEOUT' || state === 'FAILED')) {
    // Our own scancel: the job may end CANCELLED, or FAILED when the program died of the SIGTERM first.
    return {
      phase: 'failed',
      reason: cancel.timedOut ? 'Timeout' : 'Cancelled',
      message: cancel.reason,
      ...withCode,
    };
  }
  switch (state) {
    case 'COMPLETED':
      return {
        phase: 'succeeded',
        reason: 'Succeeded',
        message: 'the entry point exited with code 0',
        exitCode: 0,
      };
    case 'FAILED': {
      if (parsed && parsed.code === 0 && parsed.signal > 0) {
        return {
          phase: 'failed',
          reason: 'Failed',
          message: `the entry point was killed by signal ${parsed.signal} (${job} FAILED${reasonText(info.reason)})`,
          ...withCode,
        };
      }
      if (info.reason === 'JobLaunchFailure' || (parsed === undefined && info.reason !== 'NonZeroExitCode')) {
        return {
          phase: 'failed',
          reason: 'Failed',
          message: `${job} could not be launched${reasonText(info.reason)}`,
          ...withCode,
        };
      }
      return {
        phase: 'failed',
        reason: 'Failed',
        message: `the entry point exited with code ${exitCode ?? 'unknown'}`,
        ...withCode,
      };
    }
    case 'CANCELLED':
      return {
        phase: 'failed',
        reason: 'Cancelled',
        message: `${job} was cancelled outside Gangplank (scancel or an administrator)`,
        ...withCode,
      };
    case 'TIMEOUT':
    case 'DEADLINE':
      return {
        phase: 'failed',
        reason: 'Timeout',
        message: `Slurm stopped ${job.slice(6)} at its ${state === 'TIMEOUT' ? 'time limit' : 'deadline'} (${state})`,
        ...withCode,
      };
    case 'NODE_FAIL':
      return {
        phase: 'failed',
        reason: 'Lost',
        message: `the node running ${job.slice(6)} failed (NODE_FAIL); the run may be submitted again`,
        ...withCode,
      };
    case 'PREEMPTED':
      return {
        phase: 'failed',
        reason: 'Lost',
        message: `${job} was preempted by a higher-priority job (PREEMPTED)`,
        ...withCode,
      };
    case 'OUT_OF_MEMORY':
      return {
        phase: 'failed',
        reason: 'ResourceError',
        message: `${job} ran out of memory (OUT_OF_MEMORY): raise the memory limit`,
        ...withCode,
      };
    case 'BOOT_FAIL':
      return {
        phase: 'failed',
        reason: 'ResourceError',
        message: `${job} could not boot its node (BOOT_FAIL)`,
      };
    default:
      return {
        phase: 'failed',
        reason: 'Failed',
        message: `${job} ended in state ${state || 'unknown'}${reasonText(info.reason)}`,
        ...withCode,
      };
  }
}
