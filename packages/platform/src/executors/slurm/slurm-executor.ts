/**
 * The Slurm executor: a run becomes a Slurm batch job.
 *
 * - Each run gets a work folder `<workRoot>/<runId>/` on a folder every node sees at the same path (NFS, Lustre):
 *   `workspace/` (source and data), `output/` (zipped into the artifact), `.gangplank/` (state, log, job script and
 *   the job's stdout/stderr files). The server prepares the workspace (same steps as the local executor), then
 *   hands the entry command to `sbatch` in a generated script that exports the run's environment (metrics wiring
 *   included) and requests the training's resources.
 * - Tracking: one poll loop asks `scontrol -o show job` for every live job; a job slurmctld has already purged
 *   (`MinJobAge`, 300 s by default) is looked up with `sacct` when accounting exists, else in the `jobcomp/filetxt`
 *   file. The job's output files are tailed into the run's log as they grow.
 * - Timeout: Slurm counts `--time` in whole minutes from the job's start, so the executor also enforces the
 *   training's timeout itself to the second (from submission, as the local executor does) with `scancel`; Slurm's
 *   limit, rounded up, stays as a backstop for when no server is watching.
 * - slurmrestd is not used: sbatch/scontrol/scancel behind an injectable command runner cover the same ground and
 *   can be wrapped (ssh to a login node) where the server does not run on the cluster.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError, errorText } from '../../domain/run-error.js';
import { DEFAULT_TIMEOUT_MS } from '../../domain/run-spec.js';
import type { ExecutorHandle, LogPage } from '../executor.js';
import { isFinalPhase } from '../executor.js';
import { parseCpuCores } from '../quantity.js';
import { formatDuration, type RunRecord } from '../run-folder.js';
import { FolderExecutor, type FolderExecutorOptions } from '../folder-executor.js';
import type { LiveRun } from '../run-lifecycle.js';
import { spawnCommand, type CommandRunner } from './command-runner.js';
import { SlurmJobQuery } from './job-query.js';
import { parseSbatchJobId } from './parse.js';
import { readNewLines } from './read-new-lines.js';
import { renderBatchScript, slurmPartition, timeLimitMinutes } from './script.js';
import { mapSlurmState } from './slurm-state.js';

/** `cacheDir` (shared too), `removeOnRelease` and `now` are those of every folder-based executor. */
export interface SlurmExecutorOptions extends Omit<FolderExecutorOptions, 'root'> {
  /** Shared work folder: one sub-folder per run; must have the same path on the server and on every node. */
  workRoot: string;
  /** `SLURM_CONF` for the Slurm commands; absent = Slurm's default (`/etc/slurm/slurm.conf`). */
  slurmConf?: string;
  /** Partition of jobs whose training's node selector names none under `partitionLabel`. @default cluster default */
  partition?: string;
  /** Node selector key that names a partition. @default 'slurm.gangplank.io/partition' */
  partitionLabel?: string;
  /** `--account` of every job. */
  account?: string;
  /** `--qos` of every job. */
  qos?: string;
  /** More `#SBATCH` arguments, e.g. `['--constraint=a100']`. */
  extraSbatchArgs?: string[];
  /** Where the `jobcomp/filetxt` plugin writes (slurm.conf `JobCompLoc`), read for purged jobs without sacct. */
  jobCompFile?: string;
  /** Ask `sacct` about jobs scontrol no longer knows. @default true (skipped once sacct says accounting is off) */
  useSacct?: boolean;
  /** Runs Slurm's commands. @default child processes */
  run?: CommandRunner;
  /** Poll period of the job states and output files. @default 1000 */
  pollMs?: number;
  /** Timeout of runs whose spec has none. @default 14_400_000 (4 h) */
  defaultTimeoutMs?: number;
  /** Extra variable names passed from the server's environment to runs (besides PATH, HOME, LANG …). */
  inheritEnv?: string[];
  /** Environment the run's whitelist is read from. @default process.env */
  serverEnv?: NodeJS.ProcessEnv;
  /**
   * How long a job id no Slurm source knows is waited for before the run is reported lost (a just-submitted job
   * can be briefly invisible on a busy controller). @default 30_000
   */
  unknownGraceMs?: number;
}

interface PersistedState extends RunRecord {
  runningAt?: string;
  jobId?: string;
  submittedAt?: string;
  /** Bytes of the job's stdout / stderr files already copied into the log. */
  outOffset?: number;
  errOffset?: number;
}

type SlurmRun = LiveRun<PersistedState>;

export function createSlurmExecutor(options: SlurmExecutorOptions): SlurmExecutor {
  return new SlurmExecutor(options);
}

