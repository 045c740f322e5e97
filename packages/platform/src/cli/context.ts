import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { GangplankClient } from '../client/index.js';
import { configFilePath, resolveSettings, type ResolvedSettings } from './config.js';
import { readConfigFile } from './config-file.js';

/** Where the CLI writes and what it reads from its process: injectable so commands run in-process in tests. */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  readStdin: () => string;
}

/** Flags every command accepts (declared on the root command). */
export interface GlobalFlags {
  url?: string;
  token?: string;
  config?: string;
}

/** What a running command gets: IO, settings resolved once, and a client built from them. */
export class CliContext {
  private resolved: ResolvedSettings | undefined;
  private clientInstance: GangplankClient | undefined;

  constructor(
    readonly io: CliIO,
    readonly flags: GlobalFlags = {},
  ) {}

  /** The config file path: `--config`, then `$GANGPLANK_CLI_CONFIG`, then the XDG location. */
  get configPath(): string {
    return this.flags.config ?? configFilePath(this.io.env, this.io.home);
  }

  /** Settings with the precedence flag → env → file → default. */
  settings(): ResolvedSettings {
    this.resolved ??= resolveSettings({
      flags: { url: this.flags.url, token: this.flags.token },
      env: this.io.env,
      file: readConfigFile(this.configPath),
    });
    return this.resolved;
  }

  client(): GangplankClient {
    if (!this.clientInstance) {
      const { settings } = this.settings();
      this.clientInstance = new GangplankClient({
        url: settings.url,
        token: settings.token,
        sleep: this.io.sleep,
        // A server started a moment ago may not listen yet (PGlite opening): wait, and say so, instead of
        // failing with ECONNREFUSED.
        connectWaitMs: 10_000,
        onWaiting: (line) => this.note(`gangplank: ${line}`),
      });
    }
    return this.clientInstance;
  }

  /** Writes a line (or several) to stdout. Empty text prints nothing. */
  print(text: string): void {
    if (text !== '') this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes a line to stderr: notes that must not pollute output meant for scripts. */
  note(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** The IO of the real process. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    home: homedir(),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    readStdin: () => readFileSync(0, 'utf8'),
  };
}
