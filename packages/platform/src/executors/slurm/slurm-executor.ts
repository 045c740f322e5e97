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
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Executor, ExecutorHandle, ExecutorStatus, LogPage, LogStream } from '../executor.js';
import type { ExecutorReason } from '../../domain/executor-reason.js';
import type { RunArtifact } from '../../domain/run-artifact.js';
import { isFinalPhase } from '../executor.js';
import { buildRunEnvironment } from '../environment.js';
import { finalizeRun, prepareRun } from '../pipeline.js';
import { parseCpuCores } from '../quantity.js';
import { DEFAULT_TIMEOUT_MS, type RunSpec } from '../../domain/run-spec.js';
import { RunError, errorText } from '../../domain/run-error.js';
import {
  appendLog,
  finalStatusOfFolder,
  formatDuration,
  logFileOf,
  lost,
  preparationFailure,
  readLog,
  readState,
  statusOfFolder,
  toStatus,
  writeState,
  type RunRecord,
} from '../run-folder.js';
import { spawnCommand, type CommandRunner } from './command-runner.js';
import { isUnknownJob, parseJobCompFile, parseSacct, parseSbatchJobId, parseScontrolJob } from './parse.js';
import { renderBatchScript, slurmPartition, timeLimitMinutes } from './script.js';
import { mapSlurmState, type SlurmJobInfo } from './slurm-state.js';

/** Spec of a run as the Slurm executor reads it (the run spec carries the training's `nodeSelector`). */
export type SlurmRunSpec = RunSpec;

export interface SlurmExecutorOptions {
  /** Shared work folder: one sub-folder per run; must have the same path on the server and on every node. */
  workRoot: string;
  /** Dependency cache (virtual environments), also shared. @default `<workRoot>/../cache` */
  cacheDir?: string;
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
  /** Remove a run's work folder when `release` is called. @default true */
  removeOnRelease?: boolean;
  /**
   * How long a job id no Slurm source knows is waited for before the run is reported lost (a just-submitted job
   * can be briefly invisible on a busy controller). @default 30_000
   */
  unknownGraceMs?: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

interface PersistedState extends RunRecord {
  runningAt?: string;
  jobId?: string;
  submittedAt?: string;
  /** Bytes of the job's stdout / stderr files already copied into the log. */
  outOffset?: number;
  errOffset?: number;
}

interface LiveRun {
  spec: SlurmRunSpec;
  dir: string;
  state: PersistedState;
  abort: AbortController;
  listeners: Set<() => void>;
  ending?: Promise<void>;
  settled: Promise<void>;
  settle: () => void;
}

export function createSlurmExecutor(options: SlurmExecutorOptions): SlurmExecutor {
  return new SlurmExecutor(options);
}

export class SlurmExecutor implements Executor {
  readonly kind = 'slurm';
  private readonly root: string;
  private readonly cacheDir: string;
  private readonly run: CommandRunner;
  private readonly now: () => number;
  private readonly runs = new Map<string, LiveRun>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private sacctWorks: boolean;
  private closed = false;

  constructor(private readonly options: SlurmExecutorOptions) {
    this.root = resolve(options.workRoot);
    this.cacheDir = resolve(options.cacheDir ?? join(this.root, '..', 'cache'));
    this.run = options.run ?? spawnCommand;
    this.now = options.now ?? Date.now;
    this.sacctWorks = options.useSacct ?? true;
    mkdirSync(this.root, { recursive: true });
  }

  submit(spec: SlurmRunSpec): Promise<ExecutorHandle> {
    if (this.closed) return Promise.reject(new Error('Slurm executor is closed'));
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(spec.runId)) {
      return Promise.reject(new Error(`run id "${spec.runId}" cannot name a folder`));
    }
    const dir = join(this.root, spec.runId);
    for (const sub of ['.gangplank', 'workspace', 'output']) mkdirSync(join(dir, sub), { recursive: true });
    const run = this.track(spec, dir, { phase: 'preparing', startedAt: this.iso() });
    this.save(run);
    void this.execute(run);
    return Promise.resolve(this.handleOf(run));
  }

