import { Command, Option } from 'commander';
import type { CommandDef } from './command.js';
import { COMMAND_NAMES, COMMANDS, GROUPS, type CommandName } from './commands.js';
import { CliContext, type CliIO, type GlobalFlags } from './context.js';

/** Root options that take a value (needed to find the group word in argv without parsing). */
const VALUE_FLAGS = new Set(['--url', '--token', '--config']);

/** Result slot the actions write into (commander's parseAsync returns the command, not a value). */
export interface RunResult {
  exitCode: number;
}

/**
 * Which commands must be fully loaded for this argv: those of the group named first (aliases resolved), or all
 * of them when `all` (completion). Everything else is registered with its summary only.
 */
export function commandsToLoad(argv: readonly string[], all = false): Set<CommandName> {
  if (all) return new Set(COMMAND_NAMES);
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (VALUE_FLAGS.has(token)) {
      i++;
      continue;
    }
    if (token.startsWith('-')) continue;
    words.push(token);
    if (words.length === 2) break;
  }
  let first = words[0] === 'help' ? words[1] : words[0];
  if (first === undefined) return new Set();
  for (const [group, meta] of Object.entries(GROUPS))
    if (meta.aliases?.includes(first) && !group.includes(' ')) first = group;
  return new Set(COMMAND_NAMES.filter((name) => name.split(' ')[0] === first));
}

function examplesText(examples: readonly string[]): string {
  return examples.length === 0 ? '' : `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`;
}

const ROOT_EXAMPLES = [
  'gangplank login --url http://127.0.0.1:5000',
  'gangplank train create -f training.yaml --wait',
  "gangplank train get -o 'jsonpath=$[0].status.state'",
  'gangplank local train run -f training.yaml --id wine',
];

/**
 * Builds the commander tree. Usage errors are thrown (exitOverride) so that `main` maps them to exit code 2.
 */
export async function buildProgram(
  io: CliIO,
  argv: readonly string[],
  result: RunResult,
  options: { loadAll?: boolean } = {},
): Promise<Command> {
  const program = new Command('gangplank')
    .description('Gangplank: Prometheus-native ML training platform (Odahu-flow compatible CLI)')
    .version(await version(), '-v, --version')
    .addOption(new Option('--url <url>', 'API server URL (env GANGPLANK_URL, config url)'))
    .addOption(new Option('--token <token>', 'bearer token (env GANGPLANK_TOKEN, config token)'))
    .addOption(new Option('--config <path>', 'config file (env GANGPLANK_CLI_CONFIG)'))
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .addHelpText('after', examplesText(ROOT_EXAMPLES));
  program.configureHelp({ sortSubcommands: false });

  const load = commandsToLoad(argv, options.loadAll);
  const groups = new Map<string, Command>([['', program]]);
  const groupOf = (path: string): Command => {
    const existing = groups.get(path);
    if (existing) return existing;
    const cut = path.lastIndexOf(' ');
    const parent = groupOf(cut < 0 ? '' : path.slice(0, cut));
    const meta = GROUPS[path];
    const cmd = parent.command(path.slice(cut + 1)).description(meta?.summary ?? '');
    for (const alias of meta?.aliases ?? []) cmd.alias(alias);
    groups.set(path, cmd);
    return cmd;
  };

  const defs = await Promise.all(
    COMMAND_NAMES.map(
      async (name) => [name, load.has(name) ? (await COMMANDS[name].load()).default : undefined] as const,
    ),
  );
  for (const [name, def] of defs) {
    const cut = name.lastIndexOf(' ');
    const parent = groupOf(cut < 0 ? '' : name.slice(0, cut));
    const cmd = parent
      .command(name.slice(cut + 1))
      .summary(COMMANDS[name].summary)
      .description(COMMANDS[name].summary);
    if (def) configure(cmd, def, io, result);
  }
  return program;
}

function configure(cmd: Command, def: CommandDef, io: CliIO, result: RunResult): void {
  if (def.description) cmd.description(`${cmd.description()}\n\n${def.description}`);
  if (def.args) cmd.arguments(def.args);
  def.options?.(cmd);
  cmd.addHelpText('after', examplesText(def.examples));
  cmd.action(async (...params: unknown[]) => {
    const self = params[params.length - 1] as Command;
    const globals = self.optsWithGlobals<GlobalFlags & Record<string, unknown>>();
    const ctx = new CliContext(io, { url: globals.url, token: globals.token, config: globals.config });
    const code = await def.run(ctx, {
      args: self.processedArgs as unknown[],
      opts: self.opts(),
      fullProgram: () => buildProgram(io, [], { exitCode: 0 }, { loadAll: true }),
    });
    result.exitCode = code ?? 0;
  });
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
