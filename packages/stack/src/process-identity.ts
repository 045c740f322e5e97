import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** True when a process with this pid exists (ours or not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The command line of a running process, its arguments joined by single spaces, or `undefined` when no such
 * process exists. Reads /proc on Linux and falls back to `ps` elsewhere.
 */
export function readCommandLine(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // A zombie has an empty cmdline: it is no longer the service.
    return raw.length === 0 ? undefined : raw.replace(/\0+$/, '').split('\0').join(' ');
  } catch {
    if (process.platform === 'linux') return undefined;
  }
  const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  const line = ps.status === 0 ? ps.stdout.trim() : '';
  return line.length > 0 ? line : undefined;
}

/** Who listens on a TCP port, as far as this user can see: pid and command line, both possibly unknown. */
export interface PortOwner {
  pid?: number;
  commandLine?: string;
}

/** Inodes of the sockets listening on `port` (Linux /proc/net/tcp{,6}; state 0A is LISTEN). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local === undefined || fields[3] !== '0A') continue;
      if (local.slice(local.lastIndexOf(':') + 1) === hexPort && fields[9] !== undefined)
        inodes.add(fields[9]);
    }
  }
  return inodes;
}

/**
 * Best effort: finds the process listening on `port` by matching socket inodes in /proc. Processes of other
 * users are invisible without root, so the answer may be empty; it is only used to say who holds a port.
 */
export function findPortOwner(port: number): PortOwner {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return {};
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return {};
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) {
        return { pid: Number(pid), commandLine: readCommandLine(Number(pid)) };
      }
    }
  }
  return {};
}

/**
 * True while `pid` runs: alive and not a zombie. A detached service whose launcher has exited is reparented to
 * init; until init reaps it (seconds, in some containers) an exited service is a zombie that `kill(pid, 0)`
 * still finds, and its /proc cmdline is empty.
 */
export function isRunning(pid: number): boolean {
  if (process.platform === 'linux') return readCommandLine(pid) !== undefined;
  return isAlive(pid);
}

/** Sends SIGTERM, then SIGKILL after `graceMs`, and resolves once the process no longer runs. */
export async function terminate(pid: number, graceMs = 10_000): Promise<void> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      /* already gone */
    }
  };
  if (!isRunning(pid)) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  if (!isRunning(pid)) return;
  signal('SIGKILL');
  // SIGKILL cannot be ignored; the wait only covers the kernel tearing the process down.
  for (let i = 0; i < 100 && isRunning(pid); i++) await sleep(50);
}
