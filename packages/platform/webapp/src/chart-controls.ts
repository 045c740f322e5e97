/**
 * The chart settings shared by the run and compare views (x axis, log scale, smoothing), kept in localStorage
 * so they follow the user from page to page, and the toolbar that changes them.
 */
import type { ChartView, XAxis } from './chart-data.js';
import { h } from './dom.js';

const KEY = 'gangplank.chart';

export function savedChartView(): ChartView {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<ChartView>;
    return {
      x: value.x === 'wall' || value.x === 'relative' ? value.x : 'step',
      log: value.log === true,
      smoothing: typeof value.smoothing === 'number' ? Math.min(Math.max(value.smoothing, 0), 0.99) : 0,
    };
  } catch {
    return { x: 'step', log: false, smoothing: 0 };
  }
}

/** Controls for `view`; `onChange` gets each new setting (already saved). Without steps, only time axes. */
export function chartControls(
  view: ChartView,
  onChange: (view: ChartView) => void,
  hasSteps: boolean,
): HTMLElement {
  let current: ChartView = { ...view, x: !hasSteps && view.x === 'step' ? 'wall' : view.x };
  const change = (next: Partial<ChartView>): void => {
    current = { ...current, ...next };
    localStorage.setItem(KEY, JSON.stringify(current));
    onChange(current);
  };
  const axis = h(
    'select',
    { attrs: { id: 'x-axis', 'aria-label': 'x axis' } },
    h('option', { attrs: { value: 'step' } }, 'step (epoch)'),
    h('option', { attrs: { value: 'relative' } }, 'relative time'),
    h('option', { attrs: { value: 'wall' } }, 'wall time'),
  );
  axis.value = current.x;
  const stepOption = axis.options[0];
  if (stepOption && !hasSteps) {
    stepOption.disabled = true;
    stepOption.title = 'these points carry no epoch';
  }
  axis.addEventListener('change', () => change({ x: axis.value as XAxis }));
  const log = h('input', { attrs: { id: 'log-scale', type: 'checkbox' } });
  log.checked = current.log;
  log.addEventListener('change', () => change({ log: log.checked }));
  const smoothing = h('input', {
    attrs: { id: 'smoothing', type: 'range', min: '0', max: '0.99', step: '0.01', 'aria-label': 'smoothing' },
  });
  smoothing.value = String(current.smoothing);
  const shown = h('output', { attrs: { for: 'smoothing' } }, current.smoothing.toFixed(2));
  smoothing.addEventListener('input', () => {
    shown.textContent = Number(smoothing.value).toFixed(2);
    change({ smoothing: Number(smoothing.value) });
  });
  return h(
    'div',
    { class: 'toolbar chart-controls' },
    h('label', {}, 'x axis ', axis),
    h('label', {}, log, ' log scale'),
    h(
      'label',
      { attrs: { title: "TensorBoard's debiased exponential moving average" } },
      'smoothing ',
      smoothing,
      shown,
    ),
  );
}

/** The view the controls start from when steps are missing. */
export function effectiveView(view: ChartView, hasSteps: boolean): ChartView {
  return !hasSteps && view.x === 'step' ? { ...view, x: 'wall' } : view;
}
