/**
 * The metric catalogue: names, HELP texts and types of everything the exporter pushes, built from a plain state
 * object. Names and HELP texts of the Gangplank 0.5 metrics are kept exactly (reference §2), so its dashboards and
 * alert rules keep working; the rest is ours.
 */
import { histogramFamily, type HistogramData } from './histogram.js';
import type { MetricFamily } from './exposition.js';
import { snakeCase } from '../names.js';

/** The name segment for a log key: snake_case, valid after a metric prefix (`top-5 acc` → `top_5_acc`). */
export function keySegment(key: string): string {
  const s = snakeCase(key) || 'unnamed';
  // promtool reserves these suffixes for histograms and summaries; a gauge named so fails its lint.
  return /(^|_)(count|sum|bucket)$/.test(s) ? `${s}_value` : s;
}

export type Phase = 'train' | 'test';
export type RunStatus = 'running' | 'succeeded' | 'failed';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed'];

/** Exact Gangplank 0.5 HELP texts. */
export const GANGPLANK_HELP = {
  parameters: 'The number of trainable and non-trainable model weights',
  epochs: 'The number of completed training epochs',
  trainElapsed: 'The amount of time spent training the model',
  testElapsed: 'The amount of time spent testing the model',
  weights: 'model trainable weights',
} as const;

/** Everything one phase's group holds; `undefined` fields are not pushed. */
export interface PhaseState {
  phase: Phase;
  /** Log values by raw key (e.g. `loss`, `val_acc`, `learning_rate`). */
  logs: Map<string, number>;
  parametersCount?: number;
  /** `epoch + 1` of the last finished epoch (absolute under `initialEpoch`, as in Gangplank 0.5). */
  epochsCount?: number;
  elapsedSeconds?: number;
  weights?: HistogramData;
  epochDurationSeconds?: number;
  samplesPerSecond?: number;
  targetEpochs?: number;
  nonFiniteLoss: number;
  startTimestampSeconds?: number;
  endTimestampSeconds?: number;
  status?: RunStatus;
  /** Last sampled batch's log values by raw key (only with batch metrics on). */
  batchLogs: Map<string, number>;
  batches: number;
  batchMetrics: boolean;
  pushFailures: number;
  lastPushSuccessSeconds: number;
}

export function newPhaseState(phase: Phase, batchMetrics = false): PhaseState {
  return {
    phase,
    logs: new Map(),
    nonFiniteLoss: 0,
    batchLogs: new Map(),
    batches: 0,
    batchMetrics,
    pushFailures: 0,
    lastPushSuccessSeconds: 0,
  };
}

const single = (type: 'gauge' | 'counter', name: string, help: string, value: number): MetricFamily => ({
  name,
  help,
  type,
  samples: [{ value }],
});
const gauge = (name: string, help: string, value: number): MetricFamily => single('gauge', name, help, value);

/** Renders the families of one phase. User keys whose sanitised name is taken by a built-in are returned in `skipped`. */
export function phaseFamilies(s: PhaseState): { families: MetricFamily[]; skipped: string[] } {
  const p = `gangplank_${s.phase}`;
  const what = s.phase === 'train' ? 'training' : 'test';
  const builtins: MetricFamily[] = [];
  // A gauge the state has no value for yet is left out, not sent as 0.
  const gaugeIfSet = (name: string, help: string, value: number | undefined): void => {
    if (value !== undefined) builtins.push(gauge(name, help, value));
  };
  gaugeIfSet(`${p}_model_parameters_count`, GANGPLANK_HELP.parameters, s.parametersCount);
  if (s.phase === 'train') gaugeIfSet(`${p}_epochs_count`, GANGPLANK_HELP.epochs, s.epochsCount);
  gaugeIfSet(
    `${p}_elapsed_time_seconds`,
    s.phase === 'train' ? GANGPLANK_HELP.trainElapsed : GANGPLANK_HELP.testElapsed,
    s.elapsedSeconds,
  );
  if (s.weights) builtins.push(histogramFamily(`${p}_model_weights`, GANGPLANK_HELP.weights, s.weights));
  gaugeIfSet(
    `${p}_epoch_duration_seconds`,
    'Duration of the last completed training epoch, validation included',
    s.epochDurationSeconds,
  );
  gaugeIfSet(
    `${p}_samples_per_second`,
    'Training samples processed per second in the last completed epoch',
    s.samplesPerSecond,
  );
  if (s.targetEpochs !== undefined) {
    gaugeIfSet(`${p}_target_epochs`, 'The epoch count the training is set to reach', s.targetEpochs);
    if (s.epochsCount !== undefined && s.targetEpochs > 0) {
      gaugeIfSet(
        `${p}_progress_ratio`,
        'Completed epochs divided by the target epochs',
        Math.min(1, s.epochsCount / s.targetEpochs),
      );
    }
  }
  if (s.phase === 'train') {
    builtins.push(
      single(
        'counter',
        `${p}_nonfinite_loss_total`,
        'Epoch and batch ends that reported a NaN or infinite loss',
        s.nonFiniteLoss,
      ),
    );
  }
  if (s.batchMetrics && s.phase === 'train') {
    builtins.push(
      single('counter', `${p}_batches_total`, 'Training batches completed in this run', s.batches),
    );
  }
  gaugeIfSet(
    `${p}_start_timestamp_seconds`,
    `Unix time at which the ${what} started`,
    s.startTimestampSeconds,
  );
  gaugeIfSet(`${p}_end_timestamp_seconds`, `Unix time at which the ${what} ended`, s.endTimestampSeconds);
  if (s.status !== undefined) {
    builtins.push({
      name: `${p}_status`,
      help: `State of the ${what}: 1 for the current one of running, succeeded, failed`,
      type: 'gauge',
      samples: RUN_STATUSES.map((st) => ({ labels: { state: st }, value: st === s.status ? 1 : 0 })),
    });
  }
  builtins.push(
    single(
      'counter',
      'gangplank_exporter_push_failures_total',
      'Pushes of this group that failed after their retries',
      s.pushFailures,
    ),
  );
  builtins.push(
    gauge(
      'gangplank_exporter_last_push_success_timestamp_seconds',
      'Unix time of the last successful push of this group (0 before the first)',
      s.lastPushSuccessSeconds,
    ),
  );

  // Names (and histogram sample names) a user key must not take.
  const taken = new Set<string>();
  for (const f of builtins) {
    taken.add(f.name);
    if (f.type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) taken.add(f.name + suffix);
  }
  // Reserve the batch prefix's built-in too, so `batches_total` can never clash.
  taken.add(`${p}_batches_total`);
  taken.add(`${p}_model_weights`);
  const skipped: string[] = [];
  const user: MetricFamily[] = [];
  const addUser = (name: string, help: string, value: number, rawKey: string): void => {
    if (taken.has(name)) {
      skipped.push(rawKey);
      return;
    }
    taken.add(name);
    user.push(gauge(name, help, value));
  };
  for (const [key, value] of s.logs) addUser(`${p}_${keySegment(key)}`, key, value, key);
  for (const [key, value] of s.batchLogs)
    addUser(
      `${p}_batch_${keySegment(key)}`,
      `${key} of the last sampled training batch`,
      value,
      `batch:${key}`,
    );
  return { families: [...user, ...builtins], skipped };
}
