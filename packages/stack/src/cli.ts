#!/usr/bin/env node
/**
 * `node packages/stack/dist/cli.js up|down|status [options]`: the monitoring stack from the command line, for the
 * quickstart and `gangplank stack`. See {@link USAGE}.
 */
import { relative } from 'node:path';
import { parseCliArgs, USAGE, UsageError, type CliRequest } from './cli-args.js';
import { stackStatus, startStack, stopStack } from './stack.js';

const DISPLAY_ORDER = ['prometheus', 'pushgateway', 'alertmanager'] as const;
const NAMES = { prometheus: 'Prometheus', pushgateway: 'Pushgateway', alertmanager: 'Alertmanager' } as const;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function shownDir(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
}

async function run(request: CliRequest): Promise<number> {
  const { options } = request;
  if (request.command === 'up') {
    const info = await startStack({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
    if (request.json) {
      out(JSON.stringify(info, null, 2));
      return 0;
    }
    out(`gangplank stack is up (state folder ${shownDir(info.stateDir)}):`);
    for (const s of DISPLAY_ORDER.map((name) => info.services[name])) {
      out(`  ${NAMES[s.name].padEnd(13)} ${s.url.padEnd(24)} pid ${String(s.pid).padEnd(8)} ${s.origin}`);
    }
    out(`Stop it with: node packages/stack/dist/cli.js down --state-dir ${shownDir(info.stateDir)}`);
    return 0;
  }
  if (request.command === 'down') {
    const results = await stopStack(options.stateDir);
    if (request.json) {
      out(JSON.stringify(results, null, 2));
      return 0;
    }
    for (const r of DISPLAY_ORDER.map((name) => results.find((x) => x.name === name)!)) {
      const what =
        r.outcome === 'stopped'
          ? `stopped (pid ${r.pid})`
          : r.outcome === 'left-alone'
            ? `not stopped: pid ${r.pid} now belongs to another program`
            : 'was not running';
      out(`  ${NAMES[r.name].padEnd(13)} ${what}`);
    }
    return 0;
  }
  const status = await stackStatus(options.stateDir);
  if (request.json) out(JSON.stringify(status, null, 2));
  else {
    out(`gangplank stack (state folder ${shownDir(status.stateDir)}):`);
    for (const s of DISPLAY_ORDER.map((name) => status.services.find((x) => x.name === name)!)) {
      const where = s.url !== undefined ? ` ${s.url} pid ${s.pid}` : '';
      out(
        `  ${NAMES[s.name].padEnd(13)} ${s.state}${where}${s.detail !== undefined ? ` (${s.detail})` : ''}`,
      );
    }
  }
  return status.running ? 0 : 3;
}

async function main(): Promise<number> {
  let request: CliRequest | null;
  try {
    request = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`gangplank stack: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (request === null) {
    out(USAGE);
    return 0;
  }
  try {
    return await run(request);
  } catch (error) {
    process.stderr.write(`gangplank stack: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
