/**
 * Reads a run's training metrics (epoch, loss, accuracy) from the Pushgateway's `/api/v1/metrics` or from
 * Prometheus, for the live progress line. Parsing is pure; the two readers are thin fetches.
 */

export interface MetricPoint {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Which series belong to the run: any label equal to the run id (the platform groups a run's pushes under
 * `run_id`), else a `training` label or a `job` equal to the given names.
 */
export interface RunMatch {
  runId?: string;
  job?: string;
  training?: string;
}

/** What the progress line shows from metrics. */
export interface RunMetrics {
  epoch?: number;
  epochs?: number;
  loss?: number;
  accuracy?: number;
}

/** Metric names, first found wins: Python Gangplank 0.5's names and TF.js' `acc` log key. */
export const PROGRESS_METRICS = {
  epoch: ['gangplank_train_epochs_count'],
  epochs: ['gangplank_train_epochs_target', 'gangplank_train_target_epochs', 'gangplank_train_epochs_total'],
  loss: ['gangplank_train_loss'],
  accuracy: ['gangplank_train_accuracy', 'gangplank_train_acc'],
} as const;

interface GatewayFamily {
  metrics?: { labels?: Record<string, string>; value?: string }[];
}

/** Flattens the Pushgateway's `/api/v1/metrics` answer into points (group labels merged into each point). */
export function pointsFromGateway(body: unknown): MetricPoint[] {
  const groups = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(groups)) return [];
  const out: MetricPoint[] = [];
  for (const group of groups as Record<string, unknown>[]) {
    const groupLabels = (group['labels'] ?? {}) as Record<string, string>;
    for (const [name, family] of Object.entries(group)) {
      if (
        name === 'labels' ||
        name === 'last_push_successful' ||
        typeof family !== 'object' ||
        family === null
      )
        continue;
      for (const m of (family as GatewayFamily).metrics ?? []) {
        const value = Number(m.value);
        if (m.value === undefined || !Number.isFinite(value)) continue;
        out.push({ name, labels: { ...groupLabels, ...(m.labels ?? {}) }, value });
      }
    }
  }
  return out;
}

/** Reads Prometheus' instant-query answer (`data.result[].metric.__name__`) into points. */
export function pointsFromPrometheus(body: unknown): MetricPoint[] {
  const result = (body as { data?: { result?: unknown } } | null)?.data?.result;
  if (!Array.isArray(result)) return [];
  const out: MetricPoint[] = [];
  for (const sample of result as { metric?: Record<string, string>; value?: [number, string] }[]) {
    const { __name__: name, ...labels } = sample.metric ?? {};
    const value = Number(sample.value?.[1]);
    if (name && Number.isFinite(value)) out.push({ name, labels, value });
  }
  return out;
}

/** Picks the run's series and reads the progress fields from them. */
export function runMetrics(points: readonly MetricPoint[], match: RunMatch): RunMetrics {
  const byRun = match.runId ? points.filter((p) => Object.values(p.labels).includes(match.runId!)) : [];
  const mine =
    byRun.length > 0
      ? byRun
      : points.filter(
          (p) =>
            (match.training !== undefined && p.labels['training'] === match.training) ||
            (match.job !== undefined && p.labels['job'] === match.job),
        );
  const pick = (names: readonly string[]): number | undefined => {
    for (const name of names) {
      const found = mine.find((p) => p.name === name);
      if (found) return found.value;
    }
    return undefined;
  };
  return {
    epoch: pick(PROGRESS_METRICS.epoch),
    epochs: pick(PROGRESS_METRICS.epochs),
    loss: pick(PROGRESS_METRICS.loss),
    accuracy: pick(PROGRESS_METRICS.accuracy),
  };
}

/** Source of progress metrics; failures read as "no metrics" (progress must never break a wait). */
export type MetricsReader = (match: RunMatch) => Promise<RunMetrics>;

export function gatewayReader(url: string, fetchImpl: typeof fetch = fetch): MetricsReader {
  return async (match) => {
    try {
      const res = await fetchImpl(`${url.replace(/\/+$/, '')}/api/v1/metrics`, {
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) return {};
      return runMetrics(pointsFromGateway(await res.json()), match);
    } catch {
      return {};
    }
  };
}

export function prometheusReader(url: string, fetchImpl: typeof fetch = fetch): MetricsReader {
  const names = Object.values(PROGRESS_METRICS).flat().join('|');
  return async (match) => {
    const selector = match.job
      ? `{__name__=~"${names}",job="${match.job.replace(/["\\]/g, '\\$&')}"}`
      : `{__name__=~"${names}"}`;
    try {
      const res = await fetchImpl(
        `${url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(selector)}`,
        {
          signal: AbortSignal.timeout(5000),
        },
      );
      if (!res.ok) return {};
      return runMetrics(pointsFromPrometheus(await res.json()), match);
    } catch {
      return {};
    }
  };
}
