import { describe, expect, it } from 'vitest';
import type { ModelTraining } from '../../src/domain/types.js';
import {
  columnId,
  filterRows,
  parseColumnId,
  sortRows,
  toRow,
  type Column,
  type Row,
} from '../../webapp/src/list-model.js';

function training(id: string, state: string, params: Record<string, string>, reason?: string): ModelTraining {
  return {
    id,
    createdAt: `2026-12-01T10:00:0${id.length % 10}.000Z`,
    updatedAt: '2026-12-01T10:00:00.000Z',
    spec: {
      model: { name: 'wine', version: id.endsWith('2') ? '2.0' : '1.0' },
      toolchain: id.startsWith('k') ? 'keras' : 'mlflow',
      entrypoint: 'main',
      algorithmSource: {},
      hyperParameters: params,
    },
    status: {
      state: state as ModelTraining['status']['state'],
      runId: `${id}-run`,
      ...(reason ? { reason } : {}),
    },
  };
}

const rows: Row[] = [
  training('a1', 'failed', { lr: '0.1' }, 'Cancelled'),
  training('b2', 'failed', { lr: '0.01' }, 'exit code 1'),
  training('k3', 'running', { lr: '1e-3', batch: '32' }),
].map(toRow);

describe('trainings list model', () => {
  it('tells cancelled runs from failed ones', () => {
    expect(rows.map((r) => r.state)).toEqual(['cancelled', 'failed', 'running']);
    expect(
      filterRows(rows, { state: 'cancelled', toolchain: '', model: '', search: '' }).map((r) => r.id),
    ).toEqual(['a1']);
  });

  it('filters by toolchain, model and id search together', () => {
    const none = { state: '', toolchain: '', model: '', search: '' } as const;
    expect(filterRows(rows, { ...none, toolchain: 'keras' }).map((r) => r.id)).toEqual(['k3']);
    expect(filterRows(rows, { ...none, model: 'wine 2.0' }).map((r) => r.id)).toEqual(['b2']);
    expect(filterRows(rows, { ...none, search: 'B' }).map((r) => r.id)).toEqual(['b2']);
  });

  it('sorts hyperparameters as numbers and metric values, rows without a value last', () => {
    const lr: Column = { kind: 'param', name: 'lr' };
    const batch: Column = { kind: 'param', name: 'batch' };
    const byLr = (descending: boolean): string[] =>
      sortRows(rows, { key: `col:${columnId(lr)}`, descending }, [lr], () => undefined).map((r) => r.id);
    expect(byLr(false)).toEqual(['k3', 'b2', 'a1']);
    expect(byLr(true)).toEqual(['a1', 'b2', 'k3']);
    const byBatch = sortRows(
      rows,
      { key: `col:${columnId(batch)}`, descending: true },
      [batch],
      () => undefined,
    );
    expect(byBatch[0]?.id).toBe('k3');

    const loss: Column = { kind: 'metric', key: 'train/val_loss', aggregate: 'min' };
    const summaries = new Map([
      ['a1-run', new Map([['train/val_loss', { min: 0.3, max: 1, last: 0.4, lastStep: 3 }]])],
      ['k3-run', new Map([['train/val_loss', { min: 0.2, max: 1, last: 0.2, lastStep: 3 }]])],
    ]);
    const sorted = sortRows(rows, { key: `col:${columnId(loss)}`, descending: false }, [loss], (row) =>
      summaries.get(row.runId ?? ''),
    );
    expect(sorted.map((r) => r.id)).toEqual(['k3', 'a1', 'b2']);
  });

  it('round-trips column ids', () => {
    for (const column of [
      { kind: 'param', name: 'a:b' },
      { kind: 'metric', key: 'test/accuracy', aggregate: 'max' },
    ] as Column[])
      expect(parseColumnId(columnId(column))).toEqual(column);
    expect(parseColumnId('metric:x:median')).toBeUndefined();
  });
});
