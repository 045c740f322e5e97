/**
 * npm and installed-command helpers for the install test: child processes with an environment stripped of what
 * `npm test` hands its scripts (npm_config_*, npm_package_*), so each npm call sees only the folder it runs in.
 */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The parent's environment without npm's script variables, with this Node first on PATH, and `extra` on top. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  }
  env['PATH'] = `${dirname(process.execPath)}:${env['PATH'] ?? ''}`;
  env['NO_UPDATE_NOTIFIER'] = '1';
  return { ...env, ...extra };
}

/** Runs a program to its end (never rejects: the exit code is in the result). */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      {
        cwd: options.cwd,
        env: options.env ?? cleanEnv(),
        timeout: options.timeoutMs ?? 240_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `npm <args>`, from the cache where it can (CI's `npm ci` filled it), quietly. */
export function npm(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = cleanEnv(),
): Promise<Result> {
  return run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env,
  });
}
