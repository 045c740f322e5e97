import type { GangplankClient, WireModelTraining } from '../client/index.js';
import { CliFailure } from './errors.js';
import type { ProgressPrinter } from './progress.js';
import type { MetricsReader } from './progress-metrics.js';

export const FINAL_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed']);

export interface WaitOptions {
  /** Give up after this many ms (the training keeps running). */
  timeoutMs: number;
  /** Poll period. @default 1000 */
  pollMs?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  printer?: ProgressPrinter;
  metrics?: MetricsReader;
}

/**
 * Polls a training until its state is final, drawing progress. Returns the final training; throws CliFailure on
 * timeout. The run id (for matching metrics) comes from the runs route when the server has it.
 */
export async function waitForTraining(
  client: GangplankClient,
  id: string,
  options: WaitOptions,
): Promise<WireModelTraining> {
  const start = options.now();
  const pollMs = options.pollMs ?? 1000;
  let runId: string | undefined;
  let runStart: number | undefined;
  try {
    const runs = await client.trainings.runs(id);
    const latest = runs[runs.length - 1];
    runId = latest?.id;
    const created = latest?.createdAt ? Date.parse(latest.createdAt) : NaN;
    if (Number.isFinite(created)) runStart = created;
  } catch {
    // An older or Odahu server has no runs route: match metrics by job name only.
  }
  for (;;) {
    const training = await client.trainings.get(id);
    const state = training.status?.state ?? 'unknown';
    // Gangplank's status names the run it mirrors; it changes when someone edits the training meanwhile.
    const statusRun = training.status?.['runId'];
    if (typeof statusRun === 'string' && statusRun) runId = statusRun;
    const metrics = options.metrics ? await options.metrics({ runId, job: id, training: id }) : {};
    const now = options.now();
    // Elapsed counts from the run's creation when the server's clock agrees with ours, else from our start.
    const origin = runStart !== undefined && runStart <= start ? runStart : start;
    options.printer?.update({ state, elapsedMs: now - origin, ...metrics });
    if (FINAL_STATES.has(state)) {
      options.printer?.done();
      return training;
    }
    if (now - start >= options.timeoutMs) {
      options.printer?.done();
      throw new CliFailure(
        `training ${id} did not finish within ${Math.round(options.timeoutMs / 1000)} s (state: ${state}); ` +
          `it keeps running: watch it with gangplank train logs --id ${id} --follow`,
      );
    }
    await options.sleep(pollMs);
  }
}

/**
 * What a finished training came to, for stderr. The wire keeps Odahu's states, so a cancel arrives as `failed`
 * with reason `Cancelled`: it reads as cancelled here. A failure ends with the command that prints its whole log
 * (the status message holds only the tail of its error output).
 */
export function describeOutcome(training: WireModelTraining): string {
  const status = training.status ?? {};
  if (status.state === 'failed' && status.reason === 'Cancelled') {
    return [`training ${training.id} cancelled`, ...(status.message ? [status.message] : [])].join('; ');
  }
  const parts = [`training ${training.id} ${status.state ?? 'unknown'}`];
  if (status.reason && status.state !== 'succeeded') parts.push(`reason: ${status.reason}`);
  if (typeof status.exitCode === 'number') parts.push(`exit code ${status.exitCode}`);
  if (status.message) parts.push(status.message);
  const artifact = status.artifacts?.[0]?.artifactName;
  if (artifact) parts.push(`artifact ${artifact}`);
  const line = parts.join('; ');
  if (status.state !== 'failed') return line;
  const runId = status['runId'];
  const run = typeof runId === 'string' && runId !== '' ? ` --run ${runId}` : '';
  return `${line}\nthe whole log: gangplank train logs --id ${training.id}${run}`;
}
