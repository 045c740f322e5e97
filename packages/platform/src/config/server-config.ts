/**
 * Server configuration, resolved from command-line flags, then environment, then a YAML/JSON file, then defaults
 * (the first that sets a key wins). Pure apart from reading the file.
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { NodePool } from '../domain/validate-training.js';
import type { OidcOptions, StaticToken } from '../domain/auth-options.js';
import { ROLES, type Role } from '../domain/role.js';
import { yamlLibrary } from '../domain/yaml-library.js';

export type AuthMode = 'auto' | 'on' | 'off';

/** Where trainings run: child processes on this machine, a Slurm cluster, or Kubernetes Jobs. */
export type ExecutorKind = 'local' | 'slurm' | 'kubernetes';
export const EXECUTOR_KINDS: readonly ExecutorKind[] = ['local', 'slurm', 'kubernetes'];

export interface ServerConfig {
  /** @default "127.0.0.1" */
  host: string;
  /** @default 5000 (odahuflowctl's default API port) */
  port: number;
  /** PGlite data folder and run folders. @default $GANGPLANK_DATA_DIR or ~/.local/share/gangplank */
  dataDir: string;
  /** `postgres://…`: PostgreSQL instead of PGlite. */
  databaseUrl?: string;
  /** AES-256-GCM key of connection secrets (base64 or hex, 32 bytes). */
  secretKey?: string;
  /** `auto`: off when listening on loopback, on otherwise. @default "auto" */
  auth: AuthMode;
  tokens: StaticToken[];
  oidc?: OidcOptions;
  /** Run trainings (claim runs and hand them to the executor). @default true */
  dispatcher: boolean;
  /** The executor the dispatcher hands runs to. @default "local" */
  executor: ExecutorKind;
  /**
   * The dispatcher's identity in run leases. Must be unique among servers sharing a database and stable across
   * restarts of one server (it finds its own runs again by it).
   * @default `<hostname>/<executor>` on PGlite (one server per folder), `<hostname>:<port>/<executor>` with `databaseUrl`
   */
  workerId?: string;
  /** Options of the Slurm executor (file only), e.g. `{workRoot, partition, slurmConf}`. */
  slurm?: Record<string, unknown>;
  /** Options of the Kubernetes executor (file only), e.g. `{namespace, gangplankImage, nodeSelector}`. */
  kubernetes?: Record<string, unknown>;
  /** Runs held at once by the dispatcher. @default number of cores */
  concurrency?: number;
  /** Output connection of trainings that name none (Odahu `training.outputConnectionID`). */
  outputConnection?: string;
  nodePools: NodePool[];
  gpuNodePools: NodePool[];
  /** Pushgateway handed to runs and used for run metrics. */
  pushgatewayAddr?: string;
  /** Prometheus read by the web page's plots (`query_range` of `gangplank_train_*`). */
  prometheusUrl?: string;
  /**
   * The API server's URL as runs reach it (Slurm nodes, Kubernetes pods): the base of `GANGPLANK_HISTORY_URL`.
   * @default the address listened on
   */
  advertiseUrl?: string;
  /** @default 1048576 */
  bodyLimit: number;
  /** Fastify log level, or `silent`. @default "info" */
  logLevel: string;
  /**
   * User a root server runs local trainings as; `""` or `root` keeps root. Ignored when the server is not root.
   * @default "gangplank-run" (a system user created when missing)
   */
  runAsUser?: string;
  /** Odahu's feature switches. */
  disabled: { training: boolean; connection: boolean };
}

/** Keys as written in a config file and as flags (camelCase); values as strings or their native types. */
export type ServerConfigInput = Partial<Record<keyof ServerConfig, unknown>>;

/** Environment variable of each key. */
export const SERVER_ENV: Partial<Record<keyof ServerConfig, string>> = {
  host: 'GANGPLANK_HOST',
  port: 'GANGPLANK_PORT',
  dataDir: 'GANGPLANK_DATA_DIR',
  databaseUrl: 'GANGPLANK_DATABASE_URL',
  secretKey: 'GANGPLANK_SECRET_KEY',
  auth: 'GANGPLANK_AUTH',
  tokens: 'GANGPLANK_TOKENS',
  dispatcher: 'GANGPLANK_DISPATCHER',
  executor: 'GANGPLANK_EXECUTOR',
  workerId: 'GANGPLANK_WORKER_ID',
  concurrency: 'GANGPLANK_CONCURRENCY',
  outputConnection: 'GANGPLANK_OUTPUT_CONNECTION',
  pushgatewayAddr: 'GANGPLANK_PUSHGATEWAY_ADDR',
  prometheusUrl: 'GANGPLANK_PROMETHEUS_URL',
  advertiseUrl: 'GANGPLANK_ADVERTISE_URL',
  bodyLimit: 'GANGPLANK_BODY_LIMIT',
  logLevel: 'GANGPLANK_LOG_LEVEL',
  runAsUser: 'GANGPLANK_RUN_AS_USER',
};

