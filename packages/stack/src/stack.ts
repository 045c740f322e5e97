import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ensureBinaries, type ServiceName } from './binaries.js';
import { freePort, isPortInUse } from './ports.js';
import { findPortOwner, isRunning, readCommandLine, terminate } from './process-identity.js';
import type { ServiceHandle } from './process.js';
import type { StackPorts } from './prometheus-config.js';
import { renderStackConfigs } from './stack-configs.js';
import type { StackOptions } from './stack-options.js';
import { withStateLock } from './state-lock.js';
import { readStackState, writeStackState, type ServiceRecord, type StackState } from './stack-state.js';
import { startAlertmanager, startPrometheus, startPushgateway } from './services.js';

/** The stack's services in start order; they stop in reverse. */
export const STACK_SERVICES = [
  'pushgateway',
  'alertmanager',
  'prometheus',
] as const satisfies readonly ServiceName[];

/** Loopback ports of Python Gangplank's stack, which we keep. */
export const DEFAULT_PORTS = {
  prometheus: 9090,
  pushgateway: 9091,
  alertmanager: 9093,
} as const satisfies StackPorts;

/** A service of a running stack. */
export interface StackServiceInfo {
  name: ServiceName;
  url: string;
  port: number;
  pid: number;
  logFile: string;
  /** `started` by this call, or `reused` because this state folder's earlier `up` left it running. */
  origin: 'started' | 'reused';
}

export interface StackInfo {
  stateDir: string;
  services: Record<ServiceName, StackServiceInfo>;
}

/** A port the stack needs is held by a process it did not start; nothing was started or stopped. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly conflicts: readonly { service: ServiceName; port: number; pid?: number; commandLine?: string }[],
    host: string,
  ) {
    super(conflicts.map((c) => describeConflict(c, host)).join('\n'));
  }
}

/** The data paths our launcher passes, which tell a service of another state folder from a stranger. */
const STATE_PATH_RE =
  /--(?:storage\.tsdb\.path|storage\.path|persistence\.file)=(\S+?)\/(?:prometheus-data|alertmanager-data|pushgateway\.data)\b/;

function describeConflict(
  c: { service: ServiceName; port: number; pid?: number; commandLine?: string },
  host: string,
): string {
  const holder =
    c.pid !== undefined ? `pid ${c.pid} (${c.commandLine ?? 'unknown command'})` : 'another process';
  const otherStack = c.commandLine === undefined ? undefined : STATE_PATH_RE.exec(c.commandLine)?.[1];
  const hint =
    otherStack !== undefined
      ? `; it looks like the stack of state folder ${otherStack}: \`down --state-dir ${otherStack}\` stops it`
      : '';
  return (
    `port ${c.port} (${c.service}) on ${host} is in use by ${holder}, which this launcher did not start` +
    `${hint}; stop it or choose another port with --${c.service}-port`
  );
}

/** A service of the stack did not come up; the services this call had started were stopped again. */
export class StackStartError extends Error {
  override name = 'StackStartError';
}

/** True when the recorded service is still that very process: alive with the exact command line it started with. */
export function isRecordedProcess(record: ServiceRecord): boolean {
  return readCommandLine(record.pid) === record.commandLine;
}

