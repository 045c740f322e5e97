/**
 * Progress from the server's run history (`GET …/runs/{runId}/history`): the last epoch with its loss and accuracy.
 * Needs no Pushgateway or Prometheus address. Pure, apart from the reader's one request.
 */
import type { GangplankClient } from '../client/index.js';
import type { HistorySeries } from '../domain/history.js';
import type { MetricsReader, RunMetrics } from './progress-metrics.js';

function last(
  series: readonly HistorySeries[],
  names: readonly string[],
): { step: number; value: number } | undefined {
  for (const name of names) {
    const s = series.find((x) => x.phase === 'train' && x.name === name && x.kind !== 'histogram');
    const point = s?.points[s.points.length - 1];
    if (point && 'value' in point && typeof point.value === 'number')
      return { step: point.step, value: point.value };
  }
  return undefined;
}

/** What the progress line shows, from a run's history series. */
export function metricsFromHistory(series: readonly HistorySeries[]): RunMetrics {
  const out: RunMetrics = {};
  const loss = last(series, ['loss']);
  const accuracy = last(series, ['accuracy', 'acc']);
  let epoch = 0;
  for (const s of series) {
    if (s.phase !== 'train' || s.name.startsWith('batch_')) continue;
    const step = s.points[s.points.length - 1]?.step ?? 0;
    if (step > epoch) epoch = step;
  }
  if (epoch > 0) out.epoch = epoch;
  if (loss) out.loss = loss.value;
  if (accuracy) out.accuracy = accuracy.value;
  return out;
}

/** Reads a training's run history; `fallback` (a Pushgateway or Prometheus reader) when it has nothing yet. */
export function historyReader(
  client: GangplankClient,
  trainingId: string,
  fallback?: MetricsReader,
): MetricsReader {
  return async (match) => {
    let metrics: RunMetrics = {};
    if (match.runId) {
      try {
        metrics = metricsFromHistory((await client.trainings.history(trainingId, match.runId)).series);
      } catch {
        // An older or Odahu server has no history route.
      }
    }
    if (metrics.epoch === undefined && fallback) return fallback(match);
    return metrics;
  };
}
