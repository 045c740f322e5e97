/**
 * Runs a resolved local plan with `runTrainingLocally` (the server's local executor, no store). The manifests are
 * read and validated by the same domain readers as the API server, so a bad manifest fails here with the server's
 * messages instead of half-way through the run. Imported only when a local run really starts (it loads the
 * executors).
 */
import { randomUUID } from 'node:crypto';
import { ApiError as DomainApiError } from '../domain/errors.js';
import type { Connection, ToolchainIntegration } from '../domain/types.js';
import { validateConnection } from '../domain/validate-connection.js';
import { validateToolchain } from '../domain/validate-toolchain.js';
import { validateTraining } from '../domain/validate-training.js';
import { readConnectionBody, readToolchainBody, readTrainingBody } from '../domain/wire.js';
import { runTrainingLocally } from '../dispatcher/run-locally.js';
import type { CliContext } from './context.js';
import { CliFailure, EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import type { LocalPlan } from './local-plan.js';
import { ProgressPrinter } from './progress.js';
import { readHistoryFileMetrics } from './history-file.js';
import { gatewayReader } from './progress-metrics.js';

export interface LocalRunOptions {
  /** @default runTrainingLocally's: $LOCAL_MODEL_OUTPUT_DIR or ~/.local/share/gangplank/training_output */
  outputDir?: string;
  pushgatewayUrl: string | undefined;
  /** Metrics poll period for the progress line. @default 1000 */
  pollMs?: number;
}

/** Turns the plan's wire documents into validated domain objects (the server's readers and validators). */
export async function domainPlan(plan: LocalPlan): Promise<Parameters<typeof runTrainingLocally>[0]> {
  const now = new Date().toISOString();
  try {
    const connections: Connection[] = plan.connections.map((doc) => {
      const body = readConnectionBody(doc);
      return { id: body.id, createdAt: now, updatedAt: now, spec: validateConnection(body), status: {} };
    });
    if (!plan.toolchain) {
      throw new UsageError(
        `toolchain integration ${plan.toolchainId ?? '(none named)'} not found among the files; add its manifest ` +
          'with -f or point at a server with --url',
      );
    }
    const tb = readToolchainBody(plan.toolchain);
    const toolchain: ToolchainIntegration = {
      id: tb.id,
      createdAt: now,
      updatedAt: now,
      spec: validateToolchain(tb),
      status: {},
    };
    const tr = readTrainingBody(plan.training);
    const spec = await validateTraining(tr.id, tr.spec, {
      getConnection: (id) => Promise.resolve(connections.find((c) => c.id === id)),
      getToolchain: (id) => Promise.resolve(id === toolchain.id ? toolchain : undefined),
    });
    return {
      training: { id: tr.id, spec },
      toolchain: { id: toolchain.id, spec: toolchain.spec },
      connections: connections.map((c) => ({ id: c.id, spec: c.spec })),
    };
  } catch (err) {
    // The same 400 texts the server gives, e.g. "Validation of model training is failed: …".
    if (err instanceof DomainApiError) throw new CliFailure(err.message);
    throw err;
  }
}

export async function runLocal(ctx: CliContext, plan: LocalPlan, options: LocalRunOptions): Promise<number> {
  const input = await domainPlan(plan);
  const id = input.training.id;
  const tty = ctx.io.stderr.isTTY === true;
  const printer = new ProgressPrinter(ctx.io.stderr, tty, `${id}: `);
  const start = ctx.io.now();
  let metrics = {};
  let state = 'running';
  const gateway = options.pushgatewayUrl ? gatewayReader(options.pushgatewayUrl) : undefined;
  // The history file is where the exporter writes first; the gateway (when given) covers scripts that only push.
  let historyFile: string | undefined;
  const read = async (match: { runId: string }) => {
    const fromHistory = historyFile ? await readHistoryFileMetrics(historyFile) : {};
    if (fromHistory.epoch === undefined && gateway) return gateway(match);
    return fromHistory;
  };
  // Only this run's series (the platform groups them under its run_id): the gateway keeps earlier runs of the same
  // training, whose epochs and losses would otherwise show until this run's first push, or alternate with it.
  const runId = `local-${randomUUID()}`;
  const draw = (): void => printer.update({ state, elapsedMs: ctx.io.now() - start, ...metrics });
  // Ctrl-C cancels the run (SIGTERM to its process tree, then SIGKILL) instead of orphaning it.
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setInterval(() => {
    void (async () => {
      metrics = await read({ runId });
      draw();
    })();
  }, options.pollMs ?? 1000);
  draw();
  try {
    const result = await runTrainingLocally({
      ...input,
      runId,
      ...(options.outputDir !== undefined ? { outputDir: options.outputDir } : {}),
      ...(options.pushgatewayUrl ? { pushgatewayAddr: options.pushgatewayUrl } : {}),
      signal: abort.signal,
      onHistoryFile: (file) => (historyFile = file),
      onLog: (chunk) => {
        printer.suspend();
        ctx.io.stdout.write(`${chunk.text}\n`);
        printer.resume();
      },
    });
    clearInterval(timer);
    state = result.state;
    historyFile = result.historyFile;
    metrics = await read({ runId });
    draw();
    printer.done();
    const parts = [`training ${id} ${result.state}`];
    if (result.reason && result.state !== 'succeeded') parts.push(`reason: ${result.reason}`);
    if (result.exitCode !== undefined) parts.push(`exit code ${result.exitCode}`);
    if (result.message) parts.push(result.message);
    if (result.state !== 'succeeded') {
      ctx.note(`Error: ${parts.join('; ')}`);
      return EXIT_FAILURE;
    }
    if (result.artifactFile) parts.push(`artifact ${result.artifactFile}`);
    if (result.outputFolder) parts.push(`output ${result.outputFolder}`);
    ctx.print(parts.join('; '));
    return EXIT_OK;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
