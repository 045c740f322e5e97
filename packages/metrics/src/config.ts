/**
 * Configuration resolution shared by the library: explicit option, then environment, then a documented default.
 * The platform sets these variables for every run process, so an instrumented script needs no configuration there.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { isValidLabelName, sanitizeLabelName } from './names.js';

/** Environment variables read by `@gangplank/metrics`. */
export const ENV = {
  /** Pushgateway address, e.g. `127.0.0.1:9091` or `https://pgw.example.com/prefix`. */
  pushgatewayAddr: 'GANGPLANK_PUSHGATEWAY_ADDR',
  /** Pushgateway job name. */
  job: 'GANGPLANK_JOB',
  /** Run id, a grouping label (`run_id`) that tells runs of one job apart. */
  runId: 'GANGPLANK_RUN_ID',
  /** Worker identity, the `instance` grouping label. */
  instance: 'GANGPLANK_INSTANCE',
  /** Worker rank; used as `instance="worker-<rank>"` when `GANGPLANK_INSTANCE` is not set. */
  rank: 'GANGPLANK_RANK',
  /** Extra grouping labels: `name=value,name2=value2` (or a JSON object). */
  grouping: 'GANGPLANK_GROUPING',
  /** `false`/`0`/`no`/`off` turns every exporter into a no-op (PersiaML's `enable_metrics`). */
  enabled: 'GANGPLANK_METRICS_ENABLED',
} as const;