export class SlurmExecutor extends FolderExecutor<PersistedState, SlurmRun> {
  declare readonly kind: 'slurm';
  private readonly run: CommandRunner;
  private readonly jobs: SlurmJobQuery;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: SlurmExecutorOptions) {
    super('slurm', 'Slurm', { ...options, root: options.workRoot });
    this.run = options.run ?? spawnCommand;
    this.jobs = new SlurmJobQuery(
      this.run,
      () => this.commandEnv(),
      options.useSacct ?? true,
      options.jobCompFile,
    );
  }

  override logs(handle: ExecutorHandle, cursor?: string, limit = 1000): Promise<LogPage> {
    const run = this.core.get(handle.runId);
    // Copy what the job wrote since the last poll, so a reader never waits a poll period for output.
    if (run) this.tail(run, false);
    return super.logs(handle, cursor, limit);
  }

  override async close(): Promise<void> {
    this.core.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    await super.close();
  }

  protected extend(run: SlurmRun): SlurmRun {
    return run;
  }

  protected launched(state: PersistedState): boolean {
    return state.jobId !== undefined;
  }

  protected async resume(run: SlurmRun): Promise<void> {
    this.core.log(run, 'system', `re-attached to Slurm job ${run.state.jobId} after a restart of the server`);
    await this.pollRun(run);
    this.schedule();
  }

  protected async kill(run: SlurmRun): Promise<void> {
    if (run.state.jobId === undefined) return;
    await this.scancel(run.state.jobId);
    this.schedule(0);
  }

  protected async killUntracked(handle: ExecutorHandle, state: PersistedState | undefined): Promise<void> {
    // Not watched by this server: stop the job named in the folder, if any.
    const jobId = state?.jobId ?? (typeof handle.jobId === 'string' ? handle.jobId : undefined);
    if (jobId) await this.scancel(jobId);
  }

  protected override onClose(run: SlurmRun): void {
    run.abort.abort();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private commandEnv(): Record<string, string> {
    // sbatch exports its own environment into the job by default: give it only what Slurm needs, so none of the
    // server's secrets (database URL, tokens) reach the job. The job script exports the run's variables.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
    if (process.env.HOME) env.HOME = process.env.HOME;
    if (this.options.slurmConf) env.SLURM_CONF = this.options.slurmConf;
    return env;
  }

  protected async launch(run: SlurmRun): Promise<void> {
    const { spec, dir } = run;
    const prepared = await this.prepare(run);
    const threads: Record<string, string> = {};
    const cpu = spec.resources?.limits?.cpu ?? spec.resources?.requests?.cpu;
    if (cpu) {
      const cores = String(Math.max(1, Math.ceil(parseCpuCores(cpu))));
      for (const name of ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'])
        threads[name] = cores;
    }
    const env = this.runEnvironment(run, { ...threads, ...prepared.env });
    const timeoutMs = spec.timeoutMs ?? this.options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const partition = slurmPartition(spec.nodeSelector, this.options);
    const script = renderBatchScript({
      jobName: `gangplank-${spec.runId}`.slice(0, 128),
      ...(partition ? { partition } : {}),
      ...(this.options.account ? { account: this.options.account } : {}),
      ...(this.options.qos ? { qos: this.options.qos } : {}),
      ...(spec.resources ? { resources: spec.resources } : {}),
      timeLimitMinutes: timeLimitMinutes(timeoutMs),
      stdoutFile: join(dir, '.gangplank', 'slurm-%j.out'),
      stderrFile: join(dir, '.gangplank', 'slurm-%j.err'),
      workDir: prepared.cwd,
      env,
      command: prepared.command,
      args: prepared.args,
      ...(this.options.extraSbatchArgs ? { extraArgs: this.options.extraSbatchArgs } : {}),
    });
    const scriptFile = join(dir, '.gangplank', 'job.sh');
    writeFileSync(scriptFile, script, { mode: 0o700 });
    this.throwIfCancelled(run);
    const result = await this.run('sbatch', ['--parsable', scriptFile], { env: this.commandEnv() });
    const jobId = parseSbatchJobId(result.stdout);
    if (result.code !== 0 || !jobId) {
      const why = (result.stderr || result.stdout).trim() || `exit code ${result.code}`;
      throw new RunError('ResourceError', `sbatch refused the job: ${why}`);
    }
    run.state = {
      ...run.state,
      phase: 'queued',
      jobId,
      submittedAt: this.core.iso(),
      processName: `slurm-${jobId}`,
      outOffset: 0,
      errOffset: 0,
    };
    this.core.log(
      run,
      'system',
      `submitted Slurm job ${jobId}${partition ? ` to partition ${partition}` : ''}: ` +
        `${[prepared.command, ...prepared.args].join(' ')} in ${prepared.cwd}`,
    );
    this.core.save(run);
    // A cancel that came in while sbatch was running: the job exists now, stop it.
    if (run.state.cancelReason !== undefined) await this.scancel(jobId);
    this.schedule(0);
  }

  private schedule(delay = this.options.pollMs ?? 1000): void {
    if (this.core.closed) return;
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling ??= this.pollAll().finally(() => {
        this.polling = undefined;
        if (this.core.live().some((r) => r.state.jobId !== undefined)) this.schedule();
      });
    }, delay);
    // Not unref'd: a live job must keep a process that only follows it (no HTTP server) alive; `close()` clears it.
  }

  private async pollAll(): Promise<void> {
    for (const run of this.core.live()) {
      if (this.core.closed) return;
      if (run.state.jobId === undefined || isFinalPhase(run.state.phase)) continue;
      try {
        await this.pollRun(run);
      } catch (error) {
        this.core.log(
          run,
          'system',
          `could not read the state of Slurm job ${run.state.jobId}: ${errorText(error)}`,
        );
      }
    }
  }

  private async pollRun(run: SlurmRun): Promise<void> {
    const jobId = run.state.jobId;
    if (jobId === undefined || run.ending || isFinalPhase(run.state.phase)) return;
    this.tail(run, false);
    const timeoutMs = run.spec.timeoutMs ?? this.options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = run.state.startedAt ? Date.parse(run.state.startedAt) : this.core.now();
    if (run.state.cancelReason === undefined && this.core.now() > started + timeoutMs) {
      await this.core.stop(run, `the run exceeded its timeout of ${formatDuration(timeoutMs)}`, true, false);
    }
    const info = await this.jobs.query(jobId);
    if (!info) {
      const since = Date.parse(run.state.submittedAt ?? run.state.startedAt ?? '') || this.core.now();
      if (this.core.now() - since > (this.options.unknownGraceMs ?? 30_000)) {
        await this.core.end(run, {
          reason: 'Lost',
          message: `Slurm no longer knows job ${jobId} and no accounting or job-completion record names it`,
        });
      }
      return;
    }
    const cancel =
      run.state.cancelReason !== undefined
        ? { reason: run.state.cancelReason, timedOut: run.state.timedOut ?? false }
        : undefined;
    const mapped = mapSlurmState(info, cancel);
    // A short job can go from PENDING to COMPLETED between two polls: take the node from whatever we see.
    if (info.nodeList) run.state.processName = `slurm-${jobId}@${info.nodeList}`;
    if (!isFinalPhase(mapped.phase)) {
      const changed = run.state.phase !== mapped.phase;
      if (changed) {
        run.state.phase = mapped.phase;
        if (mapped.phase === 'running') run.state.runningAt = this.core.iso();
        this.core.log(run, 'system', mapped.message ?? `Slurm job ${jobId} is ${mapped.phase}`);
        this.core.save(run);
      }
      return;
    }
    await this.core.ending(run, async () => {
      this.tail(run, true);
      if (mapped.exitCode !== undefined) run.state.exitCode = mapped.exitCode;
      if (mapped.phase === 'succeeded') return this.core.succeed(run, mapped.message);
      return this.core.end(run, { reason: mapped.reason ?? 'Failed', message: mapped.message });
    });
  }

  private async scancel(jobId: string): Promise<void> {
    const result = await this.run('scancel', [jobId], { env: this.commandEnv() });
    // scancel of a finished job says "already completing or completed": nothing to do.
    if (result.code !== 0 && !/already|invalid job id/i.test(result.stderr)) {
      throw new Error(`scancel ${jobId} failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
    }
  }

  /** Copies new complete lines (all of it when `final`) of the job's stdout/stderr files into the run's log. */
  private tail(run: SlurmRun, final: boolean): void {
    const jobId = run.state.jobId;
    if (jobId === undefined) return;
    let changed = false;
    for (const [stream, key] of [
      ['stdout', 'outOffset'],
      ['stderr', 'errOffset'],
    ] as const) {
      const file = join(run.dir, '.gangplank', `slurm-${jobId}.${stream === 'stdout' ? 'out' : 'err'}`);
      const offset = run.state[key] ?? 0;
      const { lines, consumed, rest } = readNewLines(file, offset, final);
      for (const line of lines) this.core.log(run, stream, line);
      if (rest !== undefined) this.core.log(run, stream, rest, true);
      if (consumed > 0) {
        run.state[key] = offset + consumed;
        changed = true;
      }
    }
    if (changed) this.core.save(run);
  }
}
