/**
 * The trainings list as data: one row per training (its latest run), the user's filters, sort and extra columns
 * (hyperparameters, and a metric's last, min or max value of the latest run). Pure; the view draws it.
 */
import type { ModelTraining } from '../../src/domain/types.js';
import { displayState, type DisplayState } from './display-state.js';
import type { Summary } from './history.js';

export type Aggregate = 'last' | 'min' | 'max';

export type Column = { kind: 'param'; name: string } | { kind: 'metric'; key: string; aggregate: Aggregate };

export interface Row {
  id: string;
  model: string;
  toolchain: string;
  state: DisplayState;
  createdAt: string;
  exitCode: number | undefined;
  runId: string | undefined;
  params: Record<string, string>;
}

export interface Filters {
  state: DisplayState | '';
  toolchain: string;
  model: string;
  /** Substring of the id, case-insensitive. */
  search: string;
}

export type SortKey = 'id' | 'model' | 'toolchain' | 'state' | 'created' | 'exitCode' | `col:${string}`;

export interface Sort {
  key: SortKey;
  descending: boolean;
}

export function toRow(training: ModelTraining): Row {
  const spec = training.spec;
  return {
    id: training.id,
    model: spec.model ? `${spec.model.name} ${spec.model.version}` : '',
    toolchain: spec.toolchain ?? '',
    state: displayState(training.status?.state, training.status?.reason),
    createdAt: training.createdAt,
    exitCode: training.status?.exitCode ?? undefined,
    runId: training.status?.runId,
    params: spec.hyperParameters ?? {},
  };
}

export function columnId(column: Column): string {
  return column.kind === 'param' ? `param:${column.name}` : `metric:${column.key}:${column.aggregate}`;
}

export function columnTitle(column: Column): string {
  if (column.kind === 'param') return column.name;
  const name = column.key.startsWith('train/')
    ? column.key.slice('train/'.length)
    : column.key.replace('/', ' ');
  return `${name} (${column.aggregate})`;
}

export function parseColumnId(id: string): Column | undefined {
  const param = /^param:(.+)$/.exec(id);
  if (param?.[1]) return { kind: 'param', name: param[1] };
  const metric = /^metric:(.+):(last|min|max)$/.exec(id);
  if (metric?.[1] && metric[2]) return { kind: 'metric', key: metric[1], aggregate: metric[2] as Aggregate };
  return undefined;
}

export function filterRows(rows: readonly Row[], filters: Filters): Row[] {
  const search = filters.search.trim().toLowerCase();
  return rows.filter(
    (row) =>
      (!filters.state || row.state === filters.state) &&
      (!filters.toolchain || row.toolchain === filters.toolchain) &&
      (!filters.model || row.model === filters.model) &&
      (!search || row.id.toLowerCase().includes(search)),
  );
}

/** Summaries of a run's metrics by metric key (`train/val_loss`). */
export type MetricSummaries = ReadonlyMap<string, Summary>;

export function cellValue(
  row: Row,
  column: Column,
  metrics: MetricSummaries | undefined,
): string | number | undefined {
  if (column.kind === 'param') return row.params[column.name];
  return metrics?.get(column.key)?.[column.aggregate];
}

type Value = string | number | undefined;

function compare(a: Value, b: Value): number {
  if (a === undefined || a === '') return b === undefined || b === '' ? 0 : 1;
  if (b === undefined || b === '') return -1;
  const x = typeof a === 'number' ? a : Number(a);
  const y = typeof b === 'number' ? b : Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return String(a).localeCompare(String(b));
}

/** Sorted copy; rows without a value go last in both directions. */
export function sortRows(
  rows: readonly Row[],
  sort: Sort,
  columns: readonly Column[],
  metricsOf: (row: Row) => MetricSummaries | undefined,
): Row[] {
  const column = sort.key.startsWith('col:')
    ? columns.find((c) => `col:${columnId(c)}` === sort.key)
    : undefined;
  const value = (row: Row): Value => {
    if (column) return cellValue(row, column, metricsOf(row));
    switch (sort.key) {
      case 'model':
        return row.model;
      case 'toolchain':
        return row.toolchain;
      case 'state':
        return row.state;
      case 'created':
        return row.createdAt;
      case 'exitCode':
        return row.exitCode;
      default:
        return row.id;
    }
  };
  const keyed = rows.map((row) => ({ row, value: value(row) }));
  keyed.sort((a, b) => {
    const empty = (v: Value): boolean => v === undefined || v === '';
    if (empty(a.value) || empty(b.value)) return compare(a.value, b.value);
    const order = compare(a.value, b.value);
    return sort.descending ? -order : order;
  });
  return keyed.map((k) => k.row);
}

/** The distinct values of a field, sorted, for a filter's choices. */
export function choices(rows: readonly Row[], field: 'toolchain' | 'model'): string[] {
  return [...new Set(rows.map((r) => r[field]).filter((v) => v !== ''))].sort();
}

/** Every hyperparameter name of the rows, sorted. */
export function paramNames(rows: readonly Row[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
}
