/** Option fragments shared by several commands (same flags and help everywhere). */
import { Option, type Command } from 'commander';
import { collect } from './command.js';
import { OUTPUT_HELP, parseOutputFormat, type OutputFormat } from './output.js';

export function outputOption(cmd: Command): void {
  cmd.addOption(new Option('-o, --output-format <format>', OUTPUT_HELP).default('yaml'));
  // kubectl's spelling; odahuflowctl's `--output-format` stays the documented one.
  cmd.addOption(new Option('--output <format>').hideHelp());
}

/** The `-o` value, whichever spelling was used. */
export function outputFormatOpt(opts: Record<string, unknown>): OutputFormat {
  const value = opts['output'] ?? opts['outputFormat'];
  return parseOutputFormat(typeof value === 'string' ? value : undefined);
}

export function fileOption(cmd: Command, required: boolean): void {
  const opt = new Option(
    '-f, --file <path>',
    'manifest file (YAML with --- documents, or JSON); repeatable; - reads stdin',
  ).argParser(collect);
  if (required) opt.makeOptionMandatory();
  cmd.addOption(opt);
}

export function waitOptions(cmd: Command): void {
  cmd
    .option('--wait', 'wait until the training succeeds or fails, showing progress; exit 1 if it failed')
    .option('--no-wait', 'return as soon as the server accepted it (default)')
    .addOption(new Option('--timeout <seconds>', 'give up waiting after this many seconds').default('3600'));
}

/** Parses `--timeout` (seconds) into ms. */
export function timeoutMs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n * 1000 : undefined;
}
