/**
 * `#/`: every training with its latest run, filtered, sorted and searched in the page, with columns the user
 * picks. Run details (start, duration) and metric values are fetched only for rows on screen (`list-row-data.ts`),
 * so a store of thousands of trainings lists as fast as one request; the list refreshes itself.
 */
import type { ModelTraining } from '../../src/domain/types.js';
import { errorText } from './api.js';
import type { View, ViewContext } from './context.js';
import { isFinished } from './display-state.js';
import { h, fill } from './dom.js';
import { openEditor, NEW_TRAINING_YAML } from './editor.js';
import { listTrainings } from './endpoints.js';
import type { Summary } from './history.js';
import { drawColumnsPicker, savedColumns } from './list-columns.js';
import {
  columnId,
  columnTitle,
  filterRows,
  sortRows,
  toRow,
  type Filters,
  type Row,
  type Sort,
  type SortKey,
} from './list-model.js';
import { rowData } from './list-row-data.js';
import { FIXED_COLUMNS, rowFactory, type RowExtras } from './list-rows.js';
import { listToolbar } from './list-toolbar.js';
import { canChangeTrainings } from './permissions.js';
import { poll } from './poller.js';
import { runHref } from './route.js';
import { isSelected, onSelectionChange, selectedRuns, setSelected } from './selection.js';

const REFRESH_MS = 5000;
const LIST_SIZE = 1000;

/** Runs `work` when the page is idle (within 200 ms), or after a zero timeout where there is no idle callback. */
function whenIdle(work: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(work, { timeout: 200 });
  else setTimeout(work);
}

export function mountList(box: HTMLElement, context: ViewContext): View {
  // Asked before any of the view is built: the answer is most of the first render's wait.
  let firstAnswer: ReturnType<typeof listTrainings> | undefined = listTrainings(LIST_SIZE);
  let trainings: ModelTraining[] = [];
  let total = 0;
  let rows: Row[] = [];
  let rowById = new Map<string, Row>();
  const filters: Filters = { state: '', toolchain: '', model: '', search: '' };
  let sort: Sort = { key: 'created', descending: true };
  let columns = savedColumns();
  let pickerOpen = false;
  const rowElements = new Map<string, HTMLTableRowElement>();
  let disposed = false;

  const data = rowData({
    rowById: () => rowById,
    wantsHistory: () => pickerOpen || columns.some((c) => c.kind === 'metric'),
    onLoaded: (batch) => {
      for (const row of batch) {
        const element = rowElements.get(row.id);
        if (element) fillRow(element, row);
      }
      if (pickerOpen) drawPicker();
    },
  });
  const metricsOf = (row: Row): ReadonlyMap<string, Summary> | undefined =>
    row.runId ? data.metrics.get(row.runId) : undefined;

  let picked = new Set<string>();
  const pickKey = (trainingId: string, runId: string): string => `${trainingId}\n${runId}`;
  const refreshPicked = (): void => {
    picked = new Set(selectedRuns().map((r) => pickKey(r.trainingId, r.runId)));
  };

  let factory = rowFactory(columns);
  const extrasOf = (row: Row): RowExtras => ({
    run: row.runId ? data.runs.get(row.runId) : undefined,
    metrics: metricsOf(row),
    picked: row.runId !== undefined && picked.has(pickKey(row.id, row.runId)),
  });
  const fillRow = (element: HTMLTableRowElement, row: Row): void =>
    factory.refill(element, row, extrasOf(row));

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
  const toolbar = listToolbar(filters, {
    filter: () => drawTable(),
    togglePicker: () => {
      pickerOpen = !pickerOpen;
      drawPicker();
      if (pickerOpen) data.queueVisible();
      return pickerOpen;
    },
  });

  function drawPicker(): void {
    if (!pickerOpen) {
      fill(pickerBox);
      return;
    }
    drawColumnsPicker(pickerBox, {
      rows,
      columns,
      metricNames: data.metricNames,
      historyNote: data.historyNote(),
      onChange: (next) => {
        columns = next;
        drawTable();
      },
    });
  }

  function drawTable(): void {
    const shown = sortRows(filterRows(rows, filters), sort, columns, metricsOf);
    refreshPicked();
    data.unobserve();
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
      // The body is filled before it joins the page: one style and layout pass for the whole table.
      factory = rowFactory(columns);
      const observed: HTMLTableRowElement[] = [];
      for (const row of shown) {
        const element = factory.create(row, extrasOf(row));
        rowElements.set(row.id, element);
        body.appendChild(element);
        observed.push(element);
      }
      const heads = [
        ...FIXED_COLUMNS.map(([title, key]) => header(title, key)),
        ...columns.map((c) => header(columnTitle(c), `col:${columnId(c)}`)),
      ];
      fill(tableBox, h('table', { attrs: { id: 'trainings' } }, h('thead', {}, h('tr', {}, ...heads)), body));
      // Watched once the rows are painted and the page is idle (an animation-frame callback still runs before
      // that frame's paint), so neither the first frame nor the one after it waits on a thousand intersections.
      requestAnimationFrame(() =>
        whenIdle(() => {
          if (!disposed && rowElements.get(shown[0]?.id ?? '') === observed[0]) data.observe(observed);
        }),
      );
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
  fill(box, titleRow, toolbar.element, pickerBox, tableBox, footer);
  toolbar.draw(rows, pickerOpen);
  const stopSelection = onSelectionChange(() => {
    toolbar.drawSelection();
    for (const element of box.querySelectorAll<HTMLInputElement>('input.pick')) {
      const id = element.closest('tr')?.dataset.id;
      const row = id === undefined ? undefined : rowById.get(id);
      element.checked = row?.runId ? isSelected({ trainingId: row.id, runId: row.runId }) : false;
    }
  });

  let first = true;
  const stop = poll(async () => {
    try {
      const asked = firstAnswer ?? listTrainings(LIST_SIZE);
      firstAnswer = undefined;
      const answer = await asked;
      if (disposed) return;
      // Marks for bench/web-render.ts: when the data was in, when the table was built.
      performance.mark('gangplank:list-data');
      trainings = answer.items;
      total = answer.total;
      rows = trainings.map(toRow);
      rowById = new Map(rows.map((r) => [r.id, r]));
      data.markStale((run) => isFinished(run.state));
      context.notify('');
      if (first) toolbar.draw(rows, pickerOpen);
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
      data.dispose();
    },
  };
}
