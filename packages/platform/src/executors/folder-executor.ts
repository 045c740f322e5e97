/**
 * The `Executor` port for executors that keep a run's truth in its work folder (local, Slurm): every port method
 * is the shared run lifecycle (`run-lifecycle.ts`); a subclass supplies only how a run is launched, resumed after a
 * restart and stopped.
 */
import { join, resolve } from 'node:path';
import { RunError } from '../domain/run-error.js';
import type { RunSpec } from '../domain/run-spec.js';
import { toError } from '../domain/to-error.js';
import { buildRunEnvironment } from './environment.js';
import type { Executor, ExecutorHandle, ExecutorStatus, LogPage } from './executor.js';
import { prepareRun, type PrepareContext, type PreparedRun } from './pipeline.js';
import { preparationFailure, type RunRecord } from './run-folder.js';
import { RunLifecycle, type LiveRun } from './run-lifecycle.js';

export interface FolderExecutorOptions {
  /** Folder holding one work folder per run. */
  root: string;
  /** Folder of the dependency cache (environments built once per lockfile hash). @default `<root>/../cache` */
  cacheDir?: string | undefined;
  /** Remove a run's work folder when `release` is called. @default true */
  removeOnRelease?: boolean | undefined;
  /** Clock of the times recorded in the state and the log, and of the timeout. @default Date.now */
  now?: (() => number) | undefined;
  /** Extra variable names passed from the server's environment to runs (besides PATH, HOME, LANG …). */
  inheritEnv?: string[] | undefined;
  /** Environment the run's whitelist is read from. @default process.env */
  serverEnv?: NodeJS.ProcessEnv | undefined;
}

export abstract class FolderExecutor<S extends RunRecord, R extends LiveRun<S>> implements Executor {
  protected readonly core: RunLifecycle<S, R>;
  protected readonly cacheDir: string;

  constructor(
    readonly kind: string,
    label: string,
    private readonly folderOptions: FolderExecutorOptions,
  ) {
    const options = folderOptions;
    this.core = new RunLifecycle<S, R>(
      {
        kind,
        label,
        root: options.root,
        ...(options.removeOnRelease !== undefined ? { removeOnRelease: options.removeOnRelease } : {}),
        ...(options.now ? { now: options.now } : {}),
      },
      {
        extend: (run) => this.extend(run),
        launched: (state) => this.launched(state),
        kill: (run) => this.kill(run),
        killUntracked: (handle, state) => this.killUntracked(handle, state),
        onEnd: (run) => this.onEnd(run),
        onClose: (run) => this.onClose(run),
      },
    );
    this.cacheDir = resolve(options.cacheDir ?? join(this.core.root, '..', 'cache'));
  }

  /** Adds the executor's own fields to a newly tracked run. */
  protected abstract extend(run: LiveRun<S>): R;
  /** True when the run's process or job was started, so a re-attached run can be resumed. */
  protected abstract launched(state: S): boolean;
  /** Prepares the run and starts its process or job, in the background of `submit`; a throw ends the run. */
  protected abstract launch(run: R): Promise<void>;
  /** Follows a launched run again after a restart of the server. */
  protected abstract resume(run: R): Promise<void>;
  /** Stops what runs for a followed run, once its cancel is recorded. */
  protected abstract kill(run: R): Promise<void>;
  /** Stops what a run not followed by this server left running (`state` absent: no folder). */
  protected abstract killUntracked(handle: ExecutorHandle, state: S | undefined): Promise<void>;
  /** Frees what the run held as it ends. */
  protected onEnd(_run: R): void {}
  /** Lets go of a run when the executor closes; the run itself keeps going. */
  protected onClose(_run: R): void {}

  submit(spec: RunSpec): Promise<ExecutorHandle> {
    let run: R;
    try {
      run = this.core.open(spec);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    void this.launch(run).catch((error: unknown) => this.core.end(run, preparationFailure(error, run.state)));
    return Promise.resolve(this.core.handleOf(run));
  }

  attach(handle: ExecutorHandle, spec: RunSpec): Promise<ExecutorStatus> {
    return this.core.attach(handle, spec, (run) => this.resume(run));
  }

  status(handle: ExecutorHandle): Promise<ExecutorStatus> {
    return Promise.resolve(this.core.status(handle));
  }

  cancel(handle: ExecutorHandle, reason: string): Promise<void> {
    return this.core.cancel(handle, reason);
  }

  logs(handle: ExecutorHandle, cursor?: string, limit = 1000): Promise<LogPage> {
    return Promise.resolve(this.core.logs(handle, cursor, limit));
  }

  watch(handle: ExecutorHandle, listener: () => void): () => void {
    return this.core.watch(handle, listener);
  }

  release(handle: ExecutorHandle): Promise<void> {
    return this.core.release(handle);
  }

  /** Resolves when the run is final (tests, benchmarks, `runTrainingLocally`). */
  settled(runId: string): Promise<ExecutorStatus | undefined> {
    return this.core.settled(runId);
  }

  close(): Promise<void> {
    this.core.close();
    return Promise.resolve();
  }

  /**
   * Source, data, dependencies and the entry command, in the run's workspace; a cancel meanwhile throws. `isolation`
   * (local executor): the dependency build's environment and user, and the hand-over of the workspace before it.
   */
  protected async prepare(
    run: R,
    isolation: Pick<PrepareContext, 'env' | 'builder' | 'beforeDependencies'> = {},
  ): Promise<PreparedRun> {
    const prepared = await prepareRun({
      ...isolation,
      // The build runs the training's own scripts: it gets the run's environment, never the server's.
      env: isolation.env ?? this.runEnvironment(run, {}),
      spec: run.spec,
      workspace: join(run.dir, 'workspace'),
      outputDir: join(run.dir, 'output'),
      cacheDir: this.cacheDir,
      signal: run.abort.signal,
      log: (text) => this.core.log(run, 'system', text),
    });
    if (prepared.commitId) run.state.commitId = prepared.commitId;
    this.throwIfCancelled(run);
    return prepared;
  }

  protected throwIfCancelled(run: R): void {
    if (run.abort.signal.aborted) throw new RunError('Cancelled', run.state.cancelReason ?? 'cancelled');
  }

  /** The run's process environment: the server's whitelist, the metrics wiring, the envs, `resourceEnv` last. */
  protected runEnvironment(run: R, resourceEnv: Record<string, string>): Record<string, string> {
    return buildRunEnvironment({
      spec: run.spec,
      serverEnv: this.folderOptions.serverEnv ?? process.env,
      inherit: this.folderOptions.inheritEnv,
      outputDir: join(run.dir, 'output'),
      workspace: join(run.dir, 'workspace'),
      resourceEnv,
    });
  }
}
