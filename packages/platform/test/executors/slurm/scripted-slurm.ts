/**
 * A SCRIPTED Slurm for tests: a command runner that answers `sbatch`, `scontrol`, `sacct` and `scancel` as a
 * one-node Slurm would, and runs each job's batch script as a real child process (`bash job.sh`, output to the
 * `--output`/`--error` files), so the Slurm executor's whole flow (prepare, submit, follow, tail, cancel, end) runs
 * without slurmctld. It is not Slurm: no queue (a job starts at once), no limits, no `--time`, and no accounting
 * (sacct answers that it is disabled, as on a cluster without slurmdbd).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { CommandResult, CommandRunner } from '../../../src/executors/slurm/command-runner.js';

interface Job {
  state: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  exitCode: string;
  child: ChildProcess;
  cancelled: boolean;
}

const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });

export class ScriptedSlurm {
  private readonly jobs = new Map<string, Job>();
  private next = 1000;

  readonly run: CommandRunner = (command, args, options) => {
    if (command === 'sbatch') return Promise.resolve(this.sbatch(args.at(-1) ?? '', options?.env));
    if (command === 'scontrol') {
      const id = args[3] ?? '';
      const job = this.jobs.get(id);
      if (!job) return Promise.resolve({ code: 1, stdout: '', stderr: 'Invalid job id specified' });
      return Promise.resolve(
        ok(`JobId=${id} JobState=${job.state} Reason=None ExitCode=${job.exitCode} NodeList=scripted\n`),
      );
    }
    if (command === 'sacct') {
      return Promise.resolve({ code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled' });
    }
    if (command === 'scancel') {
      const job = this.jobs.get(args[0] ?? '');
      if (job && job.state === 'RUNNING') {
        job.cancelled = true;
        signalGroup(job.child, 'SIGTERM');
      }
      return Promise.resolve(ok());
    }
    return Promise.resolve({ code: 127, stdout: '', stderr: `${command}: command not found` });
  };

  /** Kills what still runs (end of the test file). */
  stop(): void {
    for (const job of this.jobs.values()) if (job.state === 'RUNNING') signalGroup(job.child, 'SIGKILL');
  }

  private sbatch(scriptFile: string, env: Record<string, string> | undefined): CommandResult {
    const script = readFileSync(scriptFile, 'utf8');
    const option = (name: string) => new RegExp(`^#SBATCH --${name}=(.*)$`, 'm').exec(script)?.[1];
    const id = String(this.next++);
    const out = openSync((option('output') ?? '/dev/null').replace(/%j/g, id), 'w');
    const err = openSync((option('error') ?? '/dev/null').replace(/%j/g, id), 'w');
    const child = spawn('bash', [scriptFile], {
      cwd: option('chdir') ?? process.cwd(),
      env: { ...env, SLURM_JOB_ID: id },
      detached: true,
      stdio: ['ignore', out, err],
    });
    closeSync(out);
    closeSync(err);
    const job: Job = { state: 'RUNNING', exitCode: '0:0', child, cancelled: false };
    child.once('exit', (code, signal) => {
      const signalNo = signal ? (constants.signals[signal] ?? 0) : 0;
      job.exitCode = `${code ?? 0}:${signalNo}`;
      job.state = job.cancelled ? 'CANCELLED' : code === 0 && !signal ? 'COMPLETED' : 'FAILED';
    });
    this.jobs.set(id, job);
    return ok(`${id}\n`);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
