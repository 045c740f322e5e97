/**
 * Where the Slurm executor reads a job's state: `scontrol` while slurmctld holds the job, then `sacct` (when
 * accounting exists), then the `jobcomp/filetxt` file, because slurmctld purges a finished job after `MinJobAge`
 * (300 s by default) and a server that was down that long must still learn how its jobs ended.
 */
import { readFileSync } from 'node:fs';
import type { CommandRunner } from './command-runner.js';
import { isUnknownJob, parseJobCompFile, parseSacct, parseScontrolJob } from './parse.js';
import type { SlurmJobInfo } from './slurm-state.js';

export class SlurmJobQuery {
  private sacctWorks: boolean;

  constructor(
    private readonly run: CommandRunner,
    /** Environment of the Slurm commands. */
    private readonly env: () => Record<string, string>,
    /** Ask `sacct`: false skips it (it is also skipped once sacct says accounting is off). */
    useSacct: boolean,
    private readonly jobCompFile: string | undefined,
  ) {
    this.sacctWorks = useSacct;
  }

  /** What Slurm knows about a job: scontrol while slurmctld holds it, then sacct, then the job-completion file. */
  async query(jobId: string): Promise<SlurmJobInfo | undefined> {
    const env = this.env();
    const shown = await this.run('scontrol', ['-o', 'show', 'job', jobId], { env });
    if (shown.code === 0) {
      const info = parseScontrolJob(shown.stdout, jobId);
      if (info) return info;
    } else if (!isUnknownJob(shown.stderr)) {
      throw new Error(`scontrol failed: ${shown.stderr.trim() || `exit code ${shown.code}`}`);
    }
    if (this.sacctWorks) {
      const acct = await this.run(
        'sacct',
        ['-j', jobId, '-n', '-P', '-X', '-o', 'JobID,State,ExitCode,Reason,Start,End'],
        { env },
      );
      if (acct.code === 0) {
        const info = parseSacct(acct.stdout, jobId);
        if (info) return info;
      } else if (/disabled|not running|command not found|cannot run/i.test(acct.stderr)) {
        // `Slurm accounting storage is disabled`: do not ask again for every purged job.
        this.sacctWorks = false;
      }
    }
    if (this.jobCompFile) {
      try {
        return parseJobCompFile(readFileSync(this.jobCompFile, 'utf8'), jobId);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}
