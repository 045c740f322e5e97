/**
 * `#/training/<id>[/<runId>]`: one run of a training (the latest by default) with its status, runs, charts by
 * epoch, weights distribution, hyperparameters, resources, artifacts and followed log, and the actions the
 * caller's role allows. Polls while anything may still change.
 */
import type { ModelTraining, ResourceRequirements } from '../../src/domain/types.js';
import { errorText, getJson, HttpError } from './api.js';
import { chartControls, effectiveView, savedChartView } from './chart-controls.js';
import type { View, ViewContext } from './context.js';
import { isFinished } from './display-state.js';
import { fill, h, summaryList, table, type Child } from './dom.js';
import { downloadLink } from './download.js';
import { manifestOf, openEditor } from './editor.js';
import {
  artifactUrl,
  cancel,
  getTraining,
  listRuns,
  remove,
  rerun,
  runHistory,
  type WireRun,
} from './endpoints.js';
import { duration, when } from './format.js';
import { histograms, scalars, type HistogramSeries, type ScalarSeries } from './history.js';
import { lifetime } from './lifetime.js';
import { followLog } from './log-follow.js';
import { seriesFromMetrics, type MetricsAnswer } from './metrics-fallback.js';
import { canChangeTrainings } from './permissions.js';
import { poll } from './poller.js';
import { runCharts } from './run-charts.js';
import { runHref } from './route.js';
import { isSelected, setSelected } from './selection.js';
import { stateBadge } from './state-badge.js';

const REFRESH_MS = 3000;

interface Points {
  scalars: ScalarSeries[];
  histograms: HistogramSeries[];
  /** Whether x can be the step: the run history has epochs, Prometheus samples do not. */
  hasSteps: boolean;
  note: string;
}

async function loadPoints(training: ModelTraining, run: WireRun, signal: AbortSignal): Promise<Points> {
  const ref = { trainingId: training.id, runId: run.id };
  let why = 'this server records no run history';
  try {
    const history = await runHistory(ref, signal);
    if (history.series.length > 0)
      return { scalars: scalars(history), histograms: histograms(history), hasSteps: true, note: '' };
    why = 'this run recorded no history';
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 404)) throw error;
  }
  // No run history (an older server, or a script that does not record it): what Prometheus scraped, by time.
  const url = `/api/v1/model/training/${encodeURIComponent(training.id)}/metrics?run=${encodeURIComponent(run.id)}`;
  const answer = await getJson<MetricsAnswer>(url, signal);
  const from =
    answer.source === 'none'
      ? `No run history (${why}) and no Prometheus or Pushgateway configured.`
      : answer.source === 'prometheus'
        ? `From Prometheus samples (${why}): time axes only, epochs shorter than the scrape interval are missing.`
        : `Current values from the Pushgateway (${why}, no Prometheus): one point per metric.`;
  return {
    scalars: seriesFromMetrics(answer),
    histograms: [],
    hasSteps: false,
    note: from + (answer.warning ? ` ${answer.warning}` : ''),
  };
}

function resourcesTable(resources: ResourceRequirements | undefined): Child {
  if (!resources?.limits && !resources?.requests)
    return h('p', { class: 'muted' }, 'No resources requested.');
  const kinds = ['cpu', 'memory', 'gpu'] as const;
  return table(
    { attrs: { id: 'resources' } },
    ['', 'requests', 'limits'],
    kinds
      .filter((k) => resources.requests?.[k] || resources.limits?.[k])
      .map((k) => ({ cells: [k, resources.requests?.[k] ?? '', resources.limits?.[k] ?? ''] })),
  );
}

function paramsTable(params: Record<string, string> | undefined): Child {
  const entries = Object.entries(params ?? {});
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No hyperparameters.');
  return table(
    { attrs: { id: 'hyperparameters' } },
    ['Hyperparameter', 'Value'],
    entries.map(([name, value]) => ({ cells: [name, value] })),
  );
}

