/**
 * The local executor: runs trainings as processes on this machine.
 *
 * Each run gets a work folder `<root>/<runId>/` with `workspace/` (source and data), `output/` (zipped into the
 * artifact) and `.gangplank/` (state, log, shim). Preparation (source, data, dependencies) runs in the server
 * process; the entry point runs under the shim (see `shim.ts`), detached in its own process group, so it outlives a
 * server restart and can be re-attached from the folder alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findOnPath } from '@gangplank/stack';
import type { Executor, ExecutorHandle, ExecutorStatus, LogPage, LogStream } from './executor.js';
import type { ExecutorReason } from '../domain/executor-reason.js';
import type { RunArtifact } from '../domain/run-artifact.js';
import { isFinalPhase } from './executor.js';
import { buildRunEnvironment } from './environment.js';
import { detectGpus } from './gpus.js';
import { finalizeRun, prepareRun } from './pipeline.js';
import { isAlive, processStartTicks, terminateTree } from './process-tree.js';
import { planResources, requestedGpus, type MachineTools } from './resources.js';
import { DEFAULT_TIMEOUT_MS, type RunSpec } from '../domain/run-spec.js';
import { RunError, errorText } from '../domain/run-error.js';
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
  unlessFolderGone,
  writeState,
  type RunRecord,
} from './run-folder.js';
import { SHIM_SOURCE } from './shim.js';

export interface LocalExecutorOptions {
  /** Folder holding one work folder per run. */
  root: string;
  /** Folder of the dependency cache (environments built once per lockfile hash). @default `<root>/../cache` */
  cacheDir?: string;
  /** Time between SIGTERM and SIGKILL when a run is cancelled or times out. @default 10_000 */
  graceMs?: number;
  /** Timeout of runs whose spec has none. @default 14_400_000 (4 h) */
  defaultTimeoutMs?: number;
  /**
   * GPU ids to hand out through `CUDA_VISIBLE_DEVICES`; `[]` = none.
   * @default detected: the server's `CUDA_VISIBLE_DEVICES`, else `nvidia-smi -L`, else no GPU pool
   */
  gpus?: string[];
  /** Extra variable names passed from the server's environment to runs (besides PATH, HOME, LANG …). */
  inheritEnv?: string[];
  /** Remove a run's work folder when `release` is called. @default true */
  removeOnRelease?: boolean;
  /** Tools used to enforce limits; detected on PATH when absent. */
  tools?: MachineTools;
  /** How often a re-attached process (not our child) is checked. @default 250 */
  pollMs?: number;
  /** Environment the run's whitelist is read from. @default process.env */
  serverEnv?: NodeJS.ProcessEnv;
}

interface PersistedState extends RunRecord {
  shimPid?: number;
  shimStart?: string;
}

interface LiveRun {
  spec: RunSpec;
  dir: string;
  state: PersistedState;
  abort: AbortController;
  listeners: Set<() => void>;
  child?: ChildProcess;
  poller?: NodeJS.Timeout;
  timer?: NodeJS.Timeout;
  gpus: string[];
  ending?: Promise<void>;
  settled: Promise<void>;
  settle: () => void;
}

interface ExitFile {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: string | null;
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGTERM: 15,
};

/** Creates the local executor. */
export function createLocalExecutor(options: LocalExecutorOptions): LocalExecutor {
  return new LocalExecutor(options);
}

export class LocalExecutor implements Executor {
  readonly kind = 'local';
  private readonly root: string;
  private readonly cacheDir: string;
  private readonly graceMs: number;
  private readonly defaultTimeoutMs: number;
  private readonly tools: MachineTools;
  private readonly runs = new Map<string, LiveRun>();
  private readonly busyGpus = new Set<string>();
  private nextCore = 0;
  private closed = false;
  private readonly gpus: string[] | undefined;

