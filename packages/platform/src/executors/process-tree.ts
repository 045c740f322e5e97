/**
 * Stopping a run's whole process tree. The shim leads its own process group, so one `kill(-pgid)` reaches every
 * process that stayed in the group; descendants that moved to a group of their own (`setsid`, daemons) are found
 * through `/proc` parent links, collected before the first signal, and signalled too.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** True when a process with this pid exists (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return statState(stat) !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

function statState(stat: string): string | undefined {
  // Format: `pid (comm) S ppid pgid …`; comm may contain spaces and parentheses.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

function statParent(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Start time of a process in clock ticks since boot (to tell a reused pid from ours), when /proc exists. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** All descendants of `pid` (children, grandchildren …), read from /proc; empty without /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = statParent(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const list = children.get(parent) ?? [];
      list.push(Number(entry));
      children.set(parent, list);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

/**
 * SIGTERM to the group led by `leader` and to every descendant, then SIGKILL to what is left after `graceMs`.
 * Resolves once the leader is gone (or 2 s after SIGKILL at the latest).
 */
export async function terminateTree(leader: number, graceMs: number, sleep = defaultSleep): Promise<void> {
  const tree = [leader, ...descendants(leader)];
  signal(-leader, 'SIGTERM');
  for (const pid of tree) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && tree.some(isAlive)) await sleep(50);
  const left = [...tree, ...descendants(leader)].filter(isAlive);
  if (left.length === 0) return;
  signal(-leader, 'SIGKILL');
  for (const pid of left) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && left.some(isAlive)) await sleep(20);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
