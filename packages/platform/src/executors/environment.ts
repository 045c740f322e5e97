/**
 * The environment of a run's process. Pure. Order, later wins: a short whitelist of the server's own environment
 * (never its secrets), the platform's variables, the resource plan, the toolchain's `additionalEnvironments`, then
 * the training's `envs` (Odahu's order). The metrics variables are what `@gangplank/metrics` reads, so an
 * instrumented script needs no configuration.
 */
import type { RunSpec } from '../domain/run-spec.js';

/** Variables taken from the server's environment; everything else (database URLs, tokens) stays out. */
export const INHERITED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'LC_MESSAGES',
  'LC_NUMERIC',
  'LC_TIME',
  'LC_COLLATE',
  'TZ',
  'TMPDIR',
  'TERM',
  'SYSTEMROOT',
  'PYENV_ROOT',
  'PYENV_VERSION',
  // Proxy settings: a training behind a proxy needs them as much as the server does (both spellings are in use).
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
] as const;

/** Names of the variables the platform sets. */
export const RUN_ENV = {
  pushgatewayAddr: 'GANGPLANK_PUSHGATEWAY_ADDR',
  job: 'GANGPLANK_JOB',
  grouping: 'GANGPLANK_GROUPING',
  metricsEnabled: 'GANGPLANK_METRICS_ENABLED',
  historyUrl: 'GANGPLANK_HISTORY_URL',
  historyToken: 'GANGPLANK_HISTORY_TOKEN',
  runId: 'GANGPLANK_RUN_ID',
  trainingId: 'GANGPLANK_TRAINING_ID',
  outputDir: 'GANGPLANK_OUTPUT_DIR',
  workspace: 'GANGPLANK_WORKSPACE',
  modelName: 'GANGPLANK_MODEL_NAME',
  modelVersion: 'GANGPLANK_MODEL_VERSION',
} as const;

/**
 * `GANGPLANK_GROUPING` as `@gangplank/metrics` parses it: `name=value,name=value`, or a JSON object when a value
 * holds a comma or surrounding spaces (which the short form cannot carry).
 */
export function formatGrouping(grouping: Record<string, string>): string {
  const entries = Object.entries(grouping);
  if (entries.some(([, v]) => v.includes(',') || v.trim() !== v)) return JSON.stringify(grouping);
  return entries.map(([k, v]) => `${k}=${v}`).join(',');
}

export interface RunEnvironmentInput {
  spec: RunSpec;
  serverEnv: NodeJS.ProcessEnv;
  /** More names to inherit from the server. */
  inherit?: readonly string[];
  outputDir: string;
  workspace: string;
  resourceEnv: Record<string, string>;
}

export function buildRunEnvironment(input: RunEnvironmentInput): Record<string, string> {
  const { spec } = input;
  const env: Record<string, string> = {};
  for (const name of [...INHERITED_ENV, ...(input.inherit ?? [])]) {
    const value = input.serverEnv[name];
    if (value !== undefined) env[name] = value;
  }
  const m = spec.metrics;
  env[RUN_ENV.job] = m.job;
  env[RUN_ENV.grouping] = formatGrouping(m.grouping);
  env[RUN_ENV.metricsEnabled] = m.enabled ? 'true' : 'false';
  if (m.enabled && m.pushgatewayAddr) env[RUN_ENV.pushgatewayAddr] = m.pushgatewayAddr;
  if (m.enabled && m.historyUrl) env[RUN_ENV.historyUrl] = m.historyUrl;
  if (m.enabled && m.historyToken) env[RUN_ENV.historyToken] = m.historyToken;
  env[RUN_ENV.runId] = spec.runId;
  env[RUN_ENV.trainingId] = spec.trainingId;
  env[RUN_ENV.outputDir] = input.outputDir;
  env[RUN_ENV.workspace] = input.workspace;
  env[RUN_ENV.modelName] = spec.model.name;
  env[RUN_ENV.modelVersion] = spec.model.version;
  Object.assign(env, input.resourceEnv);
  Object.assign(env, spec.toolchain.additionalEnvironments ?? {});
  for (const { name, value } of spec.envs ?? []) env[name] = value;
  return env;
}
