/**
 * `#/`: every training with its latest run, filtered, sorted and searched in the page, with columns the user
 * picks. Run details (start, duration) and metric values are fetched only for rows on screen, so a store of
 * thousands of trainings lists as fast as one request; the list refreshes itself.
 */
import type { ModelTraining } from '../../src/domain/types.js';
import { errorText, HttpError } from './api.js';
import type { View, ViewContext } from './context.js';
import { DISPLAY_STATES, isFinished } from './display-state.js';
import { h, fill, type Child } from './dom.js';
import { openEditor, NEW_TRAINING_YAML } from './editor.js';
import { getRun, listTrainings, runsHistory, type WireRun } from './endpoints.js';
import { duration, number, when } from './format.js';
import { metricLabel } from './compare-model.js';
import { metricKey, scalars, summarize, type Summary } from './history.js';
import {
  choices,
  columnId,
  columnTitle,
  filterRows,
  paramNames,
  parseColumnId,
  sortRows,
  toRow,
  type Aggregate,
  type Column,
  type Filters,
  type Row,
  type Sort,
  type SortKey,
  cellValue,
} from './list-model.js';
import { canChangeTrainings } from './permissions.js';
import { poll } from './poller.js';
import { compareHref, runHref } from './route.js';
import { clearSelection, isSelected, onSelectionChange, selectedRuns, setSelected } from './selection.js';
import { stateBadge } from './state-badge.js';

const REFRESH_MS = 5000;
const LIST_SIZE = 1000;
const COLUMNS_KEY = 'gangplank.columns';