/** OIDC settings from the environment. */
const OIDC_ENV = {
  issuer: 'GANGPLANK_OIDC_ISSUER',
  jwksUri: 'GANGPLANK_OIDC_JWKS_URI',
  audience: 'GANGPLANK_OIDC_AUDIENCE',
};

export const DEFAULT_CONFIG_FILE = path.join(homedir(), '.config', 'gangplank', 'server.yaml');

export interface ResolveOptions {
  flags?: ServerConfigInput;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Config file; `undefined` means `$GANGPLANK_CONFIG`, else `~/.config/gangplank/server.yaml` when it exists. */
  configFile?: string;
}

export class ConfigError extends Error {}

function fail(key: string, source: string, value: unknown, want: string): never {
  throw new ConfigError(`invalid ${key} ${JSON.stringify(value)} (from ${source}): ${want}`);
}

function asInt(key: string, source: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < min || n > max)
    fail(key, source, value, `expected a whole number from ${min} to ${max}`);
  return n;
}

function asBool(key: string, source: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  return fail(key, source, value, 'expected true or false');
}

function asString(key: string, source: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return fail(key, source, value, 'expected a string');
}

/** `role:token,role:token` (environment) or a list of `{token, role, subject}` (file). */
function asTokens(source: string, value: unknown): StaticToken[] {
  const list: unknown[] =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((entry) => {
            const colon = entry.indexOf(':');
            return { role: entry.slice(0, colon), token: entry.slice(colon + 1) };
          })
      : Array.isArray(value)
        ? value
        : fail('tokens', source, value, 'expected "role:token,…" or a list of {token, role}');
  return list.map((item) => {
    const t = item as Partial<StaticToken>;
    if (typeof t.token !== 'string' || t.token.length < 8)
      fail('tokens', source, '…', 'every token needs 8+ characters');
    if (!ROLES.includes(t.role as Role))
      fail('tokens', source, t.role, `role must be one of ${ROLES.join(', ')}`);
    return {
      token: t.token,
      role: t.role as Role,
      ...(typeof t.subject === 'string' ? { subject: t.subject } : {}),
    };
  });
}

function asPools(key: string, source: string, value: unknown): NodePool[] {
  if (!Array.isArray(value)) fail(key, source, value, 'expected a list of {nodeSelector: {label: value}}');
  return value.map((pool) => {
    const selector = (pool as { nodeSelector?: unknown }).nodeSelector;
    if (typeof selector !== 'object' || selector === null)
      fail(key, source, pool, 'each pool needs a nodeSelector map');
    return { nodeSelector: Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, String(v)])) };
  });
}

