import { describe, expect, it } from 'vitest';
import { metricColumns, metricLabel, paramRows } from '../../webapp/src/compare-model.js';
import type { ScalarSeries } from '../../webapp/src/history.js';

const series = (name: string, values: number[], phase: 'train' | 'test' = 'train'): ScalarSeries => ({
  name,
  phase,
  points: values.map((value, i) => ({ step: i + 1, time: 1733090000 + i, value })),
});

describe('compare model', () => {
  it('marks the hyperparameters that differ, a missing one counting as different', () => {
    const rows = paramRows([{ lr: '0.1', epochs: '3' }, { lr: '0.2', epochs: '3' }, { epochs: '3' }]);
    expect(rows).toEqual([
      { name: 'epochs', values: ['3', '3', '3'], differs: false },
      { name: 'lr', values: ['0.1', '0.2', undefined], differs: true },
    ]);
  });

  it("gives each metric's min, max and last per run, losses first, bookkeeping left out", () => {
    const columns = metricColumns([
      [
        series('accuracy', [0.5, 0.9, 0.8]),
        series('loss', [1, 0.2, 0.3]),
        series('start_timestamp_seconds', [1]),
      ],
      [series('loss', [2, 1]), series('accuracy', [0.7], 'test')],
    ]);
    expect(columns.map((c) => c.key)).toEqual(['train/loss', 'test/accuracy', 'train/accuracy']);
    expect(columns[0]?.summaries).toEqual([
      { min: 0.2, max: 1, last: 0.3, lastStep: 3 },
      { min: 1, max: 2, last: 1, lastStep: 2 },
    ]);
    expect(columns[1]?.summaries[0]).toBeUndefined();
    expect(metricLabel('train/val_loss')).toBe('val_loss');
    expect(metricLabel('test/accuracy')).toBe('test accuracy');
  });
});
