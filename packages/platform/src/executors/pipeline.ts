/**
 * The steps around a run's process, in Odahu's order: setup (algorithm source, data bindings, dependencies, the
 * entry command) before, result (zip and upload the output folder) after. Executor-neutral: a Slurm or Kubernetes
 * executor can run the same functions on the node.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { publishArtifact } from '../artifacts/publish-artifact.js';
import { buildEntryCommand } from '../toolchains/entry-command.js';
import { prepareDependencies, type DependencyBuilder } from '../toolchains/dependency-cache.js';
import { copyFromStore, downloadDataBinding } from '../transfer/data-binding.js';
import { fetchGitSource } from '../transfer/git.js';
import { openStore } from '../transfer/open-store.js';
import { resolveInside } from '../transfer/safe-path.js';
import type { RunArtifact } from '../domain/run-artifact.js';
import { RunError, errorText } from '../domain/run-error.js';
import type { RunSpec } from '../domain/run-spec.js';

export interface PrepareContext {
  spec: RunSpec;
  /** Empty folder the source and data go into. */
  workspace: string;
  outputDir: string;
  cacheDir: string;
  signal: AbortSignal;
  log: (text: string) => void;
  /** PATH for dependency tools. @default process.env.PATH */
  path?: string;
  /** Environment of the dependency build (the run's, never the server's). */
  env?: Record<string, string>;
  /** The user the dependency build runs as (a root server's run user). */
  builder?: DependencyBuilder;
  /** Called once the source and data are in place, before any of the training's code runs (to hand them over). */
  beforeDependencies?: () => void;
}

export interface PreparedRun {
  command: string;
  args: string[];
  /** The work dir (MLproject folder) inside the workspace. */
  cwd: string;
  /** Variables from the dependency cache (PATH, VIRTUAL_ENV). */
  env: Record<string, string>;
  commitId?: string;
}

export async function prepareRun(ctx: PrepareContext): Promise<PreparedRun> {
  const { spec, workspace, log, signal } = ctx;
  const check = () => {
    if (signal.aborted) throw new RunError('Cancelled', 'cancelled while preparing');
  };
  let commitId: string | undefined;
  const source = spec.source;
  if (source?.kind === 'git') {
    const result = await fetchGitSource({
      connection: source.connection,
      reference: source.reference,
      target: workspace,
      secretsDir: join(workspace, '..', '.gangplank', 'secrets'),
      log,
      signal,
    });
    commitId = result.commitId;
  } else if (source?.kind === 'objectStorage') {
    try {
      const { store, basePath } = openStore(source.connection);
      const path = source.path ? source.path.replace(/^\/+/, '') : basePath;
      const summary = await copyFromStore(store, path, workspace, true, (m) => `algorithm source: ${m}`);
      log(`algorithm source: ${summary.objects} object(s) from ${store.label}/${path}`);
    } catch (error) {
      throw new RunError(
        'SourceError',
        `algorithm source (connection "${source.connection.id}"): ${errorText(error)}`,
      );
    }
  }
  check();
  for (const [index, binding] of (spec.data ?? []).entries()) {
    await downloadDataBinding(binding, index, workspace, log);
    check();
  }
  const workDir = spec.workDir || './';
  const projectDir = resolveInside(workspace, workDir);
  if (!projectDir) throw new RunError('ToolchainError', `workDir "${workDir}" escapes the work folder`);
  if (!existsSync(projectDir)) {
    if (source)
      throw new RunError('ToolchainError', `workDir "${workDir}" does not exist in the algorithm source`);
    mkdirSync(projectDir, { recursive: true });
  } else if (!statSync(projectDir).isDirectory()) {
    throw new RunError('ToolchainError', `workDir "${workDir}" is a file, not a folder`);
  }
  ctx.beforeDependencies?.();
  const env = await prepareDependencies({
    projectDir,
    cacheDir: ctx.cacheDir,
    path: ctx.path ?? ctx.env?.PATH ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    log,
    signal,
    ...(ctx.env ? { env: ctx.env } : {}),
    ...(ctx.builder ? { builder: ctx.builder } : {}),
  });
  check();
  const entry = buildEntryCommand(spec, projectDir);
  return { ...entry, cwd: projectDir, env, ...(commitId ? { commitId } : {}) };
}

export interface FinalizeContext {
  spec: RunSpec;
  outputDir: string;
  artifactDir: string;
  commitId: string;
  log: (text: string) => void;
}

export async function finalizeRun(ctx: FinalizeContext): Promise<RunArtifact[]> {
  const artifact = await publishArtifact(ctx);
  return [{ runId: artifact.runId, artifactName: artifact.artifactName, commitID: artifact.commitID }];
}
