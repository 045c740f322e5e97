/**
 * PGlite is single-server: one process may open a data folder. A second server on the same folder would not
 * fail by itself (both open it and overwrite each other's pages), so the folder gets a lock file
 * `<folder>.lock` holding the owner's pid and process start time. A lock whose process is gone (killed server)
 * or whose pid now names another process (pid reuse, told by the start time) is stale and taken over.
 * Within one process the lock is re-entrant (counted), so a store reopened in the same process still works.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';

interface LockRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells a reused pid apart. */
  start?: string;
  host: string;
  since: string;
}

const held = new Map<string, number>();

function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(record: LockRecord): boolean {
  if (record.host !== hostname()) return true; // another machine's process: cannot tell, assume it runs
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const start = startTicks(record.pid);
  return record.start === undefined || start === undefined || start === record.start;
}

/** Error thrown when another live server holds the folder. */
export class DataFolderInUseError extends Error {
  override name = 'DataFolderInUseError';
}

/**
 * Takes the lock of the PGlite folder `dir`; returns its release function. Throws `DataFolderInUseError` with
 * what to do when another server holds it.
 */
export function lockPgliteFolder(dir: string): () => void {
  const file = `${dir}.lock`;
  const count = held.get(file);
  if (count !== undefined) {
    held.set(file, count + 1);
    return once(() => release(file));
  }
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const record: LockRecord = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      ...(startTicks(process.pid) ? { start: startTicks(process.pid) } : {}),
    };
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(record));
      closeSync(fd);
      held.set(file, 1);
      return once(() => release(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: LockRecord | undefined;
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
    } catch {
      owner = undefined; // half-written or unreadable: a crash while locking; treat as stale
    }
    if (owner && alive(owner)) {
      throw new DataFolderInUseError(
        `the PGlite data folder ${dir} is in use by another Gangplank server (pid ${owner.pid} on ${owner.host}, ` +
          `since ${owner.since}). PGlite is single-server: stop that server, give this one another data folder ` +
          `(GANGPLANK_DATA_DIR), or run several servers on one PostgreSQL (GANGPLANK_DATABASE_URL=postgres://…).`,
      );
    }
    rmSync(file, { force: true }); // stale: its server is gone
  }
  throw new DataFolderInUseError(`could not take the lock ${file}: another server keeps taking it`);
}

function release(file: string): void {
  const count = held.get(file) ?? 0;
  if (count > 1) {
    held.set(file, count - 1);
    return;
  }
  held.delete(file);
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
    if (owner.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
