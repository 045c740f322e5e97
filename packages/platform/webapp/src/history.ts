/**
 * The run-history wire shapes (`GET …/training/{id}/runs/{runId}/history` and `GET …/training-history?runs=`),
 * coded against the agreed contract while the server side is built, and the pure helpers the views share.
 */
import type { Bucket } from './distribution.js';

export type Phase = 'train' | 'test';

export interface ScalarPoint {
  step: number;
  /** Unix seconds. */
  time: number;
  value: number;
}

export interface HistogramPoint {
  step: number;
  time: number;
  /** Cumulative, the last one `le: "+Inf"`. */
  buckets: Bucket[];
  sum: number;
  count: number;
}

export interface ScalarSeries {
  name: string;
  phase: Phase;
  kind?: 'scalar';
  points: ScalarPoint[];
}

export interface HistogramSeries {
  name: string;
  phase: Phase;
  kind: 'histogram';
  points: HistogramPoint[];
}

export type Series = ScalarSeries | HistogramSeries;

export interface RunHistory {
  series: Series[];
}

export interface RunsHistory {
  /** The runs asked for that exist, in the order asked. */
  runs: { id: string; runId: string; series: Series[] }[];
  /** The runs asked for that do not (deleted): the others are still answered. */
  missing: { id: string; runId: string }[];
}

export function isHistogram(series: Series): series is HistogramSeries {
  return series.kind === 'histogram';
}

export function scalars(history: RunHistory): ScalarSeries[] {
  return history.series.filter((s): s is ScalarSeries => !isHistogram(s));
}

export function histograms(history: RunHistory): HistogramSeries[] {
  return history.series.filter(isHistogram);
}

/**
 * Names that are bookkeeping, not curves: timestamps, one-hot status, targets and counts of epochs. The history
 * holds what the training recorded, so these should be rare; the filter keeps them out of the charts if they come.
 */
const NOT_A_CURVE =
  /(^|_)(timestamp|timestamp_seconds|status|target|target_epochs|epochs_total|epoch_count)$/;

export function isCurve(name: string): boolean {
  return !NOT_A_CURVE.test(name) && !/_timestamp_/.test(name);
}

/** Charts group a metric with its validation twin: `loss` and `val_loss` share `loss`. */
export function chartKey(series: { name: string; phase: Phase }): string {
  const base = series.name.replace(/^val_/, '');
  return series.phase === 'test' ? `test: ${base}` : base;
}

/** The label of a series inside its chart. */
export function seriesLabel(series: { name: string; phase: Phase }): string {
  return series.phase === 'test' ? `test ${series.name}` : series.name;
}

export interface Summary {
  min: number;
  max: number;
  last: number;
  /** Step of the last point. */
  lastStep: number;
}

/** Min, max and last finite value of a series (by step), or undefined when it has none. */
export function summarize(points: readonly ScalarPoint[]): Summary | undefined {
  let summary: Summary | undefined;
  const ordered = points.slice().sort((a, b) => a.step - b.step || a.time - b.time);
  for (const p of ordered) {
    if (!Number.isFinite(p.value)) continue;
    if (!summary) summary = { min: p.value, max: p.value, last: p.value, lastStep: p.step };
    else {
      summary.min = Math.min(summary.min, p.value);
      summary.max = Math.max(summary.max, p.value);
      summary.last = p.value;
      summary.lastStep = p.step;
    }
  }
  return summary;
}

/** The key of a metric across runs: `train/loss`, `test/accuracy`. */
export function metricKey(series: { name: string; phase: Phase }): string {
  return `${series.phase}/${series.name}`;
}