function savedColumns(): Column[] {
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

function select(
  id: string,
  label: string,
  options: readonly string[],
  value: string,
  all: string,
): HTMLSelectElement {
  const element = h(
    'select',
    { attrs: { id, 'aria-label': label } },
    h('option', { attrs: { value: '' } }, all),
    ...options.map((o) => h('option', { attrs: { value: o } }, o)),
  );
  element.value = options.includes(value) ? value : '';
  return element;
}

export function mountList(box: HTMLElement, context: ViewContext): View {
  let trainings: ModelTraining[] = [];
  let total = 0;
  let rows: Row[] = [];
  let rowById = new Map<string, Row>();
  const filters: Filters = { state: '', toolchain: '', model: '', search: '' };
  let sort: Sort = { key: 'created', descending: true };
  let columns = savedColumns();
  let pickerOpen = false;
  const runs = new Map<string, WireRun>();
  const stale = new Set<string>();
  const metrics = new Map<string, Map<string, Summary>>();
  const metricNames = new Set<string>();
  let historyNote = '';
  const rowElements = new Map<string, HTMLTableRowElement>();
  const pending = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const abort = new AbortController();

  const wantsHistory = (): boolean => pickerOpen || columns.some((c) => c.kind === 'metric');
  const metricsOf = (row: Row): Map<string, Summary> | undefined =>
    row.runId ? metrics.get(row.runId) : undefined;

  // Rows on screen: their runs and metrics are fetched (again after a refresh while they run).
  const visible = new Set<string>();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const id = (entry.target as HTMLElement).dataset.id;
      if (!id) continue;
      if (entry.isIntersecting) {
        visible.add(id);
        queue(id);
      } else visible.delete(id);
    }
  });

  function queue(id: string): void {
    const row = rowById.get(id);
    if (!row?.runId) return;
    const needRun = !runs.has(row.runId) || stale.has(row.runId);
    const needHistory = wantsHistory() && !historyNote && (!metrics.has(row.runId) || stale.has(row.runId));
    if (!needRun && !needHistory) return;
    pending.add(id);
    clearTimeout(flushTimer);
    flushTimer = setTimeout(() => void flush(), 30);
  }

  async function flush(): Promise<void> {
    const batch = rows.filter((r) => pending.has(r.id) && r.runId);
    pending.clear();
    if (batch.length === 0 || disposed) return;
    const refs = batch.map((r) => ({ trainingId: r.id, runId: r.runId ?? '' }));
    const loads: Promise<unknown>[] = refs.map(async (ref) => {
      try {
        runs.set(ref.runId, await getRun(ref));
      } catch {
        // deleted meanwhile: the next refresh drops the row
      }
    });
    if (wantsHistory() && !historyNote) {
      loads.push(
        runsHistory(refs, abort.signal).then(
          (answer) => {
            for (const run of answer.runs) {
              const byKey = new Map<string, Summary>();
              for (const series of scalars(run)) {
                const summary = summarize(series.points);
                metricNames.add(metricKey(series));
                if (summary) byKey.set(metricKey(series), summary);
              }
              metrics.set(run.runId, byKey);
            }
          },
          (error: unknown) => {
            historyNote =
              error instanceof HttpError && error.status === 404
                ? 'Metric columns need the run history, which this server does not serve.'
                : `Run history: ${errorText(error)}`;
          },
        ),
      );
    }
    await Promise.all(loads);
    if (disposed) return;
    for (const ref of refs) stale.delete(ref.runId);
    for (const row of batch) {
      const element = rowElements.get(row.id);
      if (element) fillRow(element, row);
    }
    if (pickerOpen) drawPicker();
  }

  let picked = new Set<string>();
  const pickKey = (trainingId: string, runId: string): string => `${trainingId}\n${runId}`;
  const refreshPicked = (): void => {
    picked = new Set(selectedRuns().map((r) => pickKey(r.trainingId, r.runId)));
  };

  function cells(row: Row): Child[] {
    const run = row.runId ? runs.get(row.runId) : undefined;
    const ref = row.runId ? { trainingId: row.id, runId: row.runId } : undefined;
    const pick = h('input', {
      class: 'pick',
      attrs: { type: 'checkbox', 'aria-label': `compare ${row.id}` },
    });
    pick.checked = ref ? picked.has(pickKey(ref.trainingId, ref.runId)) : false;
    pick.disabled = !ref;
    const extra = columns.map((column) => {
      const value = cellValue(row, column, metricsOf(row));
      return typeof value === 'number' ? number(value) : (value ?? '');
    });
    return [
      pick,
      h('a', { attrs: { href: runHref(row.id) } }, row.id),
      row.model,
      row.toolchain,
      // The training's status (fresh on every refresh) says the state; the run only adds its times.
      stateBadge(
        row.state === 'cancelled' ? 'failed' : row.state,
        row.state === 'cancelled' ? 'Cancelled' : undefined,
      ),
      when(run?.startedAt),
      run ? duration(run.startedAt, run.finishedAt, Date.now()) : '',
      row.exitCode === undefined ? '' : String(row.exitCode),
      ...extra,
    ];
  }

  function fillRow(element: HTMLTableRowElement, row: Row): void {
    const extraFrom = 8;
    element.replaceChildren(
      ...cells(row).map((cell, i) =>
        h('td', i >= extraFrom && columns[i - extraFrom]?.kind === 'metric' ? { class: 'num' } : {}, cell),
      ),
    );
  }

  function header(text: string, key: SortKey | undefined): HTMLTableCellElement {
    if (!key) return h('th', {}, text);
    const sorted = sort.key === key ? (sort.descending ? ' sorted-desc' : ' sorted-asc') : '';
    return h(
      'th',
      {
        class: `sortable${sorted}`,
        attrs: { 'aria-sort': sorted ? (sort.descending ? 'descending' : 'ascending') : undefined },
        dataset: { sort: key },
        on: {
          click: () => {
            sort = { key, descending: sort.key === key ? !sort.descending : false };
            drawTable();
          },
        },
      },
      text,
    );
  }

  const tableBox = h('div', { class: 'scroll', attrs: { id: 'trainings-box' } });
  const pickerBox = h('div');
  const footer = h('p', { class: 'muted' });
  const compareButton = h('button', {
    attrs: { id: 'compare-selected', type: 'button' },
    on: { click: () => (location.hash = compareHref(selectedRuns())) },
  });
  const clearButton = h(
    'button',
    { attrs: { type: 'button' }, on: { click: () => clearSelection() } },
    'Clear',
  );
  const toolbar = h('div', { class: 'toolbar' });

  function drawSelection(): void {
    const n = selectedRuns().length;
    compareButton.textContent = `Compare selected (${n})`;
    compareButton.disabled = n === 0;
    clearButton.disabled = n === 0;
  }

  function drawToolbar(): void {
    const search = h('input', {
      attrs: { id: 'search', type: 'search', placeholder: 'search by id', 'aria-label': 'search by id' },
      on: {
        input: (event) => {
          filters.search = (event.target as HTMLInputElement).value;
          drawTable();
        },
      },
    });
    search.value = filters.search;
    const state = select('filter-state', 'state', DISPLAY_STATES, filters.state, 'any state');
    state.addEventListener('change', () => {
      filters.state = state.value as Filters['state'];
      drawTable();
    });
    const toolchain = select(
      'filter-toolchain',
      'toolchain',
      choices(rows, 'toolchain'),
      filters.toolchain,
      'any toolchain',
    );
    toolchain.addEventListener('change', () => {
      filters.toolchain = toolchain.value;
      drawTable();
    });
    const model = select('filter-model', 'model', choices(rows, 'model'), filters.model, 'any model');
    model.addEventListener('change', () => {
      filters.model = model.value;
      drawTable();
    });
    const columnsButton = h(
      'button',
      {
        attrs: { id: 'columns-button', type: 'button', 'aria-expanded': String(pickerOpen) },
        on: {
          click: () => {
            pickerOpen = !pickerOpen;
            columnsButton.setAttribute('aria-expanded', String(pickerOpen));
            drawPicker();
            if (pickerOpen) for (const id of rowElements.keys()) queueIfVisible(id);
          },
        },
      },
      'Columns…',
    );
    fill(
      toolbar,
      search,
      state,
      toolchain,
      model,
      columnsButton,
      h('span', { class: 'spacer' }),
      compareButton,
      clearButton,
    );
    drawSelection();
  }

  function queueIfVisible(id: string): void {
    if (visible.has(id)) queue(id);
  }

  function saveColumns(): void {
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns.map(columnId)));
  }

  function drawPicker(): void {
    if (!pickerOpen) {
      fill(pickerBox);
      return;
    }
    const chosen = new Set(columns.map(columnId));
    const params = paramNames(rows).map((name) => {
      const column: Column = { kind: 'param', name };
      const box = h('input', {
        attrs: { type: 'checkbox', 'aria-label': `column ${name}` },
        on: {
          change: (event) => {
            const on = (event.target as HTMLInputElement).checked;
            columns = on ? [...columns, column] : columns.filter((c) => columnId(c) !== columnId(column));
            saveColumns();
            drawTable();
          },
        },
      });
      box.checked = chosen.has(columnId(column));
      return h('label', {}, box, ` ${name}`);
    });
    const names = [...metricNames].sort();
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
            columns = [...columns, column];
            saveColumns();
            drawTable();
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
            on: {
              click: () => {
                columns = columns.filter((other) => columnId(other) !== columnId(c));
                saveColumns();
                drawTable();
              },
            },
          },
          `${columnTitle(c)} ×`,
        ),
      );
    fill(
      pickerBox,
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
          metric,
          aggregate,
          add,
          ...metricColumns,
          historyNote
            ? h('span', { class: 'muted' }, historyNote)
            : names.length
              ? ''
              : h('span', { class: 'muted' }, 'no metrics recorded by the runs on screen'),
        ),
      ),
    );
  }

  function drawTable(): void {
    const shown = sortRows(filterRows(rows, filters), sort, columns, metricsOf);
    refreshPicked();
    observer.disconnect();
    visible.clear();
    rowElements.clear();
    if (trainings.length === 0) {
      fill(
        tableBox,
        h(
          'p',
          { class: 'muted' },
          'No trainings yet. Create one with ',
          h('code', {}, 'gangplank training create -f file.yaml'),
          ', the API or “New training”.',
        ),
      );
    } else {
      // One listener for every row's checkbox: a thousand rows need no thousand closures.
      const body = h('tbody', {
        on: {
          change: (event) => {
            const input = event.target as HTMLInputElement;
            const row = rowById.get(input.closest('tr')?.dataset.id ?? '');
            if (input.classList.contains('pick') && row?.runId)
              setSelected({ trainingId: row.id, runId: row.runId }, input.checked);
          },
        },
      });
      const observed: HTMLTableRowElement[] = [];
      for (const row of shown) {
        const element = h('tr', { dataset: { id: row.id } });
        fillRow(element, row);
        rowElements.set(row.id, element);
        body.appendChild(element);
        observed.push(element);
      }
      const heads = [
        h('th', {}, ''),
        header('ID', 'id'),
        header('Model', 'model'),
        header('Toolchain', 'toolchain'),
        header('State', 'state'),
        header('Started', undefined),
        header('Duration', undefined),
        header('Exit code', 'exitCode'),
        ...columns.map((c) => header(columnTitle(c), `col:${columnId(c)}`)),
      ];
      fill(tableBox, h('table', { attrs: { id: 'trainings' } }, h('thead', {}, h('tr', {}, ...heads)), body));
      // Watched after the rows are painted, so the first frame does not wait on a thousand intersections.
      requestAnimationFrame(() => {
        if (rowElements.get(shown[0]?.id ?? '') === observed[0])
          for (const element of observed) observer.observe(element);
      });
    }
    const hidden = rows.length - shown.length;
    footer.textContent =
      (total > trainings.length
        ? `Newest ${trainings.length} of ${total} trainings (the CLI lists all). `
        : '') +
      (hidden > 0 ? `${shown.length} of ${rows.length} shown (filtered). ` : '') +
      `Refreshes every ${REFRESH_MS / 1000} s.`;
    if (pickerOpen) drawPicker();
  }

  const newButton = h(
    'button',
    {
      class: 'primary',
      attrs: { id: 'new-training', type: 'button' },
      on: {
        click: () =>
          openEditor({
            title: 'New training',
            method: 'POST',
            yaml: NEW_TRAINING_YAML,
            onSaved: (training) => (location.hash = runHref(training.id)),
          }),
      },
    },
    'New training',
  );
  const titleRow = h('div', { class: 'title-row' }, h('h1', {}, 'Trainings'));
  void context.access.then((access) => {
    if (!disposed && canChangeTrainings(access)) titleRow.appendChild(newButton);
  });
  fill(box, titleRow, toolbar, pickerBox, tableBox, footer);
  drawToolbar();
  const stopSelection = onSelectionChange(() => {
    drawSelection();
    for (const element of box.querySelectorAll<HTMLInputElement>('input.pick')) {
      const id = element.closest('tr')?.dataset.id;
      const row = id === undefined ? undefined : rowById.get(id);
      element.checked = row?.runId ? isSelected({ trainingId: row.id, runId: row.runId }) : false;
    }
  });

  let first = true;
  const stop = poll(async () => {
    try {
      const answer = await listTrainings(LIST_SIZE);
      if (disposed) return;
      // Marks for bench/web-render.ts: when the data was in, when the table was built.
      performance.mark('gangplank:list-data');
      trainings = answer.items;
      total = answer.total;
      rows = trainings.map(toRow);
      rowById = new Map(rows.map((r) => [r.id, r]));
      for (const [runId, run] of runs) if (!isFinished(run.state)) stale.add(runId);
      context.notify('');
      if (first) drawToolbar();
      first = false;
      drawTable();
      performance.mark('gangplank:list-drawn');
    } catch (error) {
      if (!disposed) context.notify(errorText(error));
    }
  }, REFRESH_MS);

  return {
    dispose() {
      disposed = true;
      stop();
      stopSelection();
      abort.abort();
      observer.disconnect();
      clearTimeout(flushTimer);
    },
  };
}
