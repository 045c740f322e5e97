/**
 * The web page's only script (an ES module, no framework, no build step): hash routes `#/` (trainings) and
 * `#/training/<id>[/<runId>]` (one training), REST calls with the optional bearer token kept in localStorage.
 * `svgPlot` is inlined from its module so the page and the unit tests share one implementation.
 */
import { svgPlot } from './plot.js';

// String.raw keeps the script's backslash escapes; the script itself uses no template literals.
export const APP_JS = String.raw`// Gangplank web page
const svgPlot = ${svgPlot.toString()};

const TOKEN_KEY = 'gangplank.token';
const API = '/api/v1/model/training';
const LIST_REFRESH_MS = 5000;
// Newest first; one run request per row, so the list stays a page, not the whole store.
const LIST_SIZE = 100;
const DETAIL_REFRESH_MS = 3000;
const FINISHED = ['succeeded', 'failed'];
const view = document.getElementById('view');
const notice = document.getElementById('notice');
let timer = 0;
let logAbort = null;
let generation = 0;

function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
}

function headers() {
  const token = localStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: 'Bearer ' + token } : {};
}

async function api(path) {
  return (await apiResponse(path)).json();
}

async function apiResponse(path) {
  const res = await fetch(path, { headers: headers() });
  if (res.status === 401 || res.status === 403) {
    throw new Error((res.status === 401 ? 'Authentication required' : 'Not allowed') + ': enter a valid bearer token above.');
  }
  if (!res.ok) {
    let message = res.statusText;
    try { message = (await res.json()).message || message; } catch {}
    throw new Error(path + ': ' + res.status + ' ' + message);
  }
  return res;
}

function stateBadge(state) {
  const s = state || 'unknown';
  return '<span class="state state-' + esc(s) + '">' + esc(s) + '</span>';
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function duration(run) {
  if (!run || !run.startedAt) return '';
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  let s = Math.max(0, Math.round((end - Date.parse(run.startedAt)) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s = s % 60;
  return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s + 's';
}

function exitCode(value) {
  return value === undefined || value === null ? '' : String(value);
}

function showError(error) {
  notice.textContent = error instanceof Error ? error.message : String(error);
}

function schedule(fn, ms) {
  clearTimeout(timer);
  timer = setTimeout(fn, ms);
}

async function renderList(gen) {
  try {
    const res = await apiResponse(API + '?sort=-createdAt&size=' + LIST_SIZE);
    const trainings = await res.json();
    const total = Number(res.headers.get('x-total-count') || trainings.length);
    const runs = await Promise.all(
      trainings.map((t) =>
        t.status && t.status.runId
          ? api(API + '/' + encodeURIComponent(t.id) + '/runs/' + encodeURIComponent(t.status.runId)).catch(() => null)
          : null,
      ),
    );
    if (gen !== generation) return;
    notice.textContent = '';
    const rows = trainings
      .map((t, i) => {
        const run = runs[i];
        const model = t.spec && t.spec.model ? t.spec.model.name + ' ' + t.spec.model.version : '';
        return (
          '<tr data-id="' + esc(t.id) + '"><td><a href="#/training/' + encodeURIComponent(t.id) + '">' + esc(t.id) +
          '</a></td><td>' + esc(model) + '</td><td>' + esc(t.spec ? t.spec.toolchain : '') + '</td><td>' +
          stateBadge(t.status && t.status.state) + '</td><td>' + esc(when(run && (run.startedAt || run.createdAt))) +
          '</td><td>' + esc(duration(run)) + '</td><td>' + esc(exitCode(t.status && t.status.exitCode)) + '</td></tr>'
        );
      })
      .join('');
    view.innerHTML =
      '<h1>Trainings</h1>' +
      (trainings.length === 0
        ? '<p class="muted">No trainings yet. Create one with <code>gangplank training create -f file.yaml</code> or the API.</p>'
        : '<table id="trainings"><thead><tr><th>ID</th><th>Model</th><th>Toolchain</th><th>State</th><th>Started</th><th>Duration</th><th>Exit code</th></tr></thead><tbody>' +
          rows + '</tbody></table>') +
      '<p class="muted">' + (total > trainings.length ? 'Newest ' + trainings.length + ' of ' + total + ' trainings (the CLI lists all). ' : '') +
      'Refreshes every ' + LIST_REFRESH_MS / 1000 + ' s.</p>';
  } catch (error) {
    if (gen !== generation) return;
    showError(error);
  }
  if (gen === generation) schedule(() => renderList(gen), LIST_REFRESH_MS);
}

function summary(t) {
  const s = t.spec || {};
  const items = [
    ['Model', s.model ? s.model.name + ' ' + s.model.version : ''],
    ['Toolchain', s.toolchain],
    ['Entry point', s.entrypoint],
    ['Arguments', s.args && s.args.length ? s.args.join(' ') : ''],
    ['Hyper-parameters', s.hyperParameters ? Object.entries(s.hyperParameters).map((e) => e[0] + '=' + e[1]).join(', ') : ''],
    ['Source', s.algorithmSource ? JSON.stringify(s.algorithmSource.vcs || s.algorithmSource.objectStorage || s.algorithmSource) : ''],
    ['Data', s.data && s.data.length ? s.data.map((d) => d.connection + ' → ' + d.localPath).join(', ') : ''],
    ['Output connection', s.outputConnection],
    ['Resources', s.resources ? JSON.stringify(s.resources) : ''],
    ['Created', when(t.createdAt)],
    ['Updated', when(t.updatedAt)],
  ];
  return '<dl class="summary">' + items.filter((i) => i[1]).map((i) => '<dt>' + esc(i[0]) + '</dt><dd>' + esc(i[1]) + '</dd>').join('') + '</dl>';
}

function artifactsOf(run) {
  const list = (run && run.artifacts) || [];
  if (list.length === 0) return '<p class="muted">No artifacts.</p>';
  return '<table id="artifacts"><thead><tr><th>Artifact</th><th>Commit</th><th>Run</th></tr></thead><tbody>' +
    list.map((a) => '<tr><td>' + esc(a.artifactName) + '</td><td>' + esc(a.commitID) + '</td><td>' + esc(a.runId) + '</td></tr>').join('') +
    '</tbody></table>';
}

function runsTable(t, runs, selected) {
  if (runs.length === 0) return '<p class="muted">No runs.</p>';
  return '<table id="runs"><thead><tr><th>#</th><th>Run</th><th>State</th><th>Started</th><th>Duration</th><th>Exit code</th><th>Reason</th></tr></thead><tbody>' +
    runs.slice().reverse().map((r) =>
      '<tr' + (r.id === selected ? ' class="selected"' : '') + '><td>' + esc(r.seq) + '</td><td><a href="#/training/' +
      encodeURIComponent(t.id) + '/' + encodeURIComponent(r.id) + '">' + esc(r.id) + '</a></td><td>' + stateBadge(r.state) +
      '</td><td>' + esc(when(r.startedAt)) + '</td><td>' + esc(duration(r)) + '</td><td>' + esc(exitCode(r.exitCode)) +
      '</td><td>' + esc([r.reason, r.message].filter(Boolean).join(': ')) + '</td></tr>').join('') +
    '</tbody></table>';
}

/** Groups series into plots: losses together, accuracies together, learning rate, then any other gauge. */
function plotGroups(series) {
  const groups = new Map();
  const skip = /epochs?_(count|total|target)|elapsed_time|parameters_count|model_weights/;
  for (const s of series) {
    if (skip.test(s.name)) continue;
    const key = s.name.replace(/^gangplank_train_/, '');
    const group = /loss/.test(key) ? 'loss' : /acc/.test(key) ? 'accuracy' : /(^|_)(lr|learning_rate)$/.test(key) ? 'learning rate' : key;
    const extra = Object.entries(s.labels).filter((e) => !['job', 'instance', 'training', 'run_id'].includes(e[0]));
    const name = key + (extra.length ? '{' + extra.map((e) => e[0] + '=' + e[1]).join(',') + '}' : '');
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push({ name, points: s.points });
  }
  return groups;
}

async function renderPlots(trainingId, runId, gen) {
  const box = document.getElementById('plots');
  if (!box) return;
  try {
    const data = await api(API + '/' + encodeURIComponent(trainingId) + '/metrics' + (runId ? '?run=' + encodeURIComponent(runId) : ''));
    if (gen !== generation) return;
    const groups = plotGroups(data.series);
    const xFormat = data.source === 'prometheus' ? 'time' : 'number';
    let html = '';
    for (const [title, series] of groups) html += svgPlot(series, { title, xFormat, width: 520, height: 240 });
    const from = data.source === 'none' ? 'no Prometheus or Pushgateway configured on the server' :
      data.source === 'prometheus' ? 'from Prometheus' : 'current values from the Pushgateway (no Prometheus configured: no history)';
    box.innerHTML = (html || '<p class="muted">No gangplank_train_* metrics for this run.</p>') +
      '<p class="muted">' + esc(from) + (data.warning ? ' — ' + esc(data.warning) : '') + '</p>';
  } catch (error) {
    if (gen === generation) box.innerHTML = '<p class="muted">' + esc(error.message) + '</p>';
  }
}

async function followLog(trainingId, runId, running, gen) {
  const pre = document.getElementById('log');
  if (logAbort) logAbort.abort();
  logAbort = new AbortController();
  pre.textContent = '';
  const url = API + '/' + encodeURIComponent(trainingId) + '/log?run=' + encodeURIComponent(runId) + (running ? '&follow=true' : '');
  try {
    const res = await fetch(url, { headers: headers(), signal: logAbort.signal });
    if (!res.ok) throw new Error('log: ' + res.status);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || gen !== generation) break;
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent += value;
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    }
    if (gen === generation && pre.textContent === '') pre.textContent = '(no log lines)';
  } catch (error) {
    if (gen === generation && error.name !== 'AbortError') pre.textContent += '\n[' + error.message + ']';
  }
}

async function renderTraining(id, runParam, gen) {
  let t;
  let runs;
  try {
    [t, runs] = await Promise.all([
      api(API + '/' + encodeURIComponent(id)),
      api(API + '/' + encodeURIComponent(id) + '/runs'),
    ]);
  } catch (error) {
    if (gen === generation) {
      showError(error);
      view.innerHTML = '<p><a href="#/">← Trainings</a></p>';
    }
    return;
  }
  if (gen !== generation) return;
  notice.textContent = '';
  const runId = runParam || (t.status && t.status.runId) || (runs.length ? runs[runs.length - 1].id : '');
  const run = runs.find((r) => r.id === runId);
  const first = !document.getElementById('training-' + id + '/' + runId);
  const status = t.status || {};
  const statusHtml =
    '<dl class="summary"><dt>State</dt><dd id="state">' + stateBadge(status.state) + '</dd>' +
    (status.exitCode !== undefined ? '<dt>Exit code</dt><dd>' + esc(status.exitCode) + '</dd>' : '') +
    (status.reason ? '<dt>Reason</dt><dd>' + esc(status.reason) + '</dd>' : '') +
    (status.message ? '<dt>Message</dt><dd>' + esc(status.message) + '</dd>' : '') +
    (status.podName ? '<dt>Process</dt><dd>' + esc(status.podName) + '</dd>' : '') + '</dl>';
  if (first) {
    view.innerHTML =
      '<div id="' + esc('training-' + id + '/' + runId) + '"><p><a href="#/">← Trainings</a></p><h1>Training ' + esc(id) + '</h1>' +
      '<h2>Status</h2><div id="status"></div><h2>Spec</h2>' + summary(t) +
      '<h2>Runs</h2><div id="runs-box"></div><h2>Metrics' + (run ? ' of run ' + esc(run.seq) : '') + '</h2><div id="plots" class="plots"><p class="muted">Loading…</p></div>' +
      '<h2>Artifacts</h2><div id="artifacts-box"></div><h2>Log' + (run ? ' of run ' + esc(run.seq) : '') + '</h2><pre id="log" class="log"></pre></div>';
    if (runId) void followLog(id, runId, run && !FINISHED.includes(run.state), gen);
    else document.getElementById('log').textContent = '(no run)';
  }
  document.getElementById('status').innerHTML = statusHtml;
  document.getElementById('runs-box').innerHTML = runsTable(t, runs, runId);
  document.getElementById('artifacts-box').innerHTML = artifactsOf(run);
  const running = run && !FINISHED.includes(run.state);
  if (first || running) await renderPlots(id, runId, gen);
  // Plots of a finished run change no more; the status keeps polling for a new run (a PUT reruns the training).
  if (gen === generation) schedule(() => renderTraining(id, runParam, gen), DETAIL_REFRESH_MS);
}

function route() {
  generation++;
  clearTimeout(timer);
  if (logAbort) logAbort.abort();
  notice.textContent = '';
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'training' && parts[1]) {
    view.innerHTML = '<p class="muted">Loading…</p>';
    void renderTraining(parts[1], parts[2], generation);
  } else {
    void renderList(generation);
  }
}

document.getElementById('token').value = localStorage.getItem(TOKEN_KEY) || '';
document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = document.getElementById('token').value.trim();
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  route();
});
window.addEventListener('hashchange', route);
fetch('/ui/config.json')
  .then((r) => r.json())
  .then((c) => {
    document.getElementById('metrics-source').textContent = 'metrics: ' + (c.prometheus ? 'Prometheus' : c.pushgateway ? 'Pushgateway (no history)' : 'not configured');
  })
  .catch(() => undefined);
route();
`;
