/**
 * Until a server records run history, the run page still draws what Prometheus (or the Pushgateway) holds, from
 * `GET …/training/{id}/metrics`: samples on a time axis, not epochs. This turns that answer into history series:
 * prefix dropped, histogram parts and labelled breakdowns left out. Pure.
 */
import type { ScalarSeries } from './history.js';

export interface MetricsAnswer {
  source: 'prometheus' | 'pushgateway' | 'none';
  series: { name: string; labels: Record<string, string>; points: [number, number][] }[];
  warning?: string;
}

const RUN_LABELS = new Set(['job', 'instance', 'training', 'run_id']);

export function seriesFromMetrics(answer: MetricsAnswer): ScalarSeries[] {
  return answer.series
    .filter(
      (s) => !/_(bucket|sum|count)$/.test(s.name) && Object.keys(s.labels).every((l) => RUN_LABELS.has(l)),
    )
    .map((s) => ({
      name: s.name.replace(/^gangplank_train_/, ''),
      phase: 'train',
      // The sample number stands in for a step; the view offers only time axes for these.
      points: s.points.map(([time, value], i) => ({ step: i + 1, time, value })),
    }));
}
