/** Helpers for the launcher's tests: which processes still mention a state folder. */
import { readdirSync } from 'node:fs';
import { readCommandLine } from '@gangplank/stack';

/** Pids of live processes whose command line contains `text` (e.g. a test's state folder). */
export function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => readCommandLine(pid)?.includes(text) === true);
}
