/**
 * What the exporter records into a run's history, and how one recorder event becomes the points the history
 * endpoint takes (`POST …/runs/{runId}/history`). Pure.
 *
 * Steps: an epoch's values are at step `epoch + 1` (so the first epoch is step 1, as `epochs_count` counts it);
 * batch samples are series of their own, `batch_<key>`, stepped by the batch number counted over the training;
 * test results are at the number of epochs trained when the test ended (0 without a training). A point is
 * identified by (phase, name, step): the server keeps the first and ignores repeats.
 */
import type { Phase } from '../training/catalogue.js';

/** Bucket of a cumulative histogram; the last is `+Inf`. */
export interface HistoryBucket {
  le: number | '+Inf';
  count: number;
}

/** One point on the wire (and one line of `history.jsonl`). */
export type HistoryPoint =
  | { phase: Phase; name: string; step: number; time: number; value: number | string }
  | {
      phase: Phase;
      name: string;
      kind: 'histogram';
      step: number;
      time: number;
      buckets: HistoryBucket[];
      sum: number;
      count: number;
    };

/** A weights histogram as the recorder holds it: per-bucket (not cumulative) counts, one more than bounds. */
export interface RecordedHistogram {
  bounds: readonly number[];
  counts: ArrayLike<number>;
  sum: number;
  count: number;
}

/** What the recorder tells the history about, the moment it records it. */
export type RecordEvent =
  | { type: 'epoch'; epoch: number; values: Readonly<Record<string, number>> }
  | { type: 'batch'; batch: number; values: Readonly<Record<string, number>> }
  | { type: 'test'; step: number; values: Readonly<Record<string, number>> }
  | { type: 'weights'; phase: Phase; step: number; histogram: RecordedHistogram };

/** The name of the weights histogram series (`gangplank_<phase>_model_weights`). */
export const WEIGHTS_SERIES = 'model_weights';

/** JSON has no NaN or Infinity: they travel as the strings the server reads back (`"NaN"`, `"-Infinity"`). */
function wireValue(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

function cumulative(h: RecordedHistogram): HistoryBucket[] {
  const buckets: HistoryBucket[] = [];
  let running = 0;
  for (let i = 0; i < h.counts.length; i++) {
    running += h.counts[i] ?? 0;
    buckets.push({ le: i < h.bounds.length ? h.bounds[i]! : '+Inf', count: running });
  }
  return buckets;
}

/** The points of one event, stamped `timeSeconds` (Unix seconds). */
export function eventPoints(event: RecordEvent, timeSeconds: number): HistoryPoint[] {
  const scalars = (phase: Phase, step: number, values: Readonly<Record<string, number>>, prefix = '') =>
    Object.entries(values).map(([name, value]) => ({
      phase,
      name: `${prefix}${name}`,
      step,
      time: timeSeconds,
      value: wireValue(value),
    }));
  switch (event.type) {
    case 'epoch':
      return scalars('train', event.epoch + 1, event.values);
    case 'batch':
      return scalars('train', event.batch, event.values, 'batch_');
    case 'test':
      return scalars('test', event.step, event.values);
    case 'weights':
      return [
        {
          phase: event.phase,
          name: WEIGHTS_SERIES,
          kind: 'histogram',
          step: event.step,
          time: timeSeconds,
          buckets: cumulative(event.histogram),
          sum: Number.isFinite(event.histogram.sum) ? event.histogram.sum : 0,
          count: event.histogram.count,
        },
      ];
  }
}
