/**
 * Run history: every point a training records, at full resolution, kept with its run. A point is identified by
 * (run, phase, name, step): recording it again changes nothing, so a client may retry a batch freely. Pure.
 *
 * Names are the metric names without the `gangplank_train_` / `gangplank_test_` prefix (`loss`, `val_accuracy`,
 * `learning_rate`). Batch samples have series of their own, named `batch_<key>` as their gauges are
 * (`gangplank_train_batch_loss` → `batch_loss`), whose step is the batch number counted over the whole training,
 * so an epoch series and a batch series never share a step axis.
 */

export type HistoryPhase = 'train' | 'test';

/** A cumulative histogram bucket: `count` observations ≤ `le`. The last bucket is `+Inf`. */
export interface HistoryBucket {
  le: number | '+Inf';
  count: number;
}

interface PointBase {
  /** Epoch (or batch number for `batch_*` series), ≥ 0. */
  step: number;
  /** Seconds since the Unix epoch, with a fraction. */
  time: number;
}

export interface ScalarPoint extends PointBase {
  /** NaN and ±Infinity are kept (a diverging loss is worth seeing). */
  value: number;
}

export interface HistogramPoint extends PointBase {
  buckets: HistoryBucket[];
  sum: number;
  count: number;
}

export type HistoryPointValue = ScalarPoint | HistogramPoint;

/** One recorded point as a client sends it. */
export type RecordedPoint =
  | ({ phase: HistoryPhase; name: string; kind?: 'scalar' } & ScalarPoint)
  | ({ phase: HistoryPhase; name: string; kind: 'histogram' } & HistogramPoint);

export interface ScalarSeries {
  name: string;
  phase: HistoryPhase;
  kind?: 'scalar';
  points: ScalarPoint[];
}

export interface HistogramSeries {
  name: string;
  phase: HistoryPhase;
  kind: 'histogram';
  points: HistogramPoint[];
}

export type HistorySeries = ScalarSeries | HistogramSeries;

/** Points a run may hold; past it, recording answers 413 and stores nothing of the batch. */
export const MAX_HISTORY_POINTS_PER_RUN = 200_000;
/** Points one request may carry. */
export const MAX_HISTORY_BATCH = 10_000;
/** Runs one multi-run history request may name. */
export const MAX_HISTORY_RUNS = 50;

export function isHistogramPoint(
  point: RecordedPoint,
): point is Extract<RecordedPoint, { kind: 'histogram' }> {
  return point.kind === 'histogram';
}

/** Problems of a batch beyond what the request schema checks (one text per problem, empty when fine). */
export function recordedPointProblems(points: readonly RecordedPoint[]): string[] {
  const problems: string[] = [];
  points.forEach((point, i) => {
    if (!Number.isSafeInteger(point.step) || point.step < 0) {
      problems.push(`points[${i}].step must be a whole number ≥ 0`);
    }
    if (!Number.isFinite(point.time) || point.time < 0) {
      problems.push(`points[${i}].time must be seconds since the Unix epoch`);
    }
    if (!isHistogramPoint(point)) return;
    const buckets = point.buckets;
    const last = buckets[buckets.length - 1];
    if (!last || last.le !== '+Inf') problems.push(`points[${i}].buckets must end with le "+Inf"`);
    for (let b = 1; b < buckets.length; b++) {
      const previous = buckets[b - 1]!;
      const bucket = buckets[b]!;
      const ordered = bucket.le === '+Inf' || (previous.le !== '+Inf' && bucket.le > previous.le);
      if (!ordered || bucket.count < previous.count) {
        problems.push(`points[${i}].buckets must be cumulative with increasing le`);
        break;
      }
    }
  });
  return problems;
}

/**
 * Groups points (in any order) into series ordered by phase, then name; each series' points by step. A name that
 * holds scalar and histogram points alike (a client error) gives one series of each kind.
 */
export function groupHistory(
  points: readonly ({ phase: HistoryPhase; name: string } & HistoryPointValue)[],
): HistorySeries[] {
  const series = new Map<string, HistorySeries>();
  for (const point of points) {
    const histogram = 'buckets' in point;
    const key = `${point.phase}\u0000${point.name}\u0000${histogram ? 'h' : 's'}`;
    let entry = series.get(key);
    if (!entry) {
      entry = histogram
        ? { name: point.name, phase: point.phase, kind: 'histogram', points: [] }
        : { name: point.name, phase: point.phase, points: [] };
      series.set(key, entry);
    }
    const { phase: _phase, name: _name, ...value } = point;
    (entry.points as HistoryPointValue[]).push(value);
  }
  const sorted = [...series.values()].sort(
    (a, b) =>
      a.phase.localeCompare(b.phase) ||
      a.name.localeCompare(b.name) ||
      (a.kind ?? 'scalar').localeCompare(b.kind ?? 'scalar'),
  );
  for (const s of sorted) (s.points as HistoryPointValue[]).sort((a, b) => a.step - b.step);
  return sorted;
}