async function loadFile(file: string, explicit: boolean): Promise<ServerConfigInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read the server config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = yamlLibrary().parse(text);
  } catch (error) {
    throw new ConfigError(
      `the server config file ${file} is not valid YAML/JSON: ${(error as Error).message}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`${file} must hold a mapping`);
  await keepPrivate(file);
  return parsed;
}

/**
 * The config file can hold tokens and the secret key: when the server's user owns it, group and others lose
 * every access to it (a training running as another user must not read it).
 */
async function keepPrivate(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (info.uid === process.getuid?.() && (info.mode & 0o077) !== 0) await chmod(file, info.mode & 0o700);
  } catch {
    /* read a moment ago; a vanished or foreign file is left as it is */
  }
}

/** Resolves the configuration: flags → environment → file → defaults. Throws {@link ConfigError}. */
export async function resolveServerConfig(options: ResolveOptions = {}): Promise<ServerConfig> {
  const env = options.env ?? process.env;
  const flags = Object.fromEntries(Object.entries(options.flags ?? {}).filter(([, v]) => v !== undefined));
  const explicitFile = options.configFile ?? env.GANGPLANK_CONFIG;
  const file = await loadFile(explicitFile ?? DEFAULT_CONFIG_FILE, explicitFile !== undefined);
  const fileName = explicitFile ?? DEFAULT_CONFIG_FILE;

  const known = new Set<string>([
    'host',
    'port',
    'dataDir',
    'databaseUrl',
    'secretKey',
    'auth',
    'tokens',
    'oidc',
    'dispatcher',
    'executor',
    'workerId',
    'slurm',
    'kubernetes',
    'concurrency',
    'outputConnection',
    'nodePools',
    'gpuNodePools',
    'pushgatewayAddr',
    'prometheusUrl',
    'advertiseUrl',
    'bodyLimit',
    'logLevel',
    'disabled',
    'runAsUser',
  ]);
  for (const key of Object.keys(file)) {
    if (!known.has(key))
      throw new ConfigError(`unknown key "${key}" in ${fileName}; known keys: ${[...known].join(', ')}`);
  }

  /** The first source that sets `key`, with its name for messages. */
  const pick = (key: keyof ServerConfig): [unknown, string] | undefined => {
    if (flags[key] !== undefined)
      return [flags[key], `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`];
    const envName = SERVER_ENV[key];
    if (envName && env[envName] !== undefined && env[envName] !== '') return [env[envName], envName];
    if (file[key] !== undefined && file[key] !== null) return [file[key], fileName];
    return undefined;
  };

  const str = (key: keyof ServerConfig): string | undefined => {
    const found = pick(key);
    return found ? asString(key, found[1], found[0]) : undefined;
  };

  const host = str('host') ?? '127.0.0.1';
  const portFound = pick('port');
  const port = portFound ? asInt('port', portFound[1], portFound[0], 0, 65535) : 5000;
  const dataDir = path.resolve(str('dataDir') ?? path.join(homedir(), '.local', 'share', 'gangplank'));
  const authText = str('auth') ?? 'auto';
  if (!['auto', 'on', 'off'].includes(authText))
    fail('auth', pick('auth')?.[1] ?? 'default', authText, 'expected auto, on or off');
  const tokensFound = pick('tokens');
  const dispatcherFound = pick('dispatcher');
  const concurrencyFound = pick('concurrency');
  const bodyLimitFound = pick('bodyLimit');

  let oidc: OidcOptions | undefined;
  const fileOidc = (flags.oidc ?? file.oidc) as Partial<OidcOptions> | undefined;
  const issuer = env[OIDC_ENV.issuer] || fileOidc?.issuer;
  if (issuer) {
    oidc = { ...(fileOidc ?? {}), issuer };
    const jwksUri = env[OIDC_ENV.jwksUri] || fileOidc?.jwksUri;
    if (jwksUri) oidc.jwksUri = jwksUri;
    const audience = env[OIDC_ENV.audience] || fileOidc?.audience;
    if (audience) oidc.audience = audience;
  }
  const executorText = str('executor') ?? 'local';
  if (!EXECUTOR_KINDS.includes(executorText as ExecutorKind))
    fail(
      'executor',
      pick('executor')?.[1] ?? 'default',
      executorText,
      `expected ${EXECUTOR_KINDS.join(', ')}`,
    );
  const disabledRaw = (flags.disabled ?? file.disabled ?? {}) as { training?: unknown; connection?: unknown };

  const config: ServerConfig = {
    host,
    port,
    dataDir,
    auth: authText as AuthMode,
    tokens: tokensFound ? asTokens(tokensFound[1], tokensFound[0]) : [],
    dispatcher: dispatcherFound ? asBool('dispatcher', dispatcherFound[1], dispatcherFound[0]) : true,
    executor: executorText as ExecutorKind,
    nodePools: file.nodePools ? asPools('nodePools', fileName, file.nodePools) : [],
    gpuNodePools: file.gpuNodePools ? asPools('gpuNodePools', fileName, file.gpuNodePools) : [],
    bodyLimit: bodyLimitFound
      ? asInt('bodyLimit', bodyLimitFound[1], bodyLimitFound[0], 1024, 1 << 30)
      : 1024 * 1024,
    logLevel: str('logLevel') ?? 'info',
    disabled: {
      training:
        disabledRaw.training === undefined
          ? false
          : asBool('disabled.training', fileName, disabledRaw.training),
      connection:
        disabledRaw.connection === undefined
          ? false
          : asBool('disabled.connection', fileName, disabledRaw.connection),
    },
  };
  const databaseUrl = str('databaseUrl');
  if (databaseUrl) config.databaseUrl = databaseUrl;
  const secretKey = str('secretKey');
  if (secretKey) config.secretKey = secretKey;
  if (oidc) config.oidc = oidc;
  if (concurrencyFound)
    config.concurrency = asInt('concurrency', concurrencyFound[1], concurrencyFound[0], 1, 1024);
  const outputConnection = str('outputConnection');
  if (outputConnection) config.outputConnection = outputConnection;
  const pushgatewayAddr = str('pushgatewayAddr');
  if (pushgatewayAddr) config.pushgatewayAddr = pushgatewayAddr;
  const prometheusUrl = str('prometheusUrl');
  if (prometheusUrl) config.prometheusUrl = prometheusUrl;
  const advertiseUrl = str('advertiseUrl');
  if (advertiseUrl) config.advertiseUrl = advertiseUrl.replace(/\/+$/, '');
  const workerId = str('workerId');
  if (workerId) config.workerId = workerId;
  const runAsFound = pick('runAsUser');
  if (runAsFound) config.runAsUser = asString('runAsUser', runAsFound[1], runAsFound[0]);
  for (const key of ['slurm', 'kubernetes'] as const) {
    const value = flags[key] ?? file[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      fail(key, fileName, value, `expected a mapping of ${key} executor options`);
    config[key] = value as Record<string, unknown>;
  }
  return config;
}

/** Whether an address is loopback (authentication defaults to off there). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
