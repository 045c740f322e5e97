/**
 * `#/compare?runs=<id>/<runId>,…`: several runs, of one training or many, overlaid one metric at a time, with
 * their differing hyperparameters and each metric's min, max and last. Polls while a run is still going. A run that
 * is gone (deleted since the link was made) is named as missing and the others are compared.
 */
import { errorText, HttpError } from './api.js';
import { chartControls, savedChartView } from './chart-controls.js';
import { colour } from './chart-data.js';
import { lineChart, type Drawn } from './chart.js';
import { metricColumns, metricLabel, paramRows } from './compare-model.js';
import type { View, ViewContext } from './context.js';
import { isFinished } from './display-state.js';
import { fill, h } from './dom.js';
import { getRun, runsHistory, type WireRun } from './endpoints.js';
import { number } from './format.js';
import { metricKey, scalars, type ScalarSeries } from './history.js';
import { lifetime } from './lifetime.js';
import { poll } from './poller.js';
import { runHref, type RunRef } from './route.js';
import { stateBadge } from './state-badge.js';

const REFRESH_MS = 3000;
const METRIC_KEY = 'gangplank.compare.metric';

export function mountCompare(box: HTMLElement, context: ViewContext, refs: readonly RunRef[]): View {
  const life = lifetime();
  let view = savedChartView();
  let runs: (WireRun | undefined)[] = [];
  let series: ScalarSeries[][] = refs.map(() => []);
  let note = '';
  let chart: Drawn | undefined;
  let metric = localStorage.getItem(METRIC_KEY) ?? 'train/loss';
  let showAll = false;
  /** Indexes (into `refs`) of the runs that exist: only they are compared; colours stay by index. */
  let present: number[] = [];

  const label = (i: number): string => {
    const ref = refs[i];
    const run = runs[i];
    return ref ? `${ref.trainingId} #${run?.seq ?? '?'}` : '';
  };

  const runsBox = h('div');
  const metricSelect = h('select', { attrs: { id: 'compare-metric', 'aria-label': 'metric' } });
  metricSelect.addEventListener('change', () => {
    metric = metricSelect.value;
    localStorage.setItem(METRIC_KEY, metric);
    drawChart();
  });
  const controls = chartControls(
    view,
    (changed) => {
      view = changed;
      drawChart();
    },
    true,
  );
  controls.prepend(h('label', {}, 'metric ', metricSelect));
  const noteBox = h('p', { class: 'muted', attrs: { id: 'compare-note' } });
  const chartBox = h('div', { class: 'charts overlay', attrs: { id: 'compare-chart' } });
  const paramsBox = h('div', { class: 'scroll' });
  const metricsBox = h('div', { class: 'scroll' });
  const showAllBox = h('input', { attrs: { id: 'show-all-params', type: 'checkbox' } });
  showAllBox.addEventListener('change', () => {
    showAll = showAllBox.checked;
    drawParams();
  });

  if (refs.length === 0) {
    fill(
      box,
      h('h1', {}, 'Compare runs'),
      h(
        'p',
        { class: 'muted' },
        'Pick runs with the checkboxes of the trainings list or of a training’s runs, then “Compare selected”.',
      ),
    );
    return { dispose: () => undefined };
  }
  fill(
    box,
    h('p', {}, h('a', { attrs: { href: '#/' } }, '← Trainings')),
    h('h1', {}, `Compare ${refs.length} runs`),
    runsBox,
    controls,
    noteBox,
    chartBox,
    h('h2', {}, 'Hyperparameters ', h('label', { class: 'muted' }, showAllBox, ' show all')),
    paramsBox,
    h('h2', {}, 'Metrics (min, max, last)'),
    metricsBox,
  );

  function drawRuns(): void {
    fill(
      runsBox,
      h(
        'table',
        { attrs: { id: 'compare-runs' } },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, ''), h('th', {}, 'Run'), h('th', {}, 'Model'), h('th', {}, 'State')),
        ),
        h(
          'tbody',
          {},
          ...refs.map((ref, i) =>
            h(
              'tr',
              {},
              h('td', {}, h('span', { class: 'swatch', attrs: { style: `background:${colour(i)}` } })),
              h(
                'td',
                {},
                h(
                  'a',
                  { attrs: { href: runHref(ref.trainingId, ref.runId) } },
                  runs[i] ? label(i) : `${ref.trainingId} / ${ref.runId}`,
                ),
              ),
              h('td', {}, runs[i] ? `${runs[i].spec.model.name} ${runs[i].spec.model.version}` : ''),
              h(
                'td',
                {},
                runs[i]
                  ? stateBadge(runs[i].state, runs[i].reason)
                  : h('span', { class: 'missing' }, 'missing (deleted?)'),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function drawMetricChoices(): void {
    const keys = metricColumns(series).map((c) => c.key);
    if (keys.length > 0 && !keys.includes(metric)) metric = keys[0] ?? metric;
    fill(metricSelect, ...keys.map((key) => h('option', { attrs: { value: key } }, metricLabel(key))));
    metricSelect.value = metric;
    metricSelect.disabled = keys.length === 0;
  }

  function drawChart(): void {
    chart?.destroy();
    chart = undefined;
    fill(chartBox);
    noteBox.textContent = note;
    const lines = present
      .map((i) => {
        const found = series[i]?.find((s) => metricKey(s) === metric);
        const run = runs[i];
        return found
          ? {
              label: label(i),
              points: found.points,
              colour: colour(i),
              ...(run?.startedAt ? { origin: Date.parse(run.startedAt) / 1000 } : {}),
            }
          : undefined;
      })
      .filter((line) => line !== undefined);
    if (lines.length === 0) {
      if (!note) noteBox.textContent = 'No run recorded this metric.';
      return;
    }
    chart = lineChart(metricLabel(metric), lines, view, chartBox);
  }

  function drawParams(): void {
    const rows = paramRows(present.map((i) => runs[i]?.spec.hyperParameters));
    const shown = showAll ? rows : rows.filter((r) => r.differs);
    fill(
      paramsBox,
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No hyperparameters.')
        : h(
            'table',
            { attrs: { id: 'compare-params' } },
            h(
              'thead',
              {},
              h('tr', {}, h('th', {}, 'Hyperparameter'), ...present.map((i) => h('th', {}, label(i)))),
            ),
            h(
              'tbody',
              {},
              ...shown.map((row) =>
                h(
                  'tr',
                  { class: row.differs ? 'differs' : '', dataset: { param: row.name } },
                  h('th', {}, row.name),
                  ...row.values.map((v) => h('td', {}, v ?? '—')),
                ),
              ),
            ),
          ),
      shown.length === 0 && rows.length > 0
        ? h('p', { class: 'muted' }, 'All runs share the same hyperparameters.')
        : '',
    );
  }

  function drawMetrics(): void {
    const columns = metricColumns(present.map((i) => series[i] ?? []));
    if (columns.length === 0) {
      fill(
        metricsBox,
        h(
          'p',
          { class: 'muted' },
          historyMissing ? 'Min, max and last come from the run history.' : 'No metrics recorded.',
        ),
      );
      return;
    }
    fill(
      metricsBox,
      h(
        'table',
        { attrs: { id: 'compare-metrics' } },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { attrs: { rowspan: '2' } }, 'Run'),
            ...columns.map((c) => h('th', { attrs: { colspan: '3' } }, metricLabel(c.key))),
          ),
          h('tr', {}, ...columns.flatMap(() => ['min', 'max', 'last'].map((a) => h('th', {}, a)))),
        ),
        h(
          'tbody',
          {},
          ...present.map((i, k) =>
            h(
              'tr',
              {},
              h('th', {}, label(i)),
              ...columns.flatMap((c) => {
                const s = c.summaries[k];
                return [s?.min, s?.max, s?.last].map((v) => h('td', { class: 'num' }, number(v)));
              }),
            ),
          ),
        ),
      ),
    );
  }

  let historyMissing = false;
  const stop = poll(async () => {
    const found = await Promise.all(refs.map((ref) => getRun(ref).catch(() => undefined)));
    if (life.gone) return;
    runs = found;
    present = refs.flatMap((_ref, i) => (runs[i] ? [i] : []));
    if (!historyMissing && present.length > 0) {
      try {
        // The server answers the runs that exist and names the others missing (never a 404 for one of them).
        const answer = await runsHistory(refs, life.signal);
        series = refs.map((ref) => {
          const run = answer.runs.find((r) => r.id === ref.trainingId && r.runId === ref.runId);
          return run ? scalars(run) : [];
        });
        note = present.every((i) => series[i]?.length === 0)
          ? 'None of these runs recorded a run history (yet); hyperparameters are compared below.'
          : '';
      } catch (error) {
        if (life.gone) return;
        historyMissing = error instanceof HttpError && error.status === 404;
        note = historyMissing
          ? 'Overlays need the run history, which this server does not serve yet; hyperparameters are compared below.'
          : `Run history: ${errorText(error)}`;
      }
    }
    if (life.gone) return;
    if (present.length === 0) note = 'None of these runs exists any more (deleted?).';
    const gone = refs.filter((_ref, i) => !runs[i]).map((r) => `${r.trainingId} / ${r.runId}`);
    const others = present.length > 0 ? ` Comparing the other ${present.length}.` : '';
    context.notify(gone.length === 0 ? '' : `Not found (deleted?): ${gone.join(', ')}.${others}`);
    drawRuns();
    drawMetricChoices();
    drawChart();
    drawParams();
    drawMetrics();
    // A missing run does not come back: polling ends once the runs that exist have all ended.
    if (runs.every((r) => !r || isFinished(r.state))) stop();
  }, REFRESH_MS);
  life.onDispose(stop);
  life.onDispose(() => chart?.destroy());
  return life;
}
