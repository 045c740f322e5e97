import { describe, expect, it } from 'vitest';
import type { HistorySeries } from '../../src/domain/history.js';
import { historyTable } from '../../src/cli/history-table.js';
import { metricsFromHistory } from '../../src/cli/progress-history.js';

const series: HistorySeries[] = [
  {
    name: 'accuracy',
    phase: 'train',
    points: [1, 2, 3].map((step) => ({ step, time: step, value: step / 4 })),
  },
  { name: 'batch_loss', phase: 'train', points: [{ step: 90, time: 1, value: 0.1 }] },
  { name: 'loss', phase: 'train', points: [1, 2, 3].map((step) => ({ step, time: step, value: 1 / step })) },
  { name: 'loss', phase: 'test', points: [{ step: 3, time: 9, value: 0.3 }] },
];

describe('the CLI from run history', () => {
  it('shows the last epoch, loss and accuracy for --wait, batch steps aside', () => {
    expect(metricsFromHistory(series)).toEqual({ epoch: 3, loss: 1 / 3, accuracy: 0.75 });
    expect(metricsFromHistory([])).toEqual({});
  });

  it('prints one row per phase and step', () => {
    expect(historyTable(series).split('\n')).toEqual([
      'PHASE  STEP  ACCURACY  LOSS',
      'train  1     0.25      1',
      'train  2     0.5       0.5',
      'train  3     0.75      0.333333',
      'test   3               0.3',
    ]);
  });
});
