import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from './binaries.js';

/** One service the launcher started: enough to find it again and to prove it is still the same process. */
export interface ServiceRecord {
  pid: number;
  port: number;
  url: string;
  /** The command line read back from the process right after it started; `down` stops only an exact match. */
  commandLine: string;
  logFile: string;
  /** ISO time. */
  startedAt: string;
}

/** `stack.json` in the state folder. */
export interface StackState {
  version: 1;
  services: Partial<Record<ServiceName, ServiceRecord>>;
}

const STATE_FILE = 'stack.json';

export function pidFile(stateDir: string, name: ServiceName): string {
  return join(stateDir, `${name}.pid`);
}

/** Reads the state folder's record of started services; a missing folder or file means none. */
export function readStackState(stateDir: string): StackState {
  let text: string;
  try {
    text = readFileSync(join(stateDir, STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, services: {} };
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StackState>;
    if (parsed.version !== 1 || typeof parsed.services !== 'object' || parsed.services === null)
      throw new Error('unknown layout');
    return { version: 1, services: parsed.services };
  } catch (error) {
    throw new Error(
      `${join(stateDir, STATE_FILE)} is unreadable (${(error as Error).message}); ` +
        'stop the services it listed by hand, then delete the file',
      { cause: error },
    );
  }
}

/** Writes `stack.json` atomically and keeps one `<service>.pid` file per recorded service. */
export function writeStackState(stateDir: string, state: StackState): void {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, STATE_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, file);
  for (const name of ['prometheus', 'pushgateway', 'alertmanager'] as const) {
    const record = state.services[name];
    if (record === undefined) rmSync(pidFile(stateDir, name), { force: true });
    else writeFileSync(pidFile(stateDir, name), `${record.pid}\n`);
  }
}
