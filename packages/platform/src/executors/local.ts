/**
 * The local executor: runs trainings as processes on this machine.
 *
 * Each run gets a work folder `<root>/<runId>/` with `workspace/` (source and data), `output/` (zipped into the
 * artifact) and `.gangplank/` (state, log, shim). Preparation (source, data, dependencies) runs in the server
 * process; the entry point runs under the shim (see `shim.ts`), detached in its own process group, so it outlives a
 * server restart and can be re-attached from the folder alone.
 *
 * A root server runs each training, and its dependency build, as an unprivileged run user (`runAsUser`, default
 * `gangplank-run`): the user owns the run's `workspace/`, `output/` and `home/`, while `.gangplank/` (state, log,
 * source credentials) stays the server's. When the run folder or the dependency cache lies where that user cannot
 * enter (a data folder under /root), the run keeps the server's user and its log says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError, errorText } from '../domain/run-error.js';
import { DEFAULT_TIMEOUT_MS } from '../domain/run-spec.js';
import type { ExecutorHandle } from './executor.js';
import { detectGpus } from './gpus.js';
import { isAlive, processStartTicks, terminateTree } from './process-tree.js';
import { planResources, requestedGpus, type MachineTools } from './resources.js';
import { formatDuration, logFileOf, type RunRecord } from './run-folder.js';
import { FolderExecutor, type FolderExecutorOptions } from './folder-executor.js';
import type { LiveRun } from './run-lifecycle.js';
import { SHIM_SOURCE } from './shim.js';
import { chownTree, firstClosedFolder, resolveRunUser, type RunIdentity } from './run-user.js';
import type { DependencyBuilder } from '../toolchains/dependency-cache.js';

/** `root`, `cacheDir`, `removeOnRelease` and `now` are those of every folder-based executor. */
export interface LocalExecutorOptions extends FolderExecutorOptions {
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
  /** Tools used to enforce limits; detected on PATH when absent. */
  tools?: MachineTools;
  /** How often a re-attached process (not our child) is checked. @default 250 */
  pollMs?: number;
  /** Environment the run's whitelist is read from. @default process.env */
  serverEnv?: NodeJS.ProcessEnv;
  /**
   * User a root server runs trainings as: a name or uid; `""` or `root` runs them as root. Ignored when the server
   * is not root (it cannot change user). @default "gangplank-run", created as a system user when missing
   */
  runAsUser?: string | undefined;
}

interface PersistedState extends RunRecord {
  shimPid?: number;
  shimStart?: string;
}

interface LocalRun extends LiveRun<PersistedState> {
  child?: ChildProcess;
  poller?: NodeJS.Timeout;
  timer?: NodeJS.Timeout;
  gpus: string[];
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

export class LocalExecutor extends FolderExecutor<PersistedState, LocalRun> {
  declare readonly kind: 'local';
  private readonly graceMs: number;
  private readonly defaultTimeoutMs: number;
  private tools: MachineTools | undefined;
  private readonly busyGpus = new Set<string>();
  private nextCore = 0;
  private readonly gpus: string[] | undefined;
  private readonly runUser: RunIdentity | undefined;

  constructor(private readonly options: LocalExecutorOptions) {
    super('local', 'local', options);
    this.graceMs = options.graceMs ?? 10_000;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tools = options.tools;
    this.gpus = options.gpus ?? detectGpus(options.serverEnv ?? process.env);
    this.runUser = resolveRunUser(options.runAsUser);
  }

  /**
   * The machine's tools, looked up on the first launch: `@gangplank/stack`, which finds them, is imported then
   * rather than with the server (its modules are about 45 ms of `gangplank serve`'s start).
   */
  private async machineTools(): Promise<MachineTools> {
    if (this.tools) return this.tools;
    const { findOnPath } = await import('@gangplank/stack');
    return (this.tools ??= {
      prlimit: findOnPath(['prlimit']),
      taskset: findOnPath(['taskset']),
      nice: findOnPath(['nice']),
      cores: cpus().length || 1,
    });
  }

  /** The user runs execute as, when it differs from the server's (a root server). */
  get runIdentity(): RunIdentity | undefined {
    return this.runUser;
  }

  /** The run user for this run, or undefined (with a line in its log) when it cannot reach the run's folders. */
  private identityFor(run: LocalRun): RunIdentity | undefined {
    const user = this.runUser;
    if (!user) return undefined;
    mkdirSync(this.cacheDir, { recursive: true });
    const closed = firstClosedFolder(run.dir, user) ?? firstClosedFolder(this.cacheDir, user);
    if (closed === undefined) return user;
    this.core.log(
      run,
      'system',
      `isolation off for this run: it runs as the server's user (root), because the run user ${user.name} cannot ` +
        `enter ${closed}; to isolate runs, keep run folders where every folder above them is searchable by ` +
        `${user.name} (for a server, e.g. --data-dir /var/lib/gangplank)`,
    );
    return undefined;
  }

  protected extend(run: LiveRun<PersistedState>): LocalRun {
    return { ...run, gpus: [] };
  }

  protected launched(state: PersistedState): boolean {
    return state.phase === 'running' && state.shimPid !== undefined;
  }

  protected async resume(run: LocalRun): Promise<void> {
    const pid = run.state.shimPid;
    const same =
      pid !== undefined &&
      isAlive(pid) &&
      (run.state.shimStart === undefined || processStartTicks(pid) === run.state.shimStart);
    if (!same) return this.onShimExit(run);
    this.core.log(run, 'system', `re-attached to process ${pid} after a restart of the server`);
    run.poller = setInterval(() => {
      if (!isAlive(pid)) {
        clearInterval(run.poller);
        void this.onShimExit(run);
      }
    }, this.options.pollMs ?? 250);
    this.armTimeout(run);
  }

