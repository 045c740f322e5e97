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
