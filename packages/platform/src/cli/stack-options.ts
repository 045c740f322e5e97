import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from './context.js';
import { UsageError } from './errors.js';

export const STACK_ORDER = ['prometheus', 'pushgateway', 'alertmanager'] as const;

export function stateDirOption(cmd: Command): void {
  cmd.option(
    '--state-dir <dir>',
    'configs, data, logs and pid files (default: $GANGPLANK_STACK_DIR or ./.state/stack)',
  );
  cmd.option('--json', 'machine-readable output');
}

/** Same default as `node packages/stack/dist/cli.js`, so both find the same stack. */
export function stackStateDir(opts: Record<string, unknown>, io: CliIO): string {
  const flag = opts['stateDir'];
  if (typeof flag === 'string' && flag) return flag;
  return io.env['GANGPLANK_STACK_DIR'] || join(io.cwd, '.state', 'stack');
}

export function portOpt(opts: Record<string, unknown>, key: string, flag: string): number | undefined {
  const text = opts[key];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text) || n > 65_535) {
    throw new UsageError(`--${flag} must be a port number (0-65535), got ${JSON.stringify(text)}`);
  }
  return n;
}

/** `--target job=host:port`, repeatable, grouped by job as `startStack` takes them. */
export function targetsOpt(specs: readonly string[]): Record<string, string[]> {
  const targets: Record<string, string[]> = {};
  for (const spec of specs) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_.-]*)=(.+)$/.exec(spec);
    if (match === null)
      throw new UsageError(`--target must look like job=host:port, got ${JSON.stringify(spec)}`);
    (targets[match[1]!] ??= []).push(match[2]!);
  }
  return targets;
}

export function ruleTimeScaleOpt(opts: Record<string, unknown>): number | undefined {
  const text = opts['ruleTimeScale'];
  if (text === undefined) return undefined;
  const x = Number(text);
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new UsageError(`--rule-time-scale must be a positive number, got ${JSON.stringify(text)}`);
  }
  return x;
}
