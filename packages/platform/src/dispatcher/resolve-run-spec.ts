/**
 * Builds an executor's run description from a stored run: the spec snapshot of the run, its toolchain and its
 * connections (secrets decoded), and the metrics wiring. Per-training settings that Odahu's schema has no field for
 * travel as reserved `envs` (so `odahuflowctl` manifests carry them unchanged):
 *
 * | env of the training | effect |
 * |---|---|
 * | `GANGPLANK_JOB` | the Pushgateway job of the run (PersiaML `job_name`); default: the training id |
 * | `GANGPLANK_METRICS_ENABLED=false` | no gateway address for the run's processes (PersiaML `enable_metrics`) |
 * | `GANGPLANK_TIMEOUT` | run timeout: `90s`, `30m`, `2h`, or seconds; default 4 h |
 */
import type { Connection, ToolchainIntegration, TrainingRun } from '../domain/types.js';
import type { RunSpec, ToolchainSpec } from '../domain/run-spec.js';
import type { TransferConnection } from '../domain/transfer-connection.js';

export interface RunSpecSources {
  getToolchain(id: string): Promise<ToolchainIntegration | undefined>;
  getConnection(id: string): Promise<Connection | undefined>;
}

export interface RunSpecDefaults {
  /** Address handed to runs as `GANGPLANK_PUSHGATEWAY_ADDR`. */
  pushgatewayAddr?: string;
  /** The history endpoint and credential handed to a run (`GANGPLANK_HISTORY_URL`, `GANGPLANK_HISTORY_TOKEN`). */
  history?: (trainingId: string, runId: string) => { url: string; token?: string };
  /** Timeout when the training sets none. */
  timeoutMs?: number;
  /** Output connection id when the training names none (Odahu's `training.outputConnectionID`). */
  outputConnection?: string;
}

/** A run that cannot be described (missing toolchain or connection, bad timeout): it fails without starting. */
export class InvalidRunError extends Error {
  override name = 'InvalidRunError';
}

function historyWiring(
  defaults: RunSpecDefaults,
  run: TrainingRun,
): { historyUrl?: string; historyToken?: string } {
  const history = defaults.history?.(run.trainingId, run.id);
  if (!history) return {};
  return { historyUrl: history.url, ...(history.token ? { historyToken: history.token } : {}) };
}

/** Parses `90s`, `30m`, `2h`, `1h30m` or a number of seconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) {
    throw new InvalidRunError(`GANGPLANK_TIMEOUT "${text}" is not a duration like 90s, 30m, 2h or 1h30m`);
  }
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]!]!, 0);
}

function toConnectionSpec(connection: Connection): TransferConnection {
  const s = connection.spec;
  return {
    id: connection.id,
    type: s.type,
    uri: s.uri,
    ...(s.region ? { region: s.region } : {}),
    ...(s.username ? { username: s.username } : {}),
    ...(s.password ? { password: s.password } : {}),
    ...(s.keyID ? { keyID: s.keyID } : {}),
    ...(s.keySecret ? { keySecret: s.keySecret } : {}),
    ...(s.publicKey ? { publicKey: s.publicKey } : {}),
    ...(s.reference ? { reference: s.reference } : {}),
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
  };
}

/**
 * The toolchain kind: the integration's `kind` when set; else `mlflow` for the `mlflow` toolchain or an
 * entrypoint naming an MLflow runner (Odahu's `odahu-flow-mlflow-runner`); else `command`.
 */
export function toToolchainSpec(toolchain: ToolchainIntegration): ToolchainSpec {
  const s = toolchain.spec;
  const kind =
    s.kind === 'mlflow' || s.kind === 'command'
      ? s.kind
      : toolchain.id === 'mlflow' || /mlflow/i.test(s.entrypoint)
        ? 'mlflow'
        : 'command';
  const command = s.command ?? (s.entrypoint ? s.entrypoint.split(/\s+/).filter(Boolean) : []);
  return {
    id: toolchain.id,
    kind,
    ...(kind === 'command' ? { command } : {}),
    ...(s.additionalEnvironments ? { additionalEnvironments: s.additionalEnvironments } : {}),
    ...(s.defaultImage ? { defaultImage: s.defaultImage } : {}),
  };
}

