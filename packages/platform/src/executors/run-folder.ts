/**
 * A run's record in its work folder: `<runDir>/.gangplank/state.json` (what the executor knows about the run) and
 * `<runDir>/.gangplank/log.jsonl` (one JSON record a line: `t` time, `s` stream, `x` text, `p: 1` when the text did
 * not end a line).
 *
 * Why it exists: the local and the Slurm executor both keep a run's truth in its folder, so that a restarted server
 * (or another one) can re-attach from the folder alone, and both read it back the same way. This module holds that
 * shared on-disk format: pure helpers (`toStatus`, `lost`, `formatDuration`) and thin file I/O. What each executor
 * adds to the record (a shim pid, a Slurm job id and output offsets) stays in its own state type.
 */
import {
  appendFileSync,
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ExecutorPhase, ExecutorStatus, ExecutorLogChunk, LogPage, LogStream } from './executor.js';
import type { ExecutorReason } from '../domain/executor-reason.js';
import type { RunArtifact } from '../domain/run-artifact.js';
import { isFinalPhase } from './executor.js';
import { RunError, errorText } from '../domain/run-error.js';

/** The fields of `state.json` every folder-based executor writes; executors extend it with their own. */
export interface RunRecord {
  phase: ExecutorPhase;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  reason?: ExecutorReason;
  message?: string;
  commitId?: string;
  artifacts?: RunArtifact[];
  processName?: string;
  cancelReason?: string;
  timedOut?: boolean;
}

/** Path of a run's log file. */
export function logFileOf(dir: string): string {
  return join(dir, '.gangplank', 'log.jsonl');
}

function stateFileOf(dir: string): string {
  return join(dir, '.gangplank', 'state.json');
}

/** Writes a run's state; throws when the folder is gone (wrap in `unlessFolderGone` where that is expected). */
export function writeState(dir: string, state: RunRecord): void {
  const file = stateFileOf(dir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  // rename is atomic: a reader (another server re-attaching) never sees half a state
  renameSync(`${file}.tmp`, file);
}

/** A run's state, or undefined when the folder or its state file is gone or unreadable. */
export function readState<S extends RunRecord>(dir: string): S | undefined {
  try {
    return JSON.parse(readFileSync(stateFileOf(dir), 'utf8')) as S;
  } catch {
    return undefined;
  }
}

/**
 * Appends one record to a run's log. `time` is an ISO string, so an executor with an injectable clock can pass its
 * own. Throws when the folder is gone (wrap in `unlessFolderGone` where that is expected).
 */
export function appendLog(dir: string, time: string, stream: LogStream, text: string, partial = false): void {
  const rec = partial ? { t: time, s: stream, x: text, p: 1 } : { t: time, s: stream, x: text };
  appendFileSync(logFileOf(dir), `${JSON.stringify(rec)}\n`);
}

/**
 * Runs a write into a run's folder, doing nothing when the folder is gone: it is removed when its training is
 * deleted or its work is released, possibly while the process is still ending, and a late line or state written
 * there has no reader left. Any other error is thrown.
 */
export function unlessFolderGone(write: () => void): void {
  try {
    write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** The port's view of a stored record (executor-specific fields left out). */
export function toStatus(state: RunRecord): ExecutorStatus {
  return {
    phase: state.phase,
    ...(state.exitCode !== undefined ? { exitCode: state.exitCode } : {}),
    ...(state.reason ? { reason: state.reason } : {}),
    ...(state.message !== undefined ? { message: state.message } : {}),
    ...(state.processName ? { processName: state.processName } : {}),
    ...(state.startedAt ? { startedAt: new Date(state.startedAt) } : {}),
    ...(state.finishedAt ? { finishedAt: new Date(state.finishedAt) } : {}),
    ...(state.commitId ? { commitId: state.commitId } : {}),
    ...(state.artifacts ? { artifacts: state.artifacts } : {}),
  };
}

/** Status of a run nobody can follow any more. */
export function lost(message: string): ExecutorStatus {
  return { phase: 'failed', reason: 'Lost', message };
}

/** Status read from a run's folder, `Lost` when the folder is gone. */
export function statusOfFolder(dir: string): ExecutorStatus {
  const state = readState(dir);
  return state ? toStatus(state) : lost('the work folder of the run is gone');
}

/** Status of a finished run read from its folder; undefined while the run is active or when the folder is gone. */
export function finalStatusOfFolder(dir: string): ExecutorStatus | undefined {
  const state = readState(dir);
  return state && isFinalPhase(state.phase) ? toStatus(state) : undefined;
}

/**
 * How a run ends when its preparation throws: a cancel or timeout already recorded in its state wins over the
 * error it caused (an aborted download, say), so the run reads `Cancelled`/`Timeout`, not `Failed`.
 */
export function preparationFailure(
  error: unknown,
  state: RunRecord,
): { reason: ExecutorReason; message: string | undefined } {
  const reason = error instanceof RunError ? error.reason : 'Failed';
  const cancelled = state.cancelReason !== undefined;
  return {
    reason: cancelled ? (state.timedOut ? 'Timeout' : 'Cancelled') : reason,
    message: cancelled ? state.cancelReason : errorText(error),
  };
}

/** A timeout for messages: whole hours or minutes when it is one, else seconds (`4h`, `90m`, `1.5s`). */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

const READ_BYTES = 1 << 20;

/** Reads log records after `cursor` (`<byte offset>:<seq>`). */
export function readLog(file: string, cursor: string | undefined, limit: number): LogPage {
  const [offsetText, seqText] = (cursor ?? '0:0').split(':');
  let offset = Number(offsetText) || 0;
  let seq = Number(seqText) || 0;
  const chunks: ExecutorLogChunk[] = [];
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { chunks, cursor: `${offset}:${seq}` };
  }
  try {
    const size = fstatSync(fd).size;
    while (offset < size && chunks.length < limit) {
      const buf = Buffer.alloc(Math.min(READ_BYTES, size - offset));
      const n = readSync(fd, buf, 0, buf.length, offset);
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= n || chunks.length >= limit) break;
        const line = buf.toString('utf8', start, nl);
        start = nl + 1;
        try {
          const rec = JSON.parse(line) as { t: string; s: LogStream; x: string; p?: 1 };
          chunks.push({
            seq,
            stream: rec.s,
            time: new Date(rec.t),
            text: rec.x,
            ...(rec.p ? { partial: true } : {}),
          });
        } catch {
          chunks.push({ seq, stream: 'system', time: new Date(), text: line });
        }
        seq++;
      }
      if (start === 0) break; // a record longer than the buffer is not complete yet
      offset += start;
    }
  } finally {
    closeSync(fd);
  }
  return { chunks, cursor: `${offset}:${seq}` };
}