function logTail(file: string, lines = 8): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function reload(url: string, log: (line: string) => void): Promise<void> {
  try {
    const res = await fetch(`${url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    if (!res.ok) log(`gangplank stack: ${url}/-/reload answered ${res.status}: ${(await res.text()).trim()}`);
  } catch (error) {
    log(`gangplank stack: could not reload ${url}: ${(error as Error).message}`);
  }
}

/**
 * Starts Prometheus, the Pushgateway (with persistence) and Alertmanager as detached processes that outlive the
 * caller, each on its port, with the project's configs rendered into `stateDir`, and waits until each is ready.
 * Services that an earlier call with the same `stateDir` started and that still run are reused (their configs are
 * re-rendered and reloaded). Refuses with a {@link PortInUseError}, before starting anything, when a port is held
 * by a process it did not start; if one service fails to start, the ones started by this call are stopped again.
 */
export async function startStack(options: StackOptions): Promise<StackInfo> {
  return withStateLock(resolve(options.stateDir), () => startLocked(options));
}

async function startLocked(options: StackOptions): Promise<StackInfo> {
  const stateDir = resolve(options.stateDir);
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  mkdirSync(stateDir, { recursive: true });
  ensureBinaries(['prometheus', 'pushgateway', 'alertmanager'], { install: options.install, log });

  const state = readStackState(stateDir);
  const ports: Partial<StackPorts> = {};
  const toStart: ServiceName[] = [];
  const conflicts: ConstructorParameters<typeof PortInUseError>[0][number][] = [];
  for (const name of STACK_SERVICES) {
    const explicit = options.ports?.[name];
    const requested = explicit ?? DEFAULT_PORTS[name];
    const record = state.services[name];
    if (record !== undefined && isRecordedProcess(record)) {
      // A port left unset means "wherever it already runs"; only an explicit, different one is a conflict.
      if (explicit !== undefined && explicit !== 0 && explicit !== record.port) {
        throw new Error(
          `${name} from this state folder already runs on port ${record.port} (pid ${record.pid}); ` +
            `run \`down\` first to move it to port ${requested}`,
        );
      }
      ports[name] = record.port;
      continue;
    }
    if (record !== undefined) delete state.services[name]; // gone, or its pid now belongs to another program
    const port = requested === 0 ? await freePort(host) : requested;
    if (await isPortInUse(port, host)) conflicts.push({ service: name, port, ...findPortOwner(port) });
    ports[name] = port;
    toStart.push(name);
  }
  writeStackState(stateDir, state);
  if (conflicts.length > 0) throw new PortInUseError(conflicts, host);
  const allPorts = ports as StackPorts;

  const { prometheusConfig, alertmanagerConfig } = renderStackConfigs(options, stateDir, host, allPorts);
  const common = {
    stateDir,
    host,
    detached: true,
    install: false,
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  };
  const starters: Record<ServiceName, () => Promise<ServiceHandle>> = {
    pushgateway: () => startPushgateway({ ...common, port: allPorts.pushgateway, persistence: true }),
    alertmanager: () =>
      startAlertmanager({ ...common, port: allPorts.alertmanager, configFile: alertmanagerConfig }),
    prometheus: () => startPrometheus({ ...common, port: allPorts.prometheus, configFile: prometheusConfig }),
  };

  const startedNow: ServiceName[] = [];
  let failedService: ServiceName | undefined;
  const startOne = async (name: ServiceName) => {
    log(`gangplank stack: starting ${name} on ${host}:${allPorts[name]} …`);
    let handle: ServiceHandle;
    try {
      handle = await starters[name]();
    } catch (error) {
      failedService ??= name;
      throw error;
    }
    const commandLine = readCommandLine(handle.pid);
    if (commandLine === undefined) {
      failedService ??= name;
      throw new StackStartError(`${name} (pid ${handle.pid}) exited right after it was ready`);
    }
    state.services[name] = {
      pid: handle.pid,
      port: allPorts[name],
      url: handle.url,
      commandLine,
      logFile: handle.logFile,
      startedAt: now().toISOString(),
    };
    startedNow.push(name);
    writeStackState(stateDir, state);
  };
  try {
    // Prometheus last, so that its first scrapes and alert sends find the other two.
    const first = toStart.filter((n) => n !== 'prometheus');
    const results = await Promise.allSettled(first.map(startOne));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (toStart.includes('prometheus')) await startOne('prometheus');
  } catch (error) {
    for (const name of [...startedNow].reverse()) {
      const record = state.services[name];
      if (record !== undefined && isRecordedProcess(record)) await terminate(record.pid);
      delete state.services[name];
    }
    writeStackState(stateDir, state);
    const tail = failedService === undefined ? '' : logTail(join(stateDir, `${failedService}.log`));
    throw new StackStartError(
      `${(error as Error).message}${tail ? `\nlast lines of the log:\n${tail}` : ''}` +
        (startedNow.length > 0 ? `\n(stopped ${startedNow.join(', ')}, started by this call)` : ''),
      { cause: error },
    );
  }

  for (const name of ['prometheus', 'alertmanager'] as const) {
    const record = state.services[name];
    if (!toStart.includes(name) && record !== undefined) {
      log(`gangplank stack: ${name} already runs (pid ${record.pid}); reloading its config`);
      await reload(record.url, log);
    }
  }
  const services = {} as Record<ServiceName, StackServiceInfo>;
  for (const name of STACK_SERVICES) {
    const record = state.services[name]!;
    services[name] = {
      name,
      url: record.url,
      port: record.port,
      pid: record.pid,
      logFile: record.logFile,
      origin: toStart.includes(name) ? 'started' : 'reused',
    };
  }
  return { stateDir, services };
}

