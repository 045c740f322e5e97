/**
 * CLI settings and their one precedence order: flag → environment → config file → default (pure; the file is read
 * by `config-file.ts`).
 */

/** Settings a user can store with `gangplank config set` or `gangplank login`. */
export interface CliSettings {
  /**
   * API server base URL. Env `GANGPLANK_URL` (or Odahu's `API_URL`).
   * @default 'http://127.0.0.1:5000'
   */
  url: string;
  /** Bearer token. Env `GANGPLANK_TOKEN` (or Odahu's `API_TOKEN`). @default undefined (no auth) */
  token?: string;
  /** Pushgateway read for live progress. Env `GANGPLANK_PUSHGATEWAY_ADDR`. @default undefined */
  pushgatewayUrl?: string;
  /** Prometheus read for live progress when no gateway is set. Env `GANGPLANK_PROMETHEUS_URL`. @default undefined */
  prometheusUrl?: string;
}

export type SettingKey = keyof CliSettings;

/** Every setting, with its environment variables (first wins) and help text. */
export const SETTINGS = {
  url: { env: ['GANGPLANK_URL', 'API_URL'], help: 'API server base URL' },
  token: { env: ['GANGPLANK_TOKEN', 'API_TOKEN'], help: 'bearer token sent to the API' },
  pushgatewayUrl: { env: ['GANGPLANK_PUSHGATEWAY_ADDR'], help: 'Pushgateway read for live progress' },
  prometheusUrl: { env: ['GANGPLANK_PROMETHEUS_URL'], help: 'Prometheus read for live progress' },
} as const satisfies Record<SettingKey, { env: readonly string[]; help: string }>;

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export const DEFAULT_URL = 'http://127.0.0.1:5000';

export type SettingSource = 'flag' | 'env' | 'file' | 'default';

export interface ResolvedSettings {
  settings: CliSettings;
  /** Where each set value came from (for `gangplank config view`). */
  sources: Partial<Record<SettingKey, SettingSource | `env:${string}`>>;
}

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as string[]).includes(key);
}

/** Resolves every setting: flag → environment → file → default. Empty strings count as unset. */
export function resolveSettings(input: {
  flags: Partial<Record<SettingKey, string | undefined>>;
  env: Readonly<Record<string, string | undefined>>;
  file: Partial<Record<SettingKey, unknown>>;
}): ResolvedSettings {
  const settings: Partial<CliSettings> = {};
  const sources: ResolvedSettings['sources'] = {};
  for (const key of SETTING_KEYS) {
    const flag = input.flags[key];
    if (flag) {
      settings[key] = flag;
      sources[key] = 'flag';
      continue;
    }
    const envName = SETTINGS[key].env.find((name) => input.env[name]);
    if (envName) {
      settings[key] = input.env[envName];
      sources[key] = `env:${envName}`;
      continue;
    }
    const fromFile = input.file[key];
    if (typeof fromFile === 'string' && fromFile) {
      settings[key] = fromFile;
      sources[key] = 'file';
    }
  }
  if (!settings.url) {
    settings.url = DEFAULT_URL;
    sources.url = 'default';
  }
  return { settings: { ...settings, url: normalizeUrl(settings.url) }, sources };
}

/** Adds `http://` to a bare `host:port` (odahuflowctl and the Pushgateway client accept both forms). */
export function normalizeUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
}

/**
 * Path of the config file: `$GANGPLANK_CLI_CONFIG`, else `$XDG_CONFIG_HOME/gangplank/config.yaml`, else
 * `~/.config/gangplank/config.yaml`.
 */
export function configFilePath(env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (env['GANGPLANK_CLI_CONFIG']) return env['GANGPLANK_CLI_CONFIG'];
  const base = env['XDG_CONFIG_HOME'] || `${home}/.config`;
  return `${base}/gangplank/config.yaml`;
}