export async function resolveRunSpec(
  run: TrainingRun,
  sources: RunSpecSources,
  defaults: RunSpecDefaults = {},
): Promise<RunSpec> {
  const spec = run.spec;
  const connection = async (id: string, what: string): Promise<TransferConnection> => {
    const found = await sources.getConnection(id);
    if (!found) throw new InvalidRunError(`${what}: connection "${id}" is not found`);
    return toConnectionSpec(found);
  };
  const toolchain = await sources.getToolchain(spec.toolchain);
  if (!toolchain) throw new InvalidRunError(`toolchain integration "${spec.toolchain}" is not found`);
  const env = new Map((spec.envs ?? []).map((e) => [e.name, e.value]));
  const vcs = spec.algorithmSource?.vcs;
  const objectStorage = spec.algorithmSource?.objectStorage;
  const source: RunSpec['source'] = vcs
    ? {
        kind: 'git',
        connection: await connection(vcs.connection, 'algorithm source'),
        ...(vcs.reference ? { reference: vcs.reference } : {}),
      }
    : objectStorage
      ? {
          kind: 'objectStorage',
          connection: await connection(objectStorage.connection, 'algorithm source'),
          ...(objectStorage.path ? { path: objectStorage.path } : {}),
        }
      : undefined;
  const data = [];
  for (const [i, binding] of (spec.data ?? []).entries()) {
    data.push({
      connection: await connection(binding.connection, `data binding #${i + 1}`),
      localPath: binding.localPath,
      ...(binding.remotePath ? { remotePath: binding.remotePath } : {}),
    });
  }
  const outputId = spec.outputConnection || defaults.outputConnection;
  const timeoutText = env.get('GANGPLANK_TIMEOUT');
  const enabledText = env.get('GANGPLANK_METRICS_ENABLED')?.trim().toLowerCase();
  // Odahu's validation already copies the toolchain's defaultImage into a training without one; this fallback
  // covers trainings stored otherwise (manifests run locally, older rows). Empty strings count as absent.
  const image = spec.image || toolchain.spec.defaultImage;
  return {
    runId: run.id,
    trainingId: run.trainingId,
    model: {
      name: spec.model.name,
      version: spec.model.version,
      ...(spec.model.artifactNameTemplate ? { artifactNameTemplate: spec.model.artifactNameTemplate } : {}),
    },
    toolchain: toToolchainSpec(toolchain),
    entrypoint: spec.entrypoint,
    ...(spec.args ? { args: spec.args } : {}),
    ...(spec.hyperParameters ? { hyperParameters: spec.hyperParameters } : {}),
    ...(spec.envs ? { envs: spec.envs } : {}),
    ...(spec.workDir ? { workDir: spec.workDir } : {}),
    ...(source ? { source } : {}),
    data,
    ...(outputId ? { output: { connection: await connection(outputId, 'output connection') } } : {}),
    ...(spec.resources ? { resources: spec.resources } : {}),
    ...(timeoutText !== undefined
      ? { timeoutMs: parseDuration(timeoutText) }
      : defaults.timeoutMs !== undefined
        ? { timeoutMs: defaults.timeoutMs }
        : {}),
    ...(image ? { image } : {}),
    ...(spec.nodeSelector && Object.keys(spec.nodeSelector).length
      ? { nodeSelector: spec.nodeSelector }
      : {}),
    metrics: {
      enabled: !['false', '0', 'no', 'off'].includes(enabledText ?? ''),
      job: env.get('GANGPLANK_JOB') || run.trainingId,
      grouping: { training: run.trainingId },
      ...(defaults.pushgatewayAddr ? { pushgatewayAddr: defaults.pushgatewayAddr } : {}),
      ...historyWiring(defaults, run),
    },
  };
}
