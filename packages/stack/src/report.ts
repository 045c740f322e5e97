/**
 * The human-readable lines of `up`, `down` and `status`, shared by this package's CLI and `gangplank stack` so
 * both print the same. Pure: paths are shown relative to `cwd` when inside it.
 */
import { relative } from 'node:path';
import type { StackInfo, StackStatus, StopResult } from './stack.js';

const DISPLAY_ORDER = ['prometheus', 'pushgateway', 'alertmanager'] as const;
const NAMES = { prometheus: 'Prometheus', pushgateway: 'Pushgateway', alertmanager: 'Alertmanager' } as const;

export interface ReportOptions {
  /** The command that stops the stack, as the user should type it. @default 'node packages/stack/dist/cli.js' */
  command?: string;
  /** @default process.cwd() */
  cwd?: string;
}

function shownDir(dir: string, cwd: string): string {
  const rel = relative(cwd, dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
}

/** What `up` prints: one line per service with its URL, pid and whether it was started or reused. */
export function upReport(info: StackInfo, options: ReportOptions = {}): string[] {
  const dir = shownDir(info.stateDir, options.cwd ?? process.cwd());
  const command = options.command ?? 'node packages/stack/dist/cli.js';
  return [
    `gangplank stack is up (state folder ${dir}):`,
    ...DISPLAY_ORDER.map((name) => {
      const s = info.services[name];
      return `  ${NAMES[name].padEnd(13)} ${s.url.padEnd(24)} pid ${String(s.pid).padEnd(8)} ${s.origin}`;
    }),
    `Stop it with: ${command} down --state-dir ${dir}`,
  ];
}

/** What `down` prints: what happened to each service. */
export function downReport(results: readonly StopResult[]): string[] {
  return DISPLAY_ORDER.flatMap((name) => {
    const r = results.find((x) => x.name === name);
    if (r === undefined) return [];
    const what =
      r.outcome === 'stopped'
        ? `stopped (pid ${r.pid})`
        : r.outcome === 'left-alone'
          ? `not stopped: pid ${r.pid} now belongs to another program`
          : 'was not running';
    return [`  ${NAMES[name].padEnd(13)} ${what}`];
  });
}

/** What `status` prints: each service's state, URL and pid, and why when it is not running. */
export function statusReport(status: StackStatus, options: ReportOptions = {}): string[] {
  return [
    `gangplank stack (state folder ${shownDir(status.stateDir, options.cwd ?? process.cwd())}):`,
    ...DISPLAY_ORDER.flatMap((name) => {
      const s = status.services.find((x) => x.name === name);
      if (s === undefined) return [];
      const where = s.url !== undefined ? ` ${s.url} pid ${s.pid}` : '';
      return [
        `  ${NAMES[name].padEnd(13)} ${s.state}${where}${s.detail !== undefined ? ` (${s.detail})` : ''}`,
      ];
    }),
  ];
}
