/**
 * The list's toolbar: search by id, state, toolchain and model filters, the columns button, and compare or clear
 * the runs picked for comparison.
 */
import { DISPLAY_STATES } from './display-state.js';
import { fill, h } from './dom.js';
import { choices, type Filters, type Row } from './list-model.js';
import { compareHref } from './route.js';
import { clearSelection, selectedRuns } from './selection.js';

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

export interface ListToolbar {
  element: HTMLElement;
  /** Rebuilds the controls (the filter choices come from `rows`). */
  draw(rows: readonly Row[], pickerOpen: boolean): void;
  /** Updates the compare and clear buttons to the current selection. */
  drawSelection(): void;
}

export function listToolbar(
  filters: Filters,
  on: { filter: () => void; togglePicker: () => boolean },
): ListToolbar {
  const element = h('div', { class: 'toolbar' });
  const compareButton = h('button', {
    attrs: { id: 'compare-selected', type: 'button' },
    on: { click: () => (location.hash = compareHref(selectedRuns())) },
  });
  const clearButton = h(
    'button',
    { attrs: { type: 'button' }, on: { click: () => clearSelection() } },
    'Clear',
  );

  function drawSelection(): void {
    const n = selectedRuns().length;
    compareButton.textContent = `Compare selected (${n})`;
    compareButton.disabled = n === 0;
    clearButton.disabled = n === 0;
  }

  function draw(rows: readonly Row[], pickerOpen: boolean): void {
    const search = h('input', {
      attrs: { id: 'search', type: 'search', placeholder: 'search by id', 'aria-label': 'search by id' },
      on: {
        input: (event) => {
          filters.search = (event.target as HTMLInputElement).value;
          on.filter();
        },
      },
    });
    search.value = filters.search;
    const state = select('filter-state', 'state', DISPLAY_STATES, filters.state, 'any state');
    state.addEventListener('change', () => {
      filters.state = state.value as Filters['state'];
      on.filter();
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
      on.filter();
    });
    const model = select('filter-model', 'model', choices(rows, 'model'), filters.model, 'any model');
    model.addEventListener('change', () => {
      filters.model = model.value;
      on.filter();
    });
    const columnsButton = h(
      'button',
      {
        attrs: { id: 'columns-button', type: 'button', 'aria-expanded': String(pickerOpen) },
        on: { click: () => columnsButton.setAttribute('aria-expanded', String(on.togglePicker())) },
      },
      'Columns…',
    );
    fill(
      element,
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

  return { element, draw, drawSelection };
}