  protected async kill(run: LocalRun): Promise<void> {
    const pid = run.state.shimPid;
    if (pid !== undefined && run.state.phase === 'running') await terminateTree(pid, this.graceMs);
  }

  protected async killUntracked(_handle: ExecutorHandle, state: PersistedState | undefined): Promise<void> {
    // Not watched by this server (before attach, or an orphan of a server that is gone): stop the process named
    // in the folder, if it is still that process (a pid reused since then is someone else's).
    const pid = state?.shimPid;
    if (pid === undefined || !isAlive(pid)) return;
    if (state?.shimStart !== undefined && processStartTicks(pid) !== state.shimStart) return;
    await terminateTree(pid, this.graceMs);
  }

  protected override onEnd(run: LocalRun): void {
    clearTimeout(run.timer);
    clearInterval(run.poller);
    for (const g of run.gpus) this.busyGpus.delete(g);
    run.gpus = [];
  }

  protected override onClose(run: LocalRun): void {
    clearInterval(run.poller);
    clearTimeout(run.timer);
    // The next server re-attaches from the folder; this one must not record an end it no longer follows.
    run.child?.removeAllListeners('exit');
    run.child?.unref();
  }

  // ---------------------------------------------------------------------------------------------------------------

  protected async launch(run: LocalRun): Promise<void> {
    // `spec.image` and `spec.nodeSelector` are ignored on purpose: the run is a host process on this one machine,
    // so there is no container to pull and no node to choose (resources are mapped instead, see resources.ts).
    const { spec, dir } = run;
    const tools = await this.machineTools();
    let gpuCount: number;
    try {
      gpuCount = requestedGpus(spec.resources);
      planResources(spec.resources, tools, 0, undefined); // bad quantities fail before any work
    } catch (error) {
      throw new RunError('ResourceError', `resources: ${errorText(error)}`);
    }
    run.gpus = await this.takeGpus(run, gpuCount);
    this.armTimeout(run);
    const user = this.identityFor(run);
    const home = join(dir, 'home');
    const userEnv: Record<string, string> = user ? { HOME: home, USER: user.name, LOGNAME: user.name } : {};
    if (user) {
      mkdirSync(home, { recursive: true });
      this.core.log(run, 'system', `runs as user ${user.name} (uid ${user.uid}), HOME ${home}`);
    }
    const handOver = (): void => {
      if (!user) return;
      for (const sub of ['workspace', 'output', 'home']) chownTree(join(dir, sub), user.uid, user.gid);
    };
    const prepared = await this.prepare(run, {
      env: this.runEnvironment(run, userEnv),
      beforeDependencies: handOver,
      ...(user ? { builder: cacheBuilder(user) } : {}),
    });
    // Files the preparation wrote after the hand-over (an npm link) belong to the run too.
    handOver();
    const plan = planResources(spec.resources, tools, this.nextCore, this.gpus ? run.gpus : undefined);
    this.nextCore = (this.nextCore + plan.coreCount) % tools.cores;
    for (const note of plan.notes) this.core.log(run, 'system', note);
    const env = this.runEnvironment(run, { ...userEnv, ...plan.env, ...prepared.env });
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
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
      }),
    );
    this.core.log(
      run,
      'system',
      `running ${[prepared.command, ...prepared.args].join(' ')} in ${prepared.cwd}`,
    );
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
    this.core.save(run);
    child.once('exit', () => void this.onShimExit(run));
    if (run.state.cancelReason !== undefined)
      void this.core.stop(run, run.state.cancelReason, run.state.timedOut ?? false);
  }

  private async takeGpus(run: LocalRun, count: number): Promise<string[]> {
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

  private armTimeout(run: LocalRun): void {
    const timeoutMs = run.spec.timeoutMs ?? this.defaultTimeoutMs;
    const now = this.core.now();
    const started = run.state.startedAt ? Date.parse(run.state.startedAt) : now;
    const remaining = Math.max(0, started + timeoutMs - now);
    clearTimeout(run.timer);
    run.timer = setTimeout(
      () => void this.core.stop(run, `the run exceeded its timeout of ${formatDuration(timeoutMs)}`, true),
      Math.min(remaining, 2 ** 31 - 1),
    );
    run.timer.unref();
  }

  private onShimExit(run: LocalRun): Promise<void> {
    return this.core.ending(run, () => {
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
      const cancelled = this.core.cancelled(run);
      if (cancelled) return this.core.end(run, cancelled);
      if (exit === undefined) {
        return this.core.end(run, {
          reason: 'Lost',
          message: 'the run process ended without leaving an exit status (killed?)',
        });
      }
      if (exit.error) return this.core.end(run, { reason: 'ToolchainError', message: exit.error });
      if (exitCode !== 0) {
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exitCode}`;
        return this.core.end(run, { reason: 'Failed', message: `the entry point ${how}` });
      }
      return this.core.succeed(run, 'the entry point exited with code 0');
    });
  }
}

/** Lends a cache folder to the run user for a build and takes it back, so later runs cannot alter it. */
function cacheBuilder(user: RunIdentity): DependencyBuilder {
  const server = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  return {
    uid: user.uid,
    gid: user.gid,
    lend: (dir) => chownTree(dir, user.uid, user.gid),
    takeBack: (dir) => chownTree(dir, server.uid, server.gid),
  };
}
