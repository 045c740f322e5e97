/**
 * The unprivileged user a root server runs trainings as. A training's code is whoever submitted it; running it as
 * root (the server's user) gave it the server's environment through /proc, the data folder's key and database, and
 * signals to the server. The local executor drops to this user in the shim, for the entry point and the dependency
 * build; the server itself keeps reading the run folder as root.
 *
 * Pure helpers (`canTraverse`, `parsePasswdLine`) apart from the thin I/O around them (`getent`, `useradd`,
 * `chown`).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Default name of the system user runs execute as when the server is root. */
export const DEFAULT_RUN_USER = 'gangplank-run';

export interface RunIdentity {
  name: string;
  uid: number;
  gid: number;
}

/** `name:x:uid:gid:…` from `getent passwd`; undefined for anything else. */
export function parsePasswdLine(line: string): RunIdentity | undefined {
  const [name, , uid, gid] = line.trim().split(':');
  if (!name || uid === undefined || gid === undefined || !/^\d+$/.test(uid) || !/^\d+$/.test(gid))
    return undefined;
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** The user named `name` (or a numeric uid), or undefined when it does not exist. */
export function lookupUser(name: string): RunIdentity | undefined {
  try {
    return parsePasswdLine(execFileSync('getent', ['passwd', name], { encoding: 'utf8' }));
  } catch {
    return undefined;
  }
}

/**
 * Who runs trainings. Undefined when the server is not root (it cannot change user: runs keep the server's uid), or
 * when `name` is `""`, `root` or `0` (isolation switched off on purpose). The default user is created as a system
 * user without home or login shell when missing; a user named explicitly must exist.
 */
export function resolveRunUser(name: string | undefined, uid = process.getuid?.()): RunIdentity | undefined {
  if (uid !== 0) return undefined;
  const wanted = name ?? DEFAULT_RUN_USER;
  if (wanted === '' || wanted === 'root' || wanted === '0') return undefined;
  const found = lookupUser(wanted);
  if (found) return refuseRoot(found);
  if (wanted !== DEFAULT_RUN_USER) throw new Error(`run-as user "${wanted}" does not exist on this machine`);
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', wanted], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    // Another server may have created it meanwhile.
    const again = lookupUser(wanted);
    if (again) return refuseRoot(again);
    throw new Error(
      `cannot create the run user "${wanted}" (useradd --system --no-create-home --shell /usr/sbin/nologin ${wanted}): ${
        (error as { stderr?: Buffer }).stderr?.toString().trim() ?? (error as Error).message
      }`,
      { cause: error },
    );
  }
  const created = lookupUser(wanted);
  if (!created) throw new Error(`useradd created "${wanted}" but getent does not find it`);
  return created;
}

function refuseRoot(identity: RunIdentity): RunIdentity {
  if (identity.uid === 0)
    throw new Error(`run-as user "${identity.name}" has uid 0: that is root, not isolation`);
  return identity;
}

/** Whether a mode lets `who` search (enter) a folder owned by `owner`/`group`. Pure. */
export function searchable(stats: Pick<Stats, 'mode' | 'uid' | 'gid'>, who: RunIdentity): boolean {
  if (stats.uid === who.uid) return (stats.mode & 0o100) !== 0;
  if (stats.gid === who.gid) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}

/**
 * The first folder on the way to `path` (itself included) that `who` cannot enter, or undefined when every one can
 * be. Supplementary groups are not considered: the run's process has none (the shim clears them).
 */
export function firstClosedFolder(path: string, who: RunIdentity): string | undefined {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    let stats: Stats;
    try {
      stats = statSync(dir);
    } catch {
      return dir;
    }
    if (!searchable(stats, who)) return dir;
  }
  return undefined;
}

/** `chown -R` without following links (a link in a training's source must not hand over what it points to). */
export function chownTree(path: string, uid: number, gid: number): void {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch {
    return;
  }
  if (stats.isSymbolicLink()) return;
  chownSync(path, uid, gid);
  if (!stats.isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}