  async attach(handle: ExecutorHandle, spec: RunSpec): Promise<ExecutorStatus> {
    const live = this.runs.get(handle.runId);
    if (live) return toStatus(live.state);
    const dir = this.dirOf(handle);
    const state = readState<PersistedState>(dir);
    if (!state) return lost('the work folder of the run is gone');
    if (isFinalPhase(state.phase)) return toStatus(state);
    const run = this.track(spec, dir, state);
    if (state.jobId === undefined) {
      await this.end(run, { reason: 'Lost', message: 'the server stopped while the run was being prepared' });
      return toStatus(run.state);
    }
    this.log(run, 'system', `re-attached to Slurm job ${state.jobId} after a restart of the server`);
    await this.pollRun(run);
    this.schedule();
    return toStatus(run.state);
  }

  status(handle: ExecutorHandle): Promise<ExecutorStatus> {
    const live = this.runs.get(handle.runId);
    return Promise.resolve(live ? toStatus(live.state) : statusOfFolder(this.dirOf(handle)));
  }

  async cancel(handle: ExecutorHandle, reason: string): Promise<void> {
    const run = this.runs.get(handle.runId);
    if (!run) {
      // Not watched by this server: stop the job named in the folder, if any.
      const state = readState<PersistedState>(this.dirOf(handle));
      const jobId = state?.jobId ?? (typeof handle.jobId === 'string' ? handle.jobId : undefined);
      if (jobId && (!state || !isFinalPhase(state.phase))) await this.scancel(jobId);
      return;
    }
    await this.stop(run, reason, false);
  }

  logs(handle: ExecutorHandle, cursor?: string, limit = 1000): Promise<LogPage> {
    const run = this.runs.get(handle.runId);
    // Copy what the job wrote since the last poll, so a reader never waits a poll period for output.
    if (run) this.tail(run, false);
    return Promise.resolve(readLog(logFileOf(this.dirOf(handle)), cursor, limit));
  }

  watch(handle: ExecutorHandle, listener: () => void): () => void {
    const run = this.runs.get(handle.runId);
    if (!run) return () => {};
    run.listeners.add(listener);
    return () => run.listeners.delete(listener);
  }

  release(handle: ExecutorHandle): Promise<void> {
    const run = this.runs.get(handle.runId);
    if (run && !isFinalPhase(run.state.phase)) {
      return Promise.reject(new Error(`run ${handle.runId} is still active`));
    }
    this.runs.delete(handle.runId);
    if (this.options.removeOnRelease ?? true) rmSync(this.dirOf(handle), { recursive: true, force: true });
    return Promise.resolve();
  }

