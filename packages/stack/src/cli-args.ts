import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { parseDuration } from './duration.js';
import type { StackOptions } from './stack-options.js';

/** Bad command-line input; the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: node packages/stack/dist/cli.js <up|down|status> [options]

Starts, stops or shows Prometheus, the Pushgateway and Alertmanager without Docker.

Options:
  --state-dir <dir>            configs, data, logs and pid files (default: $GANGPLANK_STACK_DIR or ./.state/stack)
  --host <address>             address the services listen on (default: 127.0.0.1)
  --prometheus-port <n>        default 9090; 0 picks a free port
  --pushgateway-port <n>       default 9091
  --alertmanager-port <n>      default 9093
  --target <job>=<host:port>   scrape targets of a job (repeat for more), e.g. mnist=127.0.0.1:18561
  --scrape-interval <dur>      e.g. 1s (default: from deploy/prometheus/prometheus.yml, 5s)
  --evaluation-interval <dur>  e.g. 1s (default: 5s)
  --rule-time-scale <x>        multiply rule windows and for: by x, e.g. 0.1 for quick end-to-end alerts
  --alertmanager-config <file> instead of deploy/alertmanager/alertmanager.yml
  --deploy-dir <dir>           where prometheus/ and alertmanager/ come from (default: the checkout's deploy/,
                               or the copy inside the installed package)
  --no-install                 never run apt-get; only say what to install
  --json                       machine-readable output
  -h, --help                   this text

Exit codes: 0 done (status: all running), 1 failed, 2 bad usage, 3 status: not all running.`;

export type Command = 'up' | 'down' | 'status';

export interface CliRequest {
  command: Command;
  json: boolean;
  /** Everything `startStack` needs; `down` and `status` use only `stateDir`. */
  options: StackOptions;
}

function port(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65_535)
    throw new UsageError(`--${name} must be a port number (0–65535), got "${text}"`);
  return value;
}

function duration(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    parseDuration(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
  return text;
}

/**
 * Parses the CLI's arguments (without `node` and the script) into a request; `null` means "print the usage".
 * Pure apart from reading `env` and `cwd` for the default state folder.
 */
export function parseCliArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): CliRequest | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'state-dir': { type: 'string' },
        host: { type: 'string' },
        'prometheus-port': { type: 'string' },
        'pushgateway-port': { type: 'string' },
        'alertmanager-port': { type: 'string' },
        target: { type: 'string', multiple: true },
        'scrape-interval': { type: 'string' },
        'evaluation-interval': { type: 'string' },
        'rule-time-scale': { type: 'string' },
        'alertmanager-config': { type: 'string' },
        'deploy-dir': { type: 'string' },
        'no-install': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals.length === 0) return null;
  const [command, ...extra] = positionals;
  if (command !== 'up' && command !== 'down' && command !== 'status') {
    throw new UsageError(`unknown command "${command}"; use up, down or status`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);

  const targets: Record<string, string[]> = {};
  for (const spec of values.target ?? []) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_.-]*)=(.+)$/.exec(spec);
    if (match === null) throw new UsageError(`--target must look like job=host:port, got "${spec}"`);
    (targets[match[1]!] ??= []).push(match[2]!);
  }
  let ruleTimeScale: number | undefined;
  if (values['rule-time-scale'] !== undefined) {
    ruleTimeScale = Number(values['rule-time-scale']);
    if (!(ruleTimeScale > 0) || !Number.isFinite(ruleTimeScale)) {
      throw new UsageError(`--rule-time-scale must be a positive number, got "${values['rule-time-scale']}"`);
    }
  }
  const ports = {
    prometheus: port('prometheus-port', values['prometheus-port']),
    pushgateway: port('pushgateway-port', values['pushgateway-port']),
    alertmanager: port('alertmanager-port', values['alertmanager-port']),
  };
  const options: StackOptions = {
    stateDir: values['state-dir'] ?? env.GANGPLANK_STACK_DIR ?? join(cwd, '.state', 'stack'),
    host: values.host,
    ports: Object.fromEntries(Object.entries(ports).filter(([, v]) => v !== undefined)),
    targets,
    scrapeInterval: duration('scrape-interval', values['scrape-interval']),
    evaluationInterval: duration('evaluation-interval', values['evaluation-interval']),
    ruleTimeScale,
    alertmanagerConfig: values['alertmanager-config'],
    deployDir: values['deploy-dir'],
    install: values['no-install'] === true ? false : undefined,
  };
  return { command, json: values.json === true, options };
}