/** Documented defaults, used when neither an option nor the environment gives a value. */
export const DEFAULTS = {
  /** The Pushgateway's own default port, on loopback. */
  pushgatewayAddr: '127.0.0.1:9091',
  job: 'gangplank',
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a resolved value came from. */
export type ConfigSource = 'option' | 'env' | 'default';

export interface MetricsConfigOptions {
  /** Pushgateway address. @default env `GANGPLANK_PUSHGATEWAY_ADDR`, else `127.0.0.1:9091` */
  pushgatewayAddr?: string | undefined;
  /** Job name. @default env `GANGPLANK_JOB`, else `gangplank` */
  job?: string | undefined;
  /**
   * Run id (grouping label `run_id`); `false` leaves the label out.
   * @default env `GANGPLANK_RUN_ID`, else a new id per call, so per exporter (`<UTC time>-<6 hex>`)
   */
  runId?: string | false | undefined;
  /**
   * Worker identity (grouping label `instance`); `false` leaves the label out (the gateway then stores `instance=""`).
   * @default env `GANGPLANK_INSTANCE`, else `worker-<GANGPLANK_RANK>`, else `<hostname>-<pid>`
   */
  instance?: string | false | undefined;
  /** Extra grouping labels; they win over `GANGPLANK_GROUPING` for the same name. @default {} */
  grouping?: Readonly<Record<string, string>> | undefined;
  /** Turns metrics off. @default env `GANGPLANK_METRICS_ENABLED`, else `true` */
  enabled?: boolean | undefined;
}

export interface ResolvedMetricsConfig {
  pushgatewayAddr: string;
  job: string;
  /** Grouping labels besides `job` (and besides the exporter's `phase`), in URL order. */
  grouping: Record<string, string>;
  enabled: boolean;
  sources: {
    pushgatewayAddr: ConfigSource;
    job: ConfigSource;
    runId: ConfigSource;
    instance: ConfigSource;
    enabled: ConfigSource;
  };
  /** Problems found in the environment (ignored values); never thrown. */
  warnings: string[];
}

/**
 * A new run id, `<UTC yyyymmddThhmmssZ>-<6 hex>`. Each exporter gets its own (not one per process), so two trainings
 * run one after the other in one script never share a group; the platform's `GANGPLANK_RUN_ID` overrides it.
 */
export function newRunId(now: Date = new Date()): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Parses a boolean switch; `undefined` for values it does not understand. */
export function parseBoolean(v: string): boolean | undefined {
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  return undefined;
}

/**
 * Parses `GANGPLANK_GROUPING`: `name=value` pairs separated by commas, or a JSON object of strings. Invalid label
 * names are sanitised; malformed parts are reported in `warnings` and skipped.
 */
export function parseGrouping(text: string, warnings: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const trimmed = text.trim();
  if (trimmed === '') return out;
  let pairs: [string, unknown][];
  if (trimmed.startsWith('{')) {
    try {
      pairs = Object.entries(JSON.parse(trimmed) as Record<string, unknown>);
    } catch {
      warnings.push(`${ENV.grouping} is not valid JSON; ignored`);
      return out;
    }
  } else {
    pairs = trimmed
      .split(',')
      .filter((p) => p.trim() !== '')
      .map((p) => {
        const eq = p.indexOf('=');
        return eq < 0 ? [p.trim(), undefined] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
      });
  }
  for (const [name, value] of pairs) {
    if (typeof value !== 'string') {
      warnings.push(`${ENV.grouping}: "${name}" has no string value; ignored`);
      continue;
    }
    out[isValidLabelName(name) ? name : sanitizeLabelName(name)] = value;
  }
  return out;
}

/**
 * Resolves the push configuration: explicit option → environment → default. Never throws: unusable environment
 * values are skipped and listed in `warnings`.
 */
export function resolveMetricsConfig(
  options: MetricsConfigOptions = {},
  env: Env = process.env,
): ResolvedMetricsConfig {
  const warnings: string[] = [];
  const pick = <T>(opt: T | undefined, envValue: T | undefined, def: T): [T, ConfigSource] =>
    opt !== undefined ? [opt, 'option'] : envValue !== undefined ? [envValue, 'env'] : [def, 'default'];

  const [pushgatewayAddr, addrSource] = pick(
    nonEmpty(options.pushgatewayAddr),
    nonEmpty(env[ENV.pushgatewayAddr]),
    DEFAULTS.pushgatewayAddr,
  );
  const [job, jobSource] = pick(nonEmpty(options.job), nonEmpty(env[ENV.job]), DEFAULTS.job);

  let enabledEnv: boolean | undefined;
  const enabledText = env[ENV.enabled];
  if (enabledText !== undefined && enabledText.trim() !== '') {
    enabledEnv = parseBoolean(enabledText);
    if (enabledEnv === undefined)
      warnings.push(`${ENV.enabled}="${enabledText}" is not a boolean; metrics stay enabled`);
  }
  const [enabled, enabledSource] = pick(options.enabled, enabledEnv, true);

  const runIdOpt = options.runId === false ? false : nonEmpty(options.runId);
  const [runId, runIdSource] = pick<string | false>(runIdOpt, nonEmpty(env[ENV.runId]), newRunId());

  const rank = nonEmpty(env[ENV.rank]);
  const instanceEnv = nonEmpty(env[ENV.instance]) ?? (rank !== undefined ? `worker-${rank}` : undefined);
  const instanceOpt = options.instance === false ? false : nonEmpty(options.instance);
  const [instance, instanceSource] = pick<string | false>(
    instanceOpt,
    instanceEnv,
    `${hostname()}-${process.pid}`,
  );

  const grouping: Record<string, string> = {};
  if (runId !== false) grouping['run_id'] = runId;
  if (instance !== false) grouping['instance'] = instance;
  const extra = { ...parseGrouping(env[ENV.grouping] ?? '', warnings) };
  for (const [name, value] of Object.entries(options.grouping ?? {})) {
    extra[isValidLabelName(name) ? name : sanitizeLabelName(name)] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (name === 'job') {
      warnings.push('grouping label "job" ignored: the job is set by the job option');
      continue;
    }
    grouping[name] = value;
  }

  return {
    pushgatewayAddr,
    job,
    grouping,
    enabled,
    sources: {
      pushgatewayAddr: addrSource,
      job: jobSource,
      runId: runIdSource,
      instance: instanceSource,
      enabled: enabledSource,
    },
    warnings,
  };
}
