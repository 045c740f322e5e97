import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** What one command file exports (default export). Kept free of heavy imports so loading it is cheap. */
export interface CommandDef {
  /** Positional arguments in commander syntax, e.g. `<file>` or `[shell]`. */
  args?: string;
  /** Longer help under the summary. */
  description?: string;
  /** Example invocations shown by `--help` (each starts with `gangplank`). */
  examples: readonly string[];
  /** Adds the command's options. */
  options?: (cmd: Command) => void;
  /** Runs the command; returns the exit code (default 0). Heavy modules are imported here, lazily. */
  run: (ctx: CliContext, input: CommandInput) => Promise<number | void>;
}

export interface CommandInput {
  /** Declared positional arguments, in order. */
  args: unknown[];
  /** The command's own options (camelCased by commander). */
  opts: Record<string, unknown>;
  /**
   * The whole command tree with every command loaded (for `completion`). Handed in by the program builder so
   * that no command file imports program.ts, which imports the command map.
   */
  fullProgram: () => Promise<Command>;
}

/** Identity helper that gives a command file its type. */
export function defineCommand(def: CommandDef): CommandDef {
  return def;
}

/** Collects a repeatable option into an array (`-f a.yaml -f b.yaml`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function stringOpt(opts: Record<string, unknown>, key: string): string | undefined {
  const v = opts[key];
  return typeof v === 'string' ? v : undefined;
}

export function stringsOpt(opts: Record<string, unknown>, key: string): string[] {
  const v = opts[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
