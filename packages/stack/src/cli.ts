#!/usr/bin/env node
/**
 * `node packages/stack/dist/cli.js up|down|status [options]`: the monitoring stack from the command line, for the
 * quickstart and `gangplank stack`. See {@link USAGE}.
 */
import { parseCliArgs, USAGE, UsageError, type CliRequest } from './cli-args.js';
import { downReport, statusReport, upReport } from './report.js';
import { stackStatus, startStack, stopStack } from './stack.js';

function out(lines: string | readonly string[]): void {
  process.stdout.write(`${typeof lines === 'string' ? lines : lines.join('\n')}\n`);
}

async function run(request: CliRequest): Promise<number> {
  const { options, json } = request;
  if (request.command === 'up') {
    const info = await startStack({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
    out(json ? JSON.stringify(info, null, 2) : upReport(info));
    return 0;
  }
  if (request.command === 'down') {
    const results = await stopStack(options.stateDir);
    out(json ? JSON.stringify(results, null, 2) : downReport(results));
    return 0;
  }
  const status = await stackStatus(options.stateDir);
  out(json ? JSON.stringify(status, null, 2) : statusReport(status));
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
