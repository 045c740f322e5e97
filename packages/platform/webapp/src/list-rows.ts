/**
 * The list's table rows, built for a thousand trainings at once. One prototype row per column set is cloned for
 * every training and only its texts and per-row attributes are set: building each cell through `h()` (an element,
 * attributes and a text node each) was most of the list's script time. A row is refilled in place when its run or
 * metrics arrive. (The stylesheet gives the spare width of the table to an empty generated last cell: see there.)
 */
import type { WireRun } from './endpoints.js';
import { duration, number, when } from './format.js';
import { cellValue, type Column, type MetricSummaries, type Row, type SortKey } from './list-model.js';
import { runHref } from './route.js';

/** What a row shows besides the training: its run (times), its run's metrics, whether it is picked to compare. */
export interface RowExtras {
  run: WireRun | undefined;
  metrics: MetricSummaries | undefined;
  picked: boolean;
}

/** The eight fixed columns (title, sort key); the picked columns follow. */
export const FIXED_COLUMNS: readonly (readonly [title: string, sort: SortKey | undefined])[] = [
  ['', undefined],
  ['ID', 'id'],
  ['Model', 'model'],
  ['Toolchain', 'toolchain'],
  ['State', 'state'],
  ['Started', undefined],
  ['Duration', undefined],
  ['Exit code', 'exitCode'],
];

export interface RowFactory {
  /** A new row (`data-id` set) for the training, filled. */
  create(row: Row, extras: RowExtras): HTMLTableRowElement;
  /** Sets every cell of a row made by `create` anew. */
  refill(element: HTMLTableRowElement, row: Row, extras: RowExtras): void;
}

function cell(parent: HTMLTableRowElement, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  if (className) td.className = className;
  return parent.appendChild(td);
}

export function rowFactory(columns: readonly Column[]): RowFactory {
  const prototype = document.createElement('tr');
  const pick = cell(prototype).appendChild(document.createElement('input'));
  pick.type = 'checkbox';
  pick.className = 'pick';
  cell(prototype).appendChild(document.createElement('a'));
  for (let i = 2; i < FIXED_COLUMNS.length; i++) cell(prototype);
  prototype.cells[4]!.appendChild(document.createElement('span'));
  for (const column of columns) cell(prototype, column.kind === 'metric' ? 'num' : undefined);

  function refill(element: HTMLTableRowElement, row: Row, extras: RowExtras): void {
    // Cells in order, walked by sibling (the row's live `cells` collection is slower to index a thousand times).
    let td = element.firstElementChild as HTMLTableCellElement;
    const next = (): HTMLTableCellElement => (td = td.nextElementSibling as HTMLTableCellElement);
    // A fresh clone's cells are empty: only texts that are there need a text node.
    const text = (value: string): void => {
      if (value || td.firstChild) td.textContent = value;
    };
    const input = td.firstChild as HTMLInputElement;
    input.setAttribute('aria-label', `compare ${row.id}`);
    input.checked = row.runId !== undefined && extras.picked;
    input.disabled = row.runId === undefined;
    const link = next().firstChild as HTMLAnchorElement;
    link.setAttribute('href', runHref(row.id));
    link.textContent = row.id;
    next();
    text(row.model);
    next();
    text(row.toolchain);
    // The training's status (fresh on every refresh) says the state, cancelled apart from failed.
    const badge = next().firstChild as HTMLSpanElement;
    badge.className = `state state-${row.state}`;
    badge.textContent = row.state;
    const run = extras.run;
    next();
    text(when(run?.startedAt));
    next();
    text(run ? duration(run.startedAt, run.finishedAt, Date.now()) : '');
    next();
    text(row.exitCode === undefined ? '' : String(row.exitCode));
    for (const column of columns) {
      const value = cellValue(row, column, extras.metrics);
      next();
      text(typeof value === 'number' ? number(value) : (value ?? ''));
    }
  }

  return {
    create(row, extras) {
      const element = prototype.cloneNode(true) as HTMLTableRowElement;
      element.setAttribute('data-id', row.id);
      refill(element, row, extras);
      return element;
    },
    refill,
  };
}
