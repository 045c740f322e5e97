import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** A service process this code started; `stop()` ends only that process. */
export interface ServiceHandle {
  readonly name: string;
  readonly pid: number;
  /** Base URL, e.g. `http://127.0.0.1:9091`. */
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface SpawnServiceOptions {
  name: string;
  command: string;
  args: readonly string[];
  url: string;
  /** Path answered with 200 once the service is ready. @default '/-/ready' */
  readyPath?: string;
  logFile: string;
  /** @default 30000 */
  readyTimeoutMs?: number;
  /** Keep the process when this Node process exits (the launcher); tests leave it attached. @default false */
  detached?: boolean;
  cwd?: string;
}

export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
}

/** Polls `url` until it answers 200, the process dies, or the deadline passes. */
export async function waitReady(
  url: string,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new ServiceStartError(`process exited before ${url} was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ServiceStartError(`${url} not ready after ${timeoutMs} ms (${lastError})`);
}

/** Sends SIGTERM, then SIGKILL after `graceMs`, and resolves when the process is gone. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    while (alive()) await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a service binary with its output in `logFile` and waits for its readiness endpoint. */
export async function spawnService(options: SpawnServiceOptions): Promise<ServiceHandle> {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(options.command, [...options.args], {
    stdio: ['ignore', fd, fd],
    detached: options.detached ?? false,
    cwd: options.cwd,
  });
  closeSync(fd);
  let exited = false;
  let exitInfo = '';
  child.once('exit', (code, signal) => {
    exited = true;
    exitInfo = `code ${code ?? 'null'}, signal ${signal ?? 'none'}`;
  });
  if (options.detached) child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new ServiceStartError(`${options.name}: could not start ${options.command}`);
  try {
    await waitReady(`${options.url}${options.readyPath ?? '/-/ready'}`, options.readyTimeoutMs ?? 30_000, () => !exited);
  } catch (error) {
    await stopPid(pid, 1000);
    throw new ServiceStartError(
      `${options.name} did not start (${(error as Error).message}${exitInfo ? `; ${exitInfo}` : ''}); see ${options.logFile}`,
      { cause: error },
    );
  }
  return {
    name: options.name,
    pid,
    url: options.url,
    logFile: options.logFile,
    stop: () => stopPid(pid),
  };
}