  constructor(private readonly options: LocalExecutorOptions) {
    this.root = resolve(options.root);
    this.cacheDir = resolve(options.cacheDir ?? join(this.root, '..', 'cache'));
    this.graceMs = options.graceMs ?? 10_000;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tools = options.tools ?? {
      prlimit: findOnPath(['prlimit']),
      taskset: findOnPath(['taskset']),
      nice: findOnPath(['nice']),
      cores: cpus().length || 1,
    };
    this.gpus = options.gpus ?? detectGpus(options.serverEnv ?? process.env);
    mkdirSync(this.root, { recursive: true });
  }

  submit(spec: RunSpec): Promise<ExecutorHandle> {
    // `spec.image` and `spec.nodeSelector` are ignored on purpose: the run is a host process on this one machine,
    // so there is no container to pull and no node to choose (resources are mapped instead, see resources.ts).
    if (this.closed) return Promise.reject(new Error('local executor is closed'));
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(spec.runId)) {
      return Promise.reject(new Error(`run id "${spec.runId}" cannot name a folder`));
    }
    const dir = join(this.root, spec.runId);
    mkdirSync(join(dir, '.gangplank'), { recursive: true });
    mkdirSync(join(dir, 'workspace'), { recursive: true });
    mkdirSync(join(dir, 'output'), { recursive: true });
    const run = this.track(spec, dir, { phase: 'preparing', startedAt: new Date().toISOString() });
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
    if (state.phase !== 'running' || state.shimPid === undefined) {
      await this.end(run, { reason: 'Lost', message: 'the server stopped while the run was being prepared' });
      return toStatus(run.state);
    }
    const pid = state.shimPid;
    const same =
      isAlive(pid) && (state.shimStart === undefined || processStartTicks(pid) === state.shimStart);
    if (!same) {
      await this.onShimExit(run);
      return toStatus(run.state);
    }
    this.log(run, 'system', `re-attached to process ${pid} after a restart of the server`);
    run.poller = setInterval(() => {
      if (!isAlive(pid)) {
        clearInterval(run.poller);
        void this.onShimExit(run);
      }
    }, this.options.pollMs ?? 250);
    this.armTimeout(run);
    return toStatus(run.state);
  }

  status(handle: ExecutorHandle): Promise<ExecutorStatus> {
    const live = this.runs.get(handle.runId);
    return Promise.resolve(live ? toStatus(live.state) : statusOfFolder(this.dirOf(handle)));
  }

  async cancel(handle: ExecutorHandle, reason: string): Promise<void> {
    const run = this.runs.get(handle.runId);
    if (!run) {
      // Not watched by this server (e.g. before attach): stop the process named in the folder, if any.
      const state = readState<PersistedState>(this.dirOf(handle));
      if (state && !isFinalPhase(state.phase) && state.shimPid !== undefined && isAlive(state.shimPid)) {
        await terminateTree(state.shimPid, this.graceMs);
      }
      return;
    }
    await this.stop(run, reason, false);
  }

  logs(handle: ExecutorHandle, cursor?: string, limit = 1000): Promise<LogPage> {
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
    if (run && !isFinalPhase(run.state.phase))
      return Promise.reject(new Error(`run ${handle.runId} is still active`));
    this.runs.delete(handle.runId);
    if (this.options.removeOnRelease ?? true) rmSync(this.dirOf(handle), { recursive: true, force: true });
    return Promise.resolve();
  }

  /** Resolves when the run is final (test and `runTrainingLocally` helper). */
  async settled(runId: string): Promise<ExecutorStatus | undefined> {
    const run = this.runs.get(runId);
    if (!run) {
      return finalStatusOfFolder(join(this.root, runId));
    }
    await run.settled;
    return toStatus(run.state);
  }

  close(): Promise<void> {
    this.closed = true;
    for (const run of this.runs.values()) {
      clearInterval(run.poller);
      clearTimeout(run.timer);
      run.child?.unref();
      run.listeners.clear();
    }
    this.runs.clear();
    return Promise.resolve();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private handleOf(run: LiveRun): ExecutorHandle {
    return { executor: this.kind, runId: run.spec.runId, dir: run.dir };
  }

  private dirOf(handle: ExecutorHandle): string {
    return typeof handle.dir === 'string' ? handle.dir : join(this.root, handle.runId);
  }

  private track(spec: RunSpec, dir: string, state: PersistedState): LiveRun {
    let settle = () => {};
    const settled = new Promise<void>((r) => (settle = r));
    const run: LiveRun = {
      spec,
      dir,
      state,
      abort: new AbortController(),
      listeners: new Set(),
      gpus: [],
      settled,
      settle,
    };
    this.runs.set(spec.runId, run);
    return run;
  }

  private save(run: LiveRun): void {
    unlessFolderGone(() => writeState(run.dir, run.state));
    for (const listener of run.listeners) listener();
  }

  private log(run: LiveRun, stream: LogStream, text: string): void {
    unlessFolderGone(() => appendLog(run.dir, new Date().toISOString(), stream, text));
  }

  private async execute(run: LiveRun): Promise<void> {
    const { spec, dir } = run;
    const workspace = join(dir, 'workspace');
    const outputDir = join(dir, 'output');
    try {
      let gpuCount: number;
      try {
        gpuCount = requestedGpus(spec.resources);
        planResources(spec.resources, this.tools, 0, undefined); // bad quantities fail before any work
      } catch (error) {
        throw new RunError('ResourceError', `resources: ${errorText(error)}`);
      }
      run.gpus = await this.takeGpus(run, gpuCount);
      this.armTimeout(run);
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
      const plan = planResources(spec.resources, this.tools, this.nextCore, this.gpus ? run.gpus : undefined);
      this.nextCore = (this.nextCore + plan.coreCount) % this.tools.cores;
      for (const note of plan.notes) this.log(run, 'system', note);
      const env = buildRunEnvironment({
        spec,
        serverEnv: this.options.serverEnv ?? process.env,
        inherit: this.options.inheritEnv,
        outputDir,
        workspace,
        resourceEnv: { ...plan.env, ...prepared.env },
      });
      const shimFile = join(dir, '.gangplank', 'shim.mjs');
      const configFile = join(dir, '.gangplank', 'shim.json');
      writeFileSync(shimFile, SHIM_SOURCE);
      writeFileSync(
        configFile,
        JSON.stringify({
          command: plan.prefix[0] ?? prepared.command,
          args:
            plan.prefix.length > 0
              ? [...plan.prefix.slice(1), prepared.command, ...prepared.args]
              : prepared.args,
          cwd: prepared.cwd,
          logFile: logFileOf(dir),
          exitFile: join(dir, '.gangplank', 'exit.json'),
        }),
      );
      this.log(run, 'system', `running ${[prepared.command, ...prepared.args].join(' ')} in ${prepared.cwd}`);
      const child = spawn(process.execPath, [shimFile, configFile], {
        cwd: dir,
        env,
        detached: true,
        stdio: 'ignore',
      });
      run.child = child;
      const pid = child.pid;
      if (pid === undefined) throw new RunError('Failed', 'could not start the run process');
      run.state = {
        ...run.state,
        phase: 'running',
        shimPid: pid,
        shimStart: processStartTicks(pid),
        processName: `local-${pid}`,
      };
      this.save(run);
      child.once('exit', () => void this.onShimExit(run));
      if (run.state.cancelReason !== undefined)
        void this.stop(run, run.state.cancelReason, run.state.timedOut ?? false);
    } catch (error) {
      await this.end(run, preparationFailure(error, run.state));
    }
  }

  private async takeGpus(run: LiveRun, count: number): Promise<string[]> {
    const pool = this.gpus;
    if (count === 0) return [];
    if (!pool || pool.length < count) {
      throw new RunError(
        'ResourceError',
        `the run asks for ${count} GPU(s) but this machine offers ${pool?.length ?? 0}`,
      );
    }
    // GPUs busy with other runs: wait (the run stays `preparing`) rather than fail.
    for (;;) {
      const free = pool.filter((g) => !this.busyGpus.has(g));
      if (free.length >= count) {
        const taken = free.slice(0, count);
        for (const g of taken) this.busyGpus.add(g);
        return taken;
      }
      if (run.abort.signal.aborted) throw new RunError('Cancelled', run.state.cancelReason ?? 'cancelled');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private armTimeout(run: LiveRun): void {
    const timeoutMs = run.spec.timeoutMs ?? this.defaultTimeoutMs;
    const started = run.state.startedAt ? Date.parse(run.state.startedAt) : Date.now();
    const remaining = Math.max(0, started + timeoutMs - Date.now());
    clearTimeout(run.timer);
    run.timer = setTimeout(
      () => void this.stop(run, `the run exceeded its timeout of ${formatDuration(timeoutMs)}`, true),
      Math.min(remaining, 2 ** 31 - 1),
    );
    run.timer.unref();
  }

  private async stop(run: LiveRun, reason: string, timedOut: boolean): Promise<void> {
    if (isFinalPhase(run.state.phase)) return;
    if (run.state.cancelReason === undefined) {
      run.state.cancelReason = reason;
      run.state.timedOut = timedOut;
      this.save(run);
      this.log(run, 'system', timedOut ? reason : `cancelled: ${reason}`);
    }
    run.abort.abort();
    const pid = run.state.shimPid;
    if (pid !== undefined && run.state.phase === 'running') await terminateTree(pid, this.graceMs);
    await run.settled;
  }

  private async onShimExit(run: LiveRun): Promise<void> {
    if (run.ending) return run.ending;
    run.ending = (async () => {
      clearInterval(run.poller);
      const exitFile = join(run.dir, '.gangplank', 'exit.json');
      const exit = existsSync(exitFile)
        ? (JSON.parse(readFileSync(exitFile, 'utf8')) as ExitFile)
        : undefined;
      const exitCode =
        exit === undefined
          ? undefined
          : (exit.code ?? (exit.signal ? 128 + (SIGNALS[exit.signal] ?? 0) : undefined));
      if (exitCode !== undefined) run.state.exitCode = exitCode;
      if (run.state.cancelReason !== undefined) {
        return this.end(run, {
          reason: run.state.timedOut ? 'Timeout' : 'Cancelled',
          message: run.state.cancelReason,
        });
      }
      if (exit === undefined) {
        return this.end(run, {
          reason: 'Lost',
          message: 'the run process ended without leaving an exit status (killed?)',
        });
      }
      if (exit.error) return this.end(run, { reason: 'ToolchainError', message: exit.error });
      if (exitCode !== 0) {
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exitCode}`;
        return this.end(run, { reason: 'Failed', message: `the entry point ${how}` });
      }
      try {
        const artifacts = await finalizeRun({
          spec: run.spec,
          outputDir: join(run.dir, 'output'),
          artifactDir: join(run.dir, 'artifacts'),
          commitId: run.state.commitId ?? '',
          log: (text) => this.log(run, 'system', text),
        });
        return this.end(run, {
          reason: 'Succeeded',
          message: 'the entry point exited with code 0',
          artifacts,
        });
      } catch (error) {
        return this.end(run, {
          reason: error instanceof RunError ? error.reason : 'ArtifactError',
          message: errorText(error),
        });
      }
    })();
    return run.ending;
  }

  private end(
    run: LiveRun,
    result: { reason: ExecutorReason; message?: string; artifacts?: RunArtifact[] },
  ): Promise<void> {
    clearTimeout(run.timer);
    clearInterval(run.poller);
    for (const g of run.gpus) this.busyGpus.delete(g);
    run.gpus = [];
    run.state = {
      ...run.state,
      phase: result.reason === 'Succeeded' ? 'succeeded' : 'failed',
      reason: result.reason,
      message: result.message,
      finishedAt: new Date().toISOString(),
      ...(result.artifacts ? { artifacts: result.artifacts } : {}),
    };
    this.log(run, 'system', `run ${run.state.phase}: ${result.message ?? result.reason}`);
    this.save(run);
    run.settle();
    // A finished run lives on in its folder (state.json, log, exit status); memory holds only active runs.
    if (this.runs.get(run.spec.runId) === run) this.runs.delete(run.spec.runId);
    return Promise.resolve();
  }
}
