/**
 * `runTrainingLocally`: one training, run on this machine by the local executor, without a server or a store
 * (`gangplank local train run`). Unlike Odahu's local mode, it is the same pipeline as on the server: source from
 * git or object storage, data bindings downloaded, envs and resources applied, output zipped under the artifact name
 * and uploaded to the output connection if there is one; the output folder and the zip are also copied to
 * `outputDir`, and the work folder is removed afterwards (Odahu #404 left containers behind).
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type {
  Connection,
  ConnectionSpec,
  ModelTrainingSpec,
  ToolchainIntegration,
  ToolchainIntegrationSpec,
  TrainingRun,
} from '../domain/types.js';
import type { RunArtifact } from '../domain/run-artifact.js';
import type { ExecutorLogChunk } from '../executors/executor.js';
import { LocalExecutor } from '../executors/local.js';
import { resolveRunSpec } from './resolve-run-spec.js';

export interface LocalTrainingOptions {
  /** The ModelTraining manifest (`id` + `spec`). */
  training: { id: string; spec: ModelTrainingSpec };
  /** Its toolchain integration. */
  toolchain: { id: string; spec: ToolchainIntegrationSpec };
  /** Connections it names, secrets decoded. @default [] */
  connections?: { id: string; spec: ConnectionSpec }[];
  /**
   * Where the artifact zip and the unzipped output folder are copied.
   * @default env `LOCAL_MODEL_OUTPUT_DIR`, else `~/.local/share/gangplank/training_output`
   */
  outputDir?: string;
  /** Parent of the temporary work folder. @default `<outputDir>/.work` */
  workRoot?: string;
  /** Dependency cache folder. @default `~/.cache/gangplank/deps` */
  cacheDir?: string;
  /**
   * The run's id: its `GANGPLANK_RUN_ID` and `run_id` grouping label, known before the run starts so a caller can
   * read the run's own metrics while it trains. Letters, digits, `.`, `_`, `-`. @default `local-<random UUID>`
   */
  runId?: string;
  /** Keep the work folder (for debugging). @default false */
  keepWorkFolder?: boolean;
  /** Handed to the process as `GANGPLANK_PUSHGATEWAY_ADDR`. */
  pushgatewayAddr?: string;
  /** Told where the run's history file is, before the run starts (to show progress from it). */
  onHistoryFile?: (file: string) => void;
  /** Called with every log chunk, in order, while the run goes on. */
  onLog?: (chunk: ExecutorLogChunk) => void;
  /** Aborting cancels the run (SIGTERM to its tree, SIGKILL after the grace period). */
  signal?: AbortSignal;
  /** @default 10_000 */
  graceMs?: number;
}

export interface LocalTrainingResult {
  runId: string;
  state: 'succeeded' | 'failed';
  exitCode?: number;
  reason?: string;
  message?: string;
  commitId?: string;
  artifacts: RunArtifact[];
  /** The zip in `outputDir`, on success. */
  artifactFile?: string;
  /** The run's history, JSON lines the exporter appended (`GANGPLANK_HISTORY_FILE`): `<outputDir>/<runId>-history.jsonl`. */
  historyFile: string;
  /** The unzipped output in `outputDir`, on success. */
  outputFolder?: string;
}

/** Runs a training locally and resolves when it is finished (it rejects only on a manifest that cannot run). */
export async function runTrainingLocally(options: LocalTrainingOptions): Promise<LocalTrainingResult> {
  const outputDir =
    options.outputDir ??
    process.env.LOCAL_MODEL_OUTPUT_DIR ??
    join(homedir(), '.local', 'share', 'gangplank', 'training_output');
  const workRoot = options.workRoot ?? join(outputDir, '.work');
  mkdirSync(workRoot, { recursive: true });
  const root = mkdtempSync(join(workRoot, `${options.training.id}-`));
  const now = new Date().toISOString();
  const runId = options.runId ?? `local-${randomUUID()}`;
  const run: TrainingRun = {
    id: runId,
    trainingId: options.training.id,
    seq: 1,
    spec: options.training.spec,
    state: 'scheduling',
    artifacts: [],
    createdAt: now,
    cancelRequested: false,
  };
  const toolchains: ToolchainIntegration[] = [
    { id: options.toolchain.id, createdAt: now, updatedAt: now, spec: options.toolchain.spec, status: {} },
  ];
  const connections: Connection[] = (options.connections ?? []).map((c) => ({
    id: c.id,
    createdAt: now,
    updatedAt: now,
    spec: c.spec,
    status: {},
  }));
  const spec = await resolveRunSpec(
    run,
    {
      getToolchain: (id) => Promise.resolve(toolchains.find((t) => t.id === id)),
      getConnection: (id) => Promise.resolve(connections.find((c) => c.id === id)),
    },
    options.pushgatewayAddr ? { pushgatewayAddr: options.pushgatewayAddr } : {},
  );
  // No server records the history here: the exporter appends it to a file beside the artifact.
  const historyFile = join(outputDir, `${runId}-history.jsonl`);
  spec.envs = [...(spec.envs ?? []), { name: 'GANGPLANK_HISTORY_FILE', value: historyFile }];
  options.onHistoryFile?.(historyFile);
  const executor = new LocalExecutor({
    root,
    cacheDir: options.cacheDir ?? join(homedir(), '.cache', 'gangplank', 'deps'),
    graceMs: options.graceMs ?? 10_000,
    removeOnRelease: false,
  });
  const onAbort = () => void executor.cancel(handle, 'cancelled by the user');
  const handle = await executor.submit(spec);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  try {
    let cursor: string | undefined;
    const drain = async () => {
      for (;;) {
        const page = await executor.logs(handle, cursor, 1000);
        cursor = page.cursor;
        for (const chunk of page.chunks) options.onLog?.(chunk);
        if (page.chunks.length < 1000) return;
      }
    };
    let done = false;
    const settled = executor.settled(runId).then(() => (done = true));
    while (!done) {
      await drain();
      await Promise.race([settled, new Promise((r) => setTimeout(r, 100))]);
    }
    await drain();
    const status = await executor.status(handle);
    const result: LocalTrainingResult = {
      runId,
      historyFile,
      state: status.phase === 'succeeded' ? 'succeeded' : 'failed',
      artifacts: status.artifacts ?? [],
      ...(status.exitCode !== undefined ? { exitCode: status.exitCode } : {}),
      ...(status.reason ? { reason: status.reason } : {}),
      ...(status.message !== undefined ? { message: status.message } : {}),
      ...(status.commitId ? { commitId: status.commitId } : {}),
    };
    const artifact = status.artifacts?.[0];
    if (result.state === 'succeeded' && artifact) {
      const runDir = join(root, runId);
      const zip = join(outputDir, artifact.artifactName);
      mkdirSync(dirname(zip), { recursive: true });
      cpSync(join(runDir, 'artifacts', artifact.artifactName), zip);
      const folder = zip.replace(/\.zip$/, '');
      if (existsSync(folder)) rmSync(folder, { recursive: true, force: true });
      cpSync(join(runDir, 'output'), folder, { recursive: true });
      result.artifactFile = zip;
      result.outputFolder = folder;
    }
    return result;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await executor.close();
    if (!options.keepWorkFolder) rmSync(root, { recursive: true, force: true });
  }
}
