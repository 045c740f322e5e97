/**
 * Turns a run's toolchain, entry point, args and hyperparameters into the process to start.
 *
 * - `mlflow`: the MLproject (`MLproject` or `MLProject`) in the work dir is parsed and the entry point's command
 *   rendered (see `mlproject.ts`), then run by `/bin/sh -c` in the work dir, as MLflow does. As in MLflow, an entry
 *   point that is not declared but names a `.py` or `.sh` file runs that file with the hyperparameters as
 *   `--name value`.
 * - `command`: the toolchain's command, the entry point, the args, then `--name=value` per hyperparameter,
 *   started without a shell, so nothing in them is interpreted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError } from '../domain/run-error.js';
import type { RunSpec } from '../domain/run-spec.js';
import { MLprojectError, parseMLproject, renderEntryPoint, type MLproject } from './mlproject.js';
import { shellQuote } from './shell-quote.js';

export interface EntryCommand {
  command: string;
  args: string[];
}

/** Finds the MLproject file of a project folder, if any. */
export function findMLproject(projectDir: string): string | undefined {
  return ['MLproject', 'MLProject', 'mlproject'].map((n) => join(projectDir, n)).find((p) => existsSync(p));
}

export function buildEntryCommand(spec: RunSpec, projectDir: string): EntryCommand {
  const params = spec.hyperParameters ?? {};
  if (spec.toolchain.kind === 'command') {
    const base = spec.toolchain.command ?? [];
    const words = [...base, ...(spec.entrypoint ? [spec.entrypoint] : []), ...(spec.args ?? [])];
    for (const [k, v] of Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)))
      words.push(`--${k}=${v}`);
    const [command, ...args] = words;
    if (!command) {
      throw new RunError(
        'ToolchainError',
        `toolchain "${spec.toolchain.id}" has no command and the training no entrypoint`,
      );
    }
    return { command, args };
  }
  const file = findMLproject(projectDir);
  const entry = spec.entrypoint || 'main';
  try {
    if (!file) {
      if (/\.(py|sh)$/.test(entry) && existsSync(join(projectDir, entry))) return scriptEntry(entry, params);
      throw new MLprojectError(`no MLproject file in the work dir "${spec.workDir ?? './'}"`);
    }
    const project: MLproject = parseMLproject(readFileSync(file, 'utf8'));
    if (!project.entryPoints[entry] && /\.(py|sh)$/.test(entry) && existsSync(join(projectDir, entry))) {
      return scriptEntry(entry, params);
    }
    return { command: '/bin/sh', args: ['-c', renderEntryPoint(project, entry, params, { projectDir })] };
  } catch (error) {
    if (error instanceof MLprojectError)
      throw new RunError('ToolchainError', error.message, { cause: error });
    throw error;
  }
}

function scriptEntry(entry: string, params: Record<string, string>): EntryCommand {
  const runner = entry.endsWith('.py') ? 'python3' : 'sh';
  const extra = Object.keys(params)
    .sort()
    .map((k) => `--${shellQuote(k)} ${shellQuote(params[k]!)}`);
  return { command: '/bin/sh', args: ['-c', [runner, shellQuote(entry), ...extra].join(' ')] };
}