  /** Resolves when the run is final (tests, benchmarks). */
  async settled(runId: string): Promise<ExecutorStatus | undefined> {
    const run = this.runs.get(runId);
    if (!run) {
      return finalStatusOfFolder(join(this.root, runId));
    }
    await run.settled;
    return toStatus(run.state);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    for (const run of this.runs.values()) {
      run.abort.abort();
      run.listeners.clear();
    }
    this.runs.clear();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private handleOf(run: LiveRun): ExecutorHandle {
    return {
      executor: this.kind,
      runId: run.spec.runId,
      dir: run.dir,
      ...(run.state.jobId ? { jobId: run.state.jobId } : {}),
    };
  }

  private dirOf(handle: ExecutorHandle): string {
    return typeof handle.dir === 'string' ? handle.dir : join(this.root, handle.runId);
  }

  private track(spec: SlurmRunSpec, dir: string, state: PersistedState): LiveRun {
    let settle = () => {};
    const settled = new Promise<void>((r) => (settle = r));
    const run: LiveRun = {
      spec,
      dir,
      state,
      abort: new AbortController(),
      listeners: new Set(),
      settled,
      settle,
    };
    this.runs.set(spec.runId, run);
    return run;
  }

  private save(run: LiveRun): void {
    writeState(run.dir, run.state);
    for (const listener of run.listeners) listener();
  }

  private log(run: LiveRun, stream: LogStream, text: string, partial = false): void {
    appendLog(run.dir, this.iso(), stream, text, partial);
  }

  private commandEnv(): Record<string, string> {
    // sbatch exports its own environment into the job by default: give it only what Slurm needs, so none of the
    // server's secrets (database URL, tokens) reach the job. The job script exports the run's variables.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
    if (process.env.HOME) env.HOME = process.env.HOME;
    if (this.options.slurmConf) env.SLURM_CONF = this.options.slurmConf;
    return env;
  }

  private async execute(run: LiveRun): Promise<void> {
    const { spec, dir } = run;
    const workspace = join(dir, 'workspace');
    const outputDir = join(dir, 'output');
    try {
      const prepared = await prepareRun({
        spec,
        workspace,
        outputDir,
        cacheDir: this.cacheDir,
        signal: run.abort.signal,
        log: (text) => this.log(run, 'system', text),
      });
      if (prepared.commitId) run.state.commitId = prepared.commitId;
      if (run.abort.signal.aborted) throw new RunError('Cancelled', run.state.cancelReason ?? 'cancelled');
      const threads: Record<string, string> = {};
      const cpu = spec.resources?.limits?.cpu ?? spec.resources?.requests?.cpu;
      if (cpu) {
        const cores = String(Math.max(1, Math.ceil(parseCpuCores(cpu))));
        for (const name of ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'])
          threads[name] = cores;
      }
      const env = buildRunEnvironment({
        spec,
        serverEnv: this.options.serverEnv ?? process.env,
        inherit: this.options.inheritEnv,
        outputDir,
        workspace,
        resourceEnv: { ...threads, ...prepared.env },
      });
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
      if (run.abort.signal.aborted) throw new RunError('Cancelled', run.state.cancelReason ?? 'cancelled');
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
        submittedAt: this.iso(),
        processName: `slurm-${jobId}`,
        outOffset: 0,
        errOffset: 0,
      };
      this.log(
        run,
        'system',
        `submitted Slurm job ${jobId}${partition ? ` to partition ${partition}` : ''}: ` +
          `${[prepared.command, ...prepared.args].join(' ')} in ${prepared.cwd}`,
      );
      this.save(run);
      // A cancel that came in while sbatch was running: the job exists now, stop it.
      if (run.state.cancelReason !== undefined) await this.scancel(jobId);
      this.schedule(0);
    } catch (error) {
      await this.end(run, preparationFailure(error, run.state));
    }
  }

  private schedule(delay = this.options.pollMs ?? 1000): void {
    if (this.closed) return;
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling ??= this.pollAll().finally(() => {
        this.polling = undefined;
        if ([...this.runs.values()].some((r) => r.state.jobId !== undefined)) this.schedule();
      });
    }, delay);
    // Not unref'd: a live job must keep a process that only follows it (no HTTP server) alive; `close()` clears it.
  }

  private async pollAll(): Promise<void> {
    for (const run of [...this.runs.values()]) {
      if (this.closed) return;
      if (run.state.jobId === undefined || isFinalPhase(run.state.phase)) continue;
      try {
        await this.pollRun(run);
      } catch (error) {
        this.log(
          run,
          'system',
          `could not read the state of Slurm job ${run.state.jobId}: ${errorText(error)}`,
        );
      }
    }
  }

  private async pollRun(run: LiveRun): Promise<void> {
    const jobId = run.state.jobId;
    if (jobId === undefined || run.ending) return;
    this.tail(run, false);
    const timeoutMs = run.spec.timeoutMs ?? this.options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = run.state.startedAt ? Date.parse(run.state.startedAt) : this.now();
    if (run.state.cancelReason === undefined && this.now() > started + timeoutMs) {
      await this.stop(run, `the run exceeded its timeout of ${formatDuration(timeoutMs)}`, true, false);
    }
    const info = await this.query(jobId);
    if (!info) {
      const since = Date.parse(run.state.submittedAt ?? run.state.startedAt ?? '') || this.now();
      if (this.now() - since > (this.options.unknownGraceMs ?? 30_000)) {
        await this.end(run, {
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
        if (mapped.phase === 'running') run.state.runningAt = this.iso();
        this.log(run, 'system', mapped.message ?? `Slurm job ${jobId} is ${mapped.phase}`);
        this.save(run);
      }
      return;
    }
    this.tail(run, true);
    if (mapped.exitCode !== undefined) run.state.exitCode = mapped.exitCode;
    if (mapped.phase === 'succeeded') {
      try {
        const artifacts = await finalizeRun({
          spec: run.spec,
          outputDir: join(run.dir, 'output'),
          artifactDir: join(run.dir, 'artifacts'),
          commitId: run.state.commitId ?? '',
          log: (text) => this.log(run, 'system', text),
        });
        await this.end(run, { reason: 'Succeeded', message: mapped.message, artifacts });
      } catch (error) {
        await this.end(run, {
          reason: error instanceof RunError ? error.reason : 'ArtifactError',
          message: errorText(error),
        });
      }
      return;
    }
    await this.end(run, { reason: mapped.reason ?? 'Failed', message: mapped.message });
  }

  /** What Slurm knows about a job: scontrol while slurmctld holds it, then sacct, then the job-completion file. */
  private async query(jobId: string): Promise<SlurmJobInfo | undefined> {
    const env = this.commandEnv();
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
    if (this.options.jobCompFile) {
      try {
        return parseJobCompFile(readFileSync(this.options.jobCompFile, 'utf8'), jobId);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  private async scancel(jobId: string): Promise<void> {
    const result = await this.run('scancel', [jobId], { env: this.commandEnv() });
    // scancel of a finished job says "already completing or completed": nothing to do.
    if (result.code !== 0 && !/already|invalid job id/i.test(result.stderr)) {
      throw new Error(`scancel ${jobId} failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
    }
  }

  private async stop(run: LiveRun, reason: string, timedOut: boolean, wait = true): Promise<void> {
    if (isFinalPhase(run.state.phase)) return;
    if (run.state.cancelReason === undefined) {
      run.state.cancelReason = reason;
      run.state.timedOut = timedOut;
      this.save(run);
      this.log(run, 'system', timedOut ? reason : `cancelled: ${reason}`);
    }
    run.abort.abort();
    if (run.state.jobId !== undefined) {
      await this.scancel(run.state.jobId);
      this.schedule(0);
    }
    if (wait) await run.settled;
  }

  /** Copies new complete lines (all of it when `final`) of the job's stdout/stderr files into the run's log. */
  private tail(run: LiveRun, final: boolean): void {
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
      for (const line of lines) this.log(run, stream, line);
      if (rest !== undefined) this.log(run, stream, rest, true);
      if (consumed > 0) {
        run.state[key] = offset + consumed;
        changed = true;
      }
    }
    if (changed) this.save(run);
  }

  private end(
    run: LiveRun,
    result: { reason: ExecutorReason; message?: string | undefined; artifacts?: RunArtifact[] },
  ): Promise<void> {
    if (run.ending) return run.ending;
    run.state = {
      ...run.state,
      phase: result.reason === 'Succeeded' ? 'succeeded' : 'failed',
      reason: result.reason,
      ...(result.message !== undefined ? { message: result.message } : {}),
      finishedAt: this.iso(),
      ...(result.artifacts ? { artifacts: result.artifacts } : {}),
    };
    this.log(run, 'system', `run ${run.state.phase}: ${result.message ?? result.reason}`);
    this.save(run);
    run.settle();
    if (this.runs.get(run.spec.runId) === run) this.runs.delete(run.spec.runId);
    run.ending = Promise.resolve();
    return run.ending;
  }
}

const CHUNK = 1 << 20;

/** Complete lines of `file` after byte `offset`; with `final`, the unterminated rest too. */
function readNewLines(
  file: string,
  offset: number,
  final: boolean,
): { lines: string[]; consumed: number; rest?: string } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { lines: [], consumed: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { lines: [], consumed: 0 };
    const parts: Buffer[] = [];
    let position = offset;
    while (position < size) {
      const buf = Buffer.alloc(Math.min(CHUNK, size - position));
      const n = readSync(fd, buf, 0, buf.length, position);
      if (n <= 0) break;
      parts.push(buf.subarray(0, n));
      position += n;
    }
    const data = Buffer.concat(parts);
    const lastNl = data.lastIndexOf(10);
    const whole = lastNl >= 0 ? data.subarray(0, lastNl + 1) : Buffer.alloc(0);
    const lines = whole.length > 0 ? whole.toString('utf8').slice(0, -1).split('\n') : [];
    const cleaned = lines.map((l) => l.replace(/\r$/, ''));
    if (final && lastNl < data.length - 1) {
      return { lines: cleaned, consumed: data.length, rest: data.subarray(lastNl + 1).toString('utf8') };
    }
    return { lines: cleaned, consumed: whole.length };
  } finally {
    closeSync(fd);
  }
}
