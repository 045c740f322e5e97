/**
 * @module cli
 * Entry point of the `gangplank` CLI. `main(argv, io)` runs one command and returns its exit code: 0 success,
 * 1 the training failed or the server refused, 2 usage errors.
 */
import { CommanderError } from 'commander';
import { ApiError, UnreachableError } from '../client/index.js';
import { toError } from '../domain/to-error.js';
import { processIO, type CliIO } from './context.js';
import { CliFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { buildProgram } from './program.js';

export async function main(input: readonly string[], io: CliIO = processIO()): Promise<number> {
  const result = { exitCode: EXIT_OK };
  // commander's `help` command reaches one level only; `gangplank help train get` means `train get --help`.
  const argv = input[0] === 'help' && input.length > 1 ? [...input.slice(1), '--help'] : input;
  try {
    const program = await buildProgram(io, argv, result);
    await program.parseAsync([...argv], { from: 'user' });
    return result.exitCode;
  } catch (err) {
    return reportError(err, io);
  }
}

/** Prints an error the way odahuflowctl does (`Error: <message> (status: <code>)`) and picks the exit code. */
export function reportError(err: unknown, io: Pick<CliIO, 'stderr' | 'env'>): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or the help/version text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return EXIT_OK;
    return EXIT_USAGE;
  }
  if (err instanceof ApiError) {
    io.stderr.write(`Error: ${err.message} (status: ${err.status})\n`);
    if (err.status === 401) io.stderr.write('Hint: log in with gangplank login --url URL --token TOKEN\n');
    return EXIT_FAILURE;
  }
  if (err instanceof UsageError) {
    io.stderr.write(`Error: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof UnreachableError || err instanceof CliFailure) {
    io.stderr.write(`Error: ${err.message}\n`);
    return EXIT_FAILURE;
  }
  const message = toError(err).message;
  io.stderr.write(`Error: ${message}\n`);
  if (io.env['GANGPLANK_DEBUG'] && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return EXIT_FAILURE;
}