export function mountRun(
  box: HTMLElement,
  context: ViewContext,
  trainingId: string,
  runParam: string | undefined,
): View {
  const life = lifetime();
  let logAbort: AbortController | undefined;
  let shownRun = '';
  let view = savedChartView();
  let points: Points | undefined;
  let runOrigin: number | undefined;
  let mayChange = false;

  const title = h('div', { class: 'title-row' });
  const status = h('div', { attrs: { id: 'status' } });
  const runsBox = h('div', { attrs: { id: 'runs-box' } });
  const controlsBox = h('div');
  const noteBox = h('p', { class: 'muted', attrs: { id: 'charts-note' } });
  const chartsBox = h('div', { class: 'charts', attrs: { id: 'charts' } });
  const distributionsBox = h('div', { class: 'charts', attrs: { id: 'distributions' } });
  const details = h('div', { class: 'columns-2' });
  const specBox = h('div');
  const artifactsBox = h('div', { attrs: { id: 'artifacts-box' } });
  const log = h('pre', { class: 'log', attrs: { id: 'log' } });
  const runTitle = h('span');
  const charts = runCharts(chartsBox, distributionsBox);
  fill(
    box,
    h('p', {}, h('a', { attrs: { href: '#/' } }, '← Trainings')),
    title,
    status,
    h('h2', {}, 'Runs'),
    runsBox,
    h('h2', {}, 'Metrics', runTitle),
    controlsBox,
    noteBox,
    chartsBox,
    h('h2', {}, 'Weights distribution'),
    distributionsBox,
    details,
    h('h2', {}, 'Spec'),
    specBox,
    h('h2', {}, 'Artifacts'),
    artifactsBox,
    h('h2', {}, 'Log', runTitle.cloneNode(true)),
    log,
  );

  function drawCharts(): void {
    if (!points) return;
    const shown = effectiveView(view, points.hasSteps);
    noteBox.textContent = points.note;
    charts.draw(points.scalars, points.histograms, shown, runOrigin);
  }

  function act(label: string, id: string, action: () => Promise<unknown>, className = ''): HTMLButtonElement {
    const button = h('button', { class: className, attrs: { id, type: 'button' } }, label);
    button.addEventListener('click', () => {
      button.disabled = true;
      action().then(
        () => {
          button.disabled = false;
        },
        (error: unknown) => {
          button.disabled = false;
          context.notify(errorText(error));
        },
      );
    });
    return button;
  }

  function drawTitle(training: ModelTraining, latest: WireRun | undefined): void {
    const actions = mayChange
      ? [
          act('Edit YAML', 'edit', () => {
            openEditor({
              title: `Edit ${training.id}`,
              method: 'PUT',
              yaml: manifestOf(training),
              onSaved: (saved) => (location.hash = runHref(saved.id, saved.status?.runId)),
            });
            return Promise.resolve();
          }),
          act('Rerun', 'rerun', async () => {
            const saved = await rerun(training);
            location.hash = runHref(saved.id, saved.status?.runId);
          }),
          latest && !isFinished(latest.state)
            ? act('Cancel', 'cancel', async () => {
                await cancel(training.id);
                await refresh();
              })
            : undefined,
          act(
            'Delete',
            'delete',
            async () => {
              if (!confirm(`Delete training ${training.id} with all its runs and logs?`)) return;
              await remove(training.id);
              location.hash = '#/';
            },
            'danger',
          ),
        ]
      : [];
    fill(title, h('h1', {}, `Training ${training.id}`), h('div', { class: 'actions' }, ...actions));
  }

  function drawRuns(training: ModelTraining, runs: readonly WireRun[], selected: string): void {
    if (runs.length === 0) {
      fill(runsBox, h('p', { class: 'muted' }, 'No runs.'));
      return;
    }
    const rows = runs
      .slice()
      .reverse()
      .map((run) => {
        const ref = { trainingId: training.id, runId: run.id };
        const pick = h('input', {
          class: 'pick',
          attrs: { type: 'checkbox', 'aria-label': `compare run ${run.seq}` },
          on: { change: (event) => setSelected(ref, (event.target as HTMLInputElement).checked) },
        });
        pick.checked = isSelected(ref);
        return {
          props: { class: run.id === selected ? 'selected' : '', dataset: { run: run.id } },
          cells: [
            pick,
            String(run.seq),
            h('a', { attrs: { href: runHref(training.id, run.id) } }, run.id),
            stateBadge(run.state, run.reason),
            when(run.startedAt),
            duration(run.startedAt, run.finishedAt, Date.now()),
            run.exitCode === undefined ? '' : String(run.exitCode),
            [run.reason, run.message].filter(Boolean).join(': '),
          ],
        };
      });
    fill(
      runsBox,
      table(
        { attrs: { id: 'runs' } },
        ['', '#', 'Run', 'State', 'Started', 'Duration', 'Exit code', 'Reason'],
        rows,
      ),
    );
  }

  function drawDetails(training: ModelTraining, run: WireRun | undefined): void {
    const spec = run?.spec ?? training.spec;
    fill(
      details,
      h('section', {}, h('h2', {}, 'Hyperparameters'), paramsTable(spec.hyperParameters)),
      h('section', {}, h('h2', {}, 'Resources'), resourcesTable(spec.resources)),
    );
    const source = spec.algorithmSource.vcs
      ? `git ${spec.algorithmSource.vcs.connection}${spec.algorithmSource.vcs.reference ? ` @ ${spec.algorithmSource.vcs.reference}` : ''}`
      : spec.algorithmSource.objectStorage
        ? `${spec.algorithmSource.objectStorage.connection}:${spec.algorithmSource.objectStorage.path ?? ''}`
        : '';
    fill(
      specBox,
      summaryList([
        ['Model', `${spec.model.name} ${spec.model.version}`],
        ['Toolchain', spec.toolchain],
        ['Entry point', spec.entrypoint],
        ['Arguments', (spec.args ?? []).join(' ')],
        ['Work dir', spec.workDir ?? ''],
        ['Source', source],
        ['Data', (spec.data ?? []).map((d) => `${d.connection} → ${d.localPath}`).join(', ')],
        ['Output connection', spec.outputConnection ?? ''],
        ['Image', spec.image ?? ''],
        ['Created', when(training.createdAt)],
        ['Updated', when(training.updatedAt)],
      ]),
    );
    const artifacts = run?.artifacts.filter((a) => a.artifactName) ?? [];
    fill(
      artifactsBox,
      artifacts.length === 0
        ? h('p', { class: 'muted' }, 'No artifacts.')
        : table(
            { attrs: { id: 'artifacts' } },
            ['Artifact', 'Commit', 'Run', ''],
            artifacts.map((a) => ({
              cells: [
                a.artifactName ?? '',
                a.commitID ?? '',
                a.runId ?? '',
                downloadLink(
                  artifactUrl(training.id, a.artifactName ?? ''),
                  a.artifactName ?? '',
                  context.notify,
                ),
              ],
            })),
          ),
    );
  }

  function drawStatus(run: WireRun | undefined): void {
    fill(
      status,
      summaryList([
        ['State', h('span', { attrs: { id: 'state' } }, stateBadge(run?.state ?? 'unknown', run?.reason))],
        ['Exit code', run?.exitCode === undefined ? '' : String(run.exitCode)],
        ['Reason', run?.reason ?? ''],
        ['Message', run?.message ?? ''],
        ['Process', run?.podName ?? ''],
        [
          'Cancel',
          run?.cancelRequested && !isFinished(run.state) ? `requested (${run.cancelReason ?? ''})` : '',
        ],
      ]),
    );
  }

  let pointsRunning = false;
  async function refresh(): Promise<void> {
    let training: ModelTraining;
    let runs: WireRun[];
    try {
      let access;
      [training, runs, access] = await Promise.all([
        getTraining(trainingId),
        listRuns(trainingId),
        context.access,
      ]);
      mayChange = canChangeTrainings(access);
    } catch (error) {
      if (!life.gone) context.notify(errorText(error));
      return;
    }
    if (life.gone) return;
    context.notify('');
    const runId = runParam ?? training.status?.runId ?? runs.at(-1)?.id ?? '';
    const run = runs.find((r) => r.id === runId);
    const latest = runs.at(-1);
    drawTitle(training, latest);
    drawStatus(run);
    drawRuns(training, runs, runId);
    drawDetails(training, run);
    for (const element of box.querySelectorAll('h2 span'))
      element.textContent = run ? ` of run ${run.seq}` : '';
    if (!run) {
      if (!shownRun) log.textContent = '(no run)';
      return;
    }
    runOrigin = run.startedAt ? Date.parse(run.startedAt) / 1000 : undefined;
    const running = !isFinished(run.state);
    if (shownRun !== run.id) {
      shownRun = run.id;
      logAbort?.abort();
      logAbort = new AbortController();
      void followLog(log, { trainingId, runId: run.id }, running, logAbort.signal);
      points = undefined;
    }
    // Points of a finished run change no more: read once; a running run's are read on every refresh.
    if ((points === undefined || running) && !pointsRunning) {
      pointsRunning = true;
      try {
        const next = await loadPoints(training, run, life.signal);
        if (life.gone) return;
        const first = points === undefined;
        points = next;
        if (first)
          fill(
            controlsBox,
            chartControls(
              view,
              (changed) => {
                view = changed;
                drawCharts();
              },
              next.hasSteps,
            ),
          );
        drawCharts();
      } catch (error) {
        if (!life.gone) noteBox.textContent = `Metrics: ${errorText(error)}`;
      } finally {
        pointsRunning = false;
      }
    }
  }

  life.onDispose(poll(refresh, REFRESH_MS));
  life.onDispose(() => logAbort?.abort());
  life.onDispose(() => charts.dispose());
  return life;
}