/** What {@link stopStack} did with one recorded service. */
export interface StopResult {
  name: ServiceName;
  pid?: number;
  /**
   * `stopped`; `not-running` (nothing recorded, or the process is gone); `left-alone` (the pid now belongs to a
   * process with another command line, which is not ours to stop).
   */
  outcome: 'stopped' | 'not-running' | 'left-alone';
}

/**
 * Stops the services recorded in `stateDir`, and only those whose process still has the exact command line
 * recorded at start (a reused pid is left alone). Safe to call again, or on a folder that never held a stack.
 */
export async function stopStack(stateDir: string): Promise<StopResult[]> {
  const dir = resolve(stateDir);
  if (!existsSync(dir)) return STACK_SERVICES.map((name) => ({ name, outcome: 'not-running' }));
  return withStateLock(dir, () => stopLocked(dir));
}

async function stopLocked(dir: string): Promise<StopResult[]> {
  const state = readStackState(dir);
  const results: StopResult[] = [];
  for (const name of [...STACK_SERVICES].reverse()) {
    const record = state.services[name];
    if (record === undefined) {
      results.push({ name, outcome: 'not-running' });
      continue;
    }
    if (isRecordedProcess(record)) {
      // Ten seconds: the Pushgateway writes its persistence file and Prometheus its head block on SIGTERM.
      await terminate(record.pid, 10_000);
      results.push({ name, pid: record.pid, outcome: 'stopped' });
    } else {
      results.push({ name, pid: record.pid, outcome: isRunning(record.pid) ? 'left-alone' : 'not-running' });
    }
    delete state.services[name];
    writeStackState(dir, state);
  }
  return results;
}

/** One service as {@link stackStatus} sees it. */
export interface ServiceStatus {
  name: ServiceName;
  /** `running` (its process and ready endpoint answer), `unready` (process alive, endpoint not ready), `stopped`. */
  state: 'running' | 'unready' | 'stopped';
  pid?: number;
  port?: number;
  url?: string;
  logFile?: string;
  /** Why it counts as stopped or unready, when there is more to say. */
  detail?: string;
}

export interface StackStatus {
  stateDir: string;
  /** True when all three services are `running`. */
  running: boolean;
  services: ServiceStatus[];
}

/** Reports each service recorded in `stateDir`: alive and ready, alive but not ready, or stopped. Changes nothing. */
export async function stackStatus(stateDir: string): Promise<StackStatus> {
  const dir = resolve(stateDir);
  const state: StackState = existsSync(dir) ? readStackState(dir) : { version: 1, services: {} };
  const services = await Promise.all(
    STACK_SERVICES.map(async (name): Promise<ServiceStatus> => {
      const record = state.services[name];
      if (record === undefined) return { name, state: 'stopped' };
      const { pid, port, url, logFile } = record;
      if (!isRecordedProcess(record)) {
        return {
          name,
          state: 'stopped',
          pid,
          port,
          detail: isRunning(pid)
            ? `pid ${pid} now runs another program`
            : `pid ${pid} has exited; its log is ${basename(logFile)}`,
        };
      }
      try {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return { name, state: 'running', pid, port, url, logFile };
        return { name, state: 'unready', pid, port, url, logFile, detail: `/-/ready answered ${res.status}` };
      } catch (error) {
        return { name, state: 'unready', pid, port, url, logFile, detail: (error as Error).message };
      }
    }),
  );
  return { stateDir: dir, running: services.every((s) => s.state === 'running'), services };
}
