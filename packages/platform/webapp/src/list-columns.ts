/**
 * The list's extra columns: which ones the user picked (kept in localStorage) and the picker that adds and removes
 * hyperparameter and metric columns.
 */
import { metricLabel } from './compare-model.js';
import { fill, h } from './dom.js';
import {
  columnId,
  columnTitle,
  paramNames,
  parseColumnId,
  type Aggregate,
  type Column,
  type Row,
} from './list-model.js';

const COLUMNS_KEY = 'gangplank.columns';

export function savedColumns(): Column[] {
  try {
    const ids = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? '[]') as unknown;
    return Array.isArray(ids)
      ? ids
          .map((id) => (typeof id === 'string' ? parseColumnId(id) : undefined))
          .filter((c) => c !== undefined)
      : [];
  } catch {
    return [];
  }
}

export function saveColumns(columns: readonly Column[]): void {
  localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns.map(columnId)));
}

export interface PickerInput {
  rows: readonly Row[];
  columns: readonly Column[];
  /** Metric keys the runs on screen recorded. */
  metricNames: ReadonlySet<string>;
  /** Why metric columns cannot be offered (empty when they can). */
  historyNote: string;
  /** Called with the new column list (already saved). */
  onChange: (columns: Column[]) => void;
}

/** Fills `box` with the picker (hyperparameters as checkboxes, metrics as metric × aggregate). */
export function drawColumnsPicker(box: HTMLElement, input: PickerInput): void {
  const { columns } = input;
  const change = (next: Column[]): void => {
    saveColumns(next);
    input.onChange(next);
  };
  const chosen = new Set(columns.map(columnId));
  const params = paramNames(input.rows).map((name) => {
    const column: Column = { kind: 'param', name };
    const check = h('input', {
      attrs: { type: 'checkbox', 'aria-label': `column ${name}` },
      on: {
        change: (event) => {
          const on = (event.target as HTMLInputElement).checked;
          change(on ? [...columns, column] : columns.filter((c) => columnId(c) !== columnId(column)));
        },
      },
    });
    check.checked = chosen.has(columnId(column));
    return h('label', {}, check, ` ${name}`);
  });
  const names = [...input.metricNames].sort();
  const metric = h(
    'select',
    { attrs: { id: 'metric-column', 'aria-label': 'metric' } },
    ...names.map((n) => h('option', { attrs: { value: n } }, metricLabel(n))),
  );
  const aggregate = h(
    'select',
    { attrs: { id: 'metric-aggregate', 'aria-label': 'value' } },
    ...(['last', 'min', 'max'] as const).map((a) => h('option', { attrs: { value: a } }, a)),
  );
  const add = h(
    'button',
    {
      attrs: { type: 'button', id: 'add-metric-column' },
      on: {
        click: () => {
          const column: Column = {
            kind: 'metric',
            key: metric.value,
            aggregate: aggregate.value as Aggregate,
          };
          if (!metric.value || chosen.has(columnId(column))) return;
          change([...columns, column]);
        },
      },
    },
    'Add column',
  );
  add.disabled = names.length === 0;
  const metricColumns = columns
    .filter((c) => c.kind === 'metric')
    .map((c) =>
      h(
        'button',
        {
          attrs: { type: 'button', title: 'remove this column' },
          on: { click: () => change(columns.filter((other) => columnId(other) !== columnId(c))) },
        },
        `${columnTitle(c)} ×`,
      ),
    );
  fill(
    box,
    h(
      'div',
      { class: 'columns-picker', attrs: { id: 'columns-picker' } },
      h(
        'fieldset',
        {},
        h('legend', {}, 'Hyperparameters'),
        ...(params.length ? params : [h('span', { class: 'muted' }, 'none')]),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Metrics of the latest run'),
        // With nothing to pick, empty selects would only puzzle: the note says why.
        ...(names.length ? [metric, aggregate, add] : []),
        ...metricColumns,
        input.historyNote
          ? h('span', { class: 'muted' }, input.historyNote)
          : names.length
            ? ''
            : h('span', { class: 'muted' }, 'no metrics recorded by the runs on screen'),
      ),
    ),
  );
}
