/**
 * Parsers of Slurm's command output. Pure. Slurm prints `Key=Value` pairs separated by spaces (`scontrol -o show
 * job`, one job a line) and the job-completion file uses the same form; values never hold spaces except a few free
 * texts (`Command=`, `WorkDir=`, `Comment=`) which we do not read, so splitting on ` Key=` boundaries is enough.
 */
import type { SlurmJobInfo } from './slurm-state.js';

/** Splits `A=1 B=two C= D=x=y` into a map; a token without `=` is glued to the previous value (a path with a space). */
export function parseKeyValues(line: string): Map<string, string> {
  const out = new Map<string, string>();
  let lastKey: string | undefined;
  for (const token of line.trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0 && /^[A-Za-z][A-Za-z0-9_:/]*$/.test(token.slice(0, eq))) {
      lastKey = token.slice(0, eq);
      out.set(lastKey, token.slice(eq + 1));
    } else if (lastKey !== undefined && token) {
      out.set(lastKey, `${out.get(lastKey) ?? ''} ${token}`);
    }
  }
  return out;
}

function slurmTime(text: string | undefined): Date | undefined {
  // Slurm prints local time without a zone, `Unknown` or `None` when not set.
  if (!text || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function fromMap(map: Map<string, string>): SlurmJobInfo | undefined {
  const jobId = map.get('JobId');
  const state = map.get('JobState');
  if (!jobId || !state) return undefined;
  const info: SlurmJobInfo = { jobId, state };
  const reason = map.get('Reason');
  if (reason) info.reason = reason;
  const exitCode = map.get('ExitCode');
  if (exitCode) info.exitCode = exitCode;
  const start = slurmTime(map.get('StartTime'));
  if (start) info.startTime = start;
  const end = slurmTime(map.get('EndTime'));
  if (end) info.endTime = end;
  const nodes = map.get('NodeList');
  if (nodes && nodes !== '(null)') info.nodeList = nodes;
  return info;
}

/** Reads `scontrol -o show job <id>` output (one line per job); undefined when the job is not there. */
export function parseScontrolJob(output: string, jobId: string): SlurmJobInfo | undefined {
  for (const line of output.split('\n')) {
    const info = fromMap(parseKeyValues(line));
    if (info?.jobId === jobId) return info;
  }
  return undefined;
}

/** True when scontrol says the job id is unknown (purged after `MinJobAge`, or never existed). */
export function isUnknownJob(stderr: string): boolean {
  return /invalid job id/i.test(stderr);
}

/** Reads the `jobcomp/filetxt` file: the last line of the job (a requeued job has several). */
export function parseJobCompFile(content: string, jobId: string): SlurmJobInfo | undefined {
  let found: SlurmJobInfo | undefined;
  for (const line of content.split('\n')) {
    if (!line.startsWith(`JobId=${jobId} `)) continue;
    found = fromMap(parseKeyValues(line)) ?? found;
  }
  return found;
}

/**
 * Reads `sacct -j <id> -n -P -X -o JobID,State,ExitCode,Reason,Start,End` (one `|`-separated line per
 * allocation). State may read `CANCELLED by 0`.
 */
export function parseSacct(output: string, jobId: string): SlurmJobInfo | undefined {
  for (const line of output.split('\n')) {
    const [id, state, exitCode, reason, start, end] = line.trim().split('|');
    if (id !== jobId || !state) continue;
    const info: SlurmJobInfo = { jobId: id, state: state.split(' ')[0] ?? state };
    if (exitCode) info.exitCode = exitCode;
    if (reason) info.reason = reason;
    const s = slurmTime(start);
    if (s) info.startTime = s;
    const e = slurmTime(end);
    if (e) info.endTime = e;
    return info;
  }
  return undefined;
}

/** Job id printed by `sbatch --parsable` (`123` or `123;cluster`). */
export function parseSbatchJobId(stdout: string): string | undefined {
  const match = /^(\d+)(?:;\S+)?\s*$/m.exec(stdout.trim());
  return match?.[1];
}
