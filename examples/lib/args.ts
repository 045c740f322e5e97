import { parseArgs } from 'node:util';

/** One command-line option of an example, with the environment variable that can set it too. */
export interface OptionSpec {
  /** Environment variable read when the flag is absent, e.g. `EPOCHS`. */
  env?: string;
  /** Shown by `--help`. */
  description: string;
  /** Shown by `--help`; the examples apply their own defaults. */
  default?: string;
}

/**
 * Parses `--name value` flags (also `--name=value`), falling back to environment variables. Unknown flags are
 * an error; `--help` prints the options and exits.
 */
export function parseOptions<K extends string>(
  usage: string,
  specs: Record<K, OptionSpec>,
  argv: readonly string[] = process.argv.slice(2),
): Partial<Record<K, string>> {
  const options = Object.fromEntries(
    [...Object.keys(specs), 'help'].map((name) => [name, { type: name === 'help' ? 'boolean' : 'string' }]),
  ) as Record<string, { type: 'string' | 'boolean' }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${help(usage, specs)}`);
    process.exit(2);
  }
  if (values['help'] === true) {
    console.log(help(usage, specs));
    process.exit(0);
  }
  const result: Partial<Record<K, string>> = {};
  for (const name of Object.keys(specs) as K[]) {
    const flag = values[name];
    const env = specs[name].env === undefined ? undefined : process.env[specs[name].env];
    const value = typeof flag === 'string' ? flag : env !== undefined && env !== '' ? env : undefined;
    if (value !== undefined) result[name] = value;
  }
  return result;
}

function help<K extends string>(usage: string, specs: Record<K, OptionSpec>): string {
  const lines = [`usage: ${usage}`, '', 'options:'];
  for (const [name, spec] of Object.entries(specs) as [K, OptionSpec][]) {
    const env = spec.env === undefined ? '' : ` (env ${spec.env})`;
    const def = spec.default === undefined ? '' : ` [default ${spec.default}]`;
    lines.push(`  --${name} <value>${env}${def}`, `      ${spec.description}`);
  }
  return lines.join('\n');
}

/** A positive integer option, or the default; anything else is a clear error. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** A positive number option (durations in seconds may be fractional), or the default. */
export function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}
