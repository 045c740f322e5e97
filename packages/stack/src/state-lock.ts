import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isRunning } from './process-identity.js';

const LOCK_FILE = 'stack.lock';

/** Another `up` or `down` holds the state folder for longer than we were willing to wait. */
export class StateLockedError extends Error {
  override name = 'StateLockedError';
}

function tryAcquire(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` while holding `<stateDir>/stack.lock`, so that two `up`/`down` calls on one state folder (the
 * quickstart and a user's `gangplank stack up`, say) take turns instead of both probing the ports as free and
 * both starting services. A lock left by a process that no longer runs is taken over.
 */
export async function withStateLock<T>(stateDir: string, fn: () => Promise<T>, waitMs = 120_000): Promise<T> {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  while (!tryAcquire(file)) {
    const pid = holder(file);
    if (pid === undefined || !isRunning(pid)) {
      // Stale (its holder died) or half-written: remove and retry; `wx` keeps the retry race-free.
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new StateLockedError(
        `${file} is held by pid ${pid}, another up/down on this state folder; try again`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
