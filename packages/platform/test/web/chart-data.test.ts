import { describe, expect, it } from 'vitest';
import { alignLines, lineColumns } from '../../webapp/src/chart-data.js';
import { chartGroups } from '../../webapp/src/chart-groups.js';
import type { ScalarSeries } from '../../webapp/src/history.js';
import { seriesFromMetrics } from '../../webapp/src/metrics-fallback.js';

const T0 = 1733090000;
const series = (name: string, values: number[], phase: 'train' | 'test' = 'train'): ScalarSeries => ({
  name,
  phase,
  points: values.map((value, i) => ({ step: i + 1, time: T0 + 10 * i, value })),
});
const raw = { x: 'step', log: false, smoothing: 0 } as const;

describe('chart data', () => {
  it('puts each point at its step, wall time or time since the origin', () => {
    const line = { label: 'loss', points: series('loss', [3, 2, 1]).points };
    expect(lineColumns(line, raw)).toEqual([
      [1, 2, 3],
      [3, 2, 1],
    ]);
    expect(lineColumns(line, { ...raw, x: 'wall' })[0]).toEqual([T0, T0 + 10, T0 + 20]);
    expect(lineColumns({ ...line, origin: T0 - 5 }, { ...raw, x: 'relative' })[0]).toEqual([5, 15, 25]);
  });

  it('keeps one value per step (the latest recorded), drops what a log axis cannot show, smooths', () => {
    const points = [
      { step: 1, time: T0, value: 0 },
      { step: 2, time: T0 + 1, value: 4 },
      { step: 2, time: T0 + 2, value: 2 },
    ];
    expect(lineColumns({ label: 'x', points }, { ...raw, log: true })).toEqual([
      [1, 2],
      [null, 2],
    ]);
    const smoothed = lineColumns(
      { label: 'x', points: series('x', [10, 0]).points },
      { ...raw, smoothing: 0.6 },
    )[1];
    expect(smoothed[1]).toBeCloseTo(2.4 / 0.64);
  });

  it('aligns lines of different steps on one x column with gaps', () => {
    const [xs, a, b] = alignLines(
      [
        { label: 'loss', points: series('loss', [1, 2, 3]).points },
        { label: 'val_loss', points: [{ step: 2, time: T0, value: 5 }] },
      ],
      raw,
    );
    expect(xs).toEqual([1, 2, 3]);
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([null, 5, null]);
  });

  it('charts a metric with its validation twin, test results apart, no timestamps, status or targets', () => {
    const groups = chartGroups([
      series('accuracy', [1]),
      series('val_loss', [1]),
      series('loss', [1]),
      series('accuracy', [1], 'test'),
      series('learning_rate', [1]),
      series('nonfinite_loss_total', [0]),
      series('start_timestamp_seconds', [T0]),
      series('status', [1]),
      series('target_epochs', [3]),
    ]);
    expect(groups.map((g) => g.title)).toEqual([
      'loss',
      'nonfinite_loss_total',
      'accuracy',
      'test: accuracy',
      'learning_rate',
    ]);
    expect(groups[0]?.lines.map((l) => [l.label, l.dashed])).toEqual([
      ['loss', false],
      ['val_loss', true],
    ]);
  });

  it('reads Prometheus answers as series without the prefix, histogram parts or labelled breakdowns', () => {
    const out = seriesFromMetrics({
      source: 'prometheus',
      series: [
        { name: 'gangplank_train_loss', labels: { job: 'j', training: 't', run_id: 'r' }, points: [[T0, 1]] },
        { name: 'gangplank_train_model_weights_bucket', labels: { le: '0.1' }, points: [[T0, 1]] },
        { name: 'gangplank_train_status', labels: { status: 'running' }, points: [[T0, 1]] },
      ],
    });
    expect(out).toEqual([{ name: 'loss', phase: 'train', points: [{ step: 1, time: T0, value: 1 }] }]);
  });
});
