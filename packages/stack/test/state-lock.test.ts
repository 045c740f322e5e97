import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateLockedError, withStateLock } from '../src/state-lock.js';

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gangplank-lock-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('withStateLock', () => {
  it('runs concurrent holders one after the other, and removes the lock after', async () => {
    const dir = newDir();
    const events: string[] = [];
    const holder = (name: string) =>
      withStateLock(dir, async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 150));
        events.push(`${name} out`);
      });
    await Promise.all([holder('a'), holder('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(join(dir, 'stack.lock'))).toBe(false);
  });

  it('releases the lock when the holder throws', async () => {
    const dir = newDir();
    await expect(withStateLock(dir, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withStateLock(dir, () => Promise.resolve(42))).toBe(42);
  });

  it('takes over a lock whose holder no longer runs', async () => {
    const dir = newDir();
    const dead = spawnSync('true').pid;
    writeFileSync(join(dir, 'stack.lock'), `${dead}\n`);
    expect(await withStateLock(dir, () => Promise.resolve('ran'))).toBe('ran');
  });

  it('gives up with a clear error while a live process holds it', async () => {
    const dir = newDir();
    writeFileSync(join(dir, 'stack.lock'), `${process.pid}\n`);
    await expect(withStateLock(dir, () => Promise.resolve(1), 300)).rejects.toThrow(StateLockedError);
    await expect(withStateLock(dir, () => Promise.resolve(1), 300)).rejects.toThrow(
      `is held by pid ${process.pid}, another up/down on this state folder`,
    );
  });
});
