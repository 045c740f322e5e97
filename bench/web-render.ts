/**
 * Web app first render, against a plain HTML table of the same data in the same browser (Debian's Chromium through
 * playwright-core), measured in one run: the trainings list with 1,000 trainings in the store (real server, PGlite)
 * and the compare view of 10 runs × 100 epochs. Also prints the bundle size. Targets: list within 2× the plain
 * table, compare within 5×.
 *
 *   npx tsx bench/web-render.ts [--trainings 1000] [--runs 10] [--epochs 100] [--samples 7]
 *
 * "First render" is navigation start to the frame where every list row (or the compare chart and its tables) is in
 * the page, read from `performance.now()` in the page; the plain table is static HTML holding the same rows, so it
 * is what the browser needs at least. The compare view's generated points are stored in the server's run history
 * and read through its one `GET …/training-history?runs=` request; the list uses no history.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import type { ModelTraining, ModelTrainingSpec } from '../packages/platform/src/domain/types.js';
import { createApp } from '../packages/platform/src/server/app.js';
import { createStore } from '../packages/platform/src/store/create-store.js';

const { values } = parseArgs({
  options: {
    trainings: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '10' },
    epochs: { type: 'string', default: '100' },
    samples: { type: 'string', default: '7' },
  },
});
const TRAININGS = Number(values.trainings);
const RUNS = Number(values.runs);
const EPOCHS = Number(values.epochs);
const SAMPLES = Number(values.samples);
const PLATFORM = fileURLToPath(new URL('../packages/platform/', import.meta.url));

function bundleSize(): { raw: number; gzip: number; files: string[] } {
  const dir = path.join(PLATFORM, 'dist', 'webapp', 'assets');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const body = readFileSync(path.join(dir, file));
    raw += body.length;
    gzip += gzipSync(body).length;
  }
  return { raw, gzip, files };
}

const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function plainTable(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th>${escape(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('');
  return `<!doctype html><meta charset="utf-8"><title>plain</title><table id="plain"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Serves fixed HTML documents on loopback (the baseline pages). */
async function staticServer(
  pages: Record<string, string>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body = pages[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * ms from navigation start to the first frame painted after `ready` held (the frame after the one whose
 * animation-frame callback saw it, so its layout and paint are done), read in the page; and when the API answer
 * `api` (a URL part) had fully arrived, if the page asked for it.
 */
async function firstRender(page: Page, url: string, ready: string, api?: string): Promise<[number, number]> {
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  // A string, so the page runs it as written (no helpers of the TypeScript loader inside).
  return page.evaluate(`new Promise((resolve) => {
    const answered = () => {
      const entry = ${JSON.stringify(api ?? '')}
        ? performance.getEntriesByType('resource').find((e) => e.name.includes(${JSON.stringify(api ?? '')}))
        : undefined;
      return entry ? entry.responseEnd : NaN;
    };
    const tick = () => {
      if (${ready}) requestAnimationFrame(() => resolve([performance.now(), answered()]));
      else requestAnimationFrame(tick);
    };
    tick();
  })`);
}

function median(xs: number[]): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

type Target = [url: string, ready: string, api?: string];

/** Alternates the two pages SAMPLES times (after one warm-up each): medians of app, plain, app's API answer. */
async function measure(page: Page, app: Target, plain: Target): Promise<[number, number, number]> {
  await firstRender(page, ...app);
  await firstRender(page, ...plain);
  const a: number[] = [];
  const b: number[] = [];
  const api: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const [total, answered] = await firstRender(page, ...app);
    a.push(total);
    api.push(answered);
    b.push((await firstRender(page, ...plain))[0]);
  }
  return [median(a), median(b), median(api)];
}

function historyOf(k: number, start: number): { name: string; phase: string; points: object[] }[] {
  const points = (f: (e: number) => number): object[] =>
    Array.from({ length: EPOCHS }, (_, e) => ({ step: e + 1, time: start + e * 0.5, value: f(e + 1) }));
  return [
    { name: 'loss', phase: 'train', points: points((e) => 2 / (1 + e * (0.05 + k * 0.01))) },
    { name: 'val_loss', phase: 'train', points: points((e) => 2.1 / (1 + e * (0.05 + k * 0.01))) },
    { name: 'accuracy', phase: 'train', points: points((e) => 1 - 0.9 / (1 + e * 0.1)) },
    { name: 'val_accuracy', phase: 'train', points: points((e) => 0.98 - 0.9 / (1 + e * 0.1)) },
  ];
}

const build = spawnSync(process.execPath, [path.join(PLATFORM, 'webapp', 'build.mjs')], { encoding: 'utf8' });
if (build.status !== 0) throw new Error(build.stderr);
const size = bundleSize();

const dir = await mkdtemp(path.join(tmpdir(), 'gangplank-bench-web-'));
const store = await createStore({ dataDir: dir, secretKey: Buffer.alloc(32, 5).toString('base64') });
const app = await createApp({ store });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const spec = (i: number): ModelTrainingSpec => ({
    model: { name: `model-${i % 7}`, version: '1.0' },
    toolchain: i % 2 ? 'mlflow' : 'keras',
    entrypoint: 'main',
    hyperParameters: { lr: String(0.001 * (1 + (i % 10))), epochs: String(EPOCHS) },
    algorithmSource: { vcs: { connection: 'repo' } },
  });
  const trainings: ModelTraining[] = [];
  for (let i = 0; i < TRAININGS; i++) {
    const { training } = await store.createTraining(`bench-${String(i).padStart(4, '0')}`, spec(i));
    trainings.push(training);
  }
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();

  // List: every training in the app's table vs the same columns as static HTML.
  const listRows = trainings.map((t) => [
    '',
    t.id,
    `${t.spec.model.name} ${t.spec.model.version}`,
    t.spec.toolchain,
    t.status.state,
    '',
    '',
    '',
  ]);
  const compareRefs = trainings.slice(0, RUNS).map((t) => ({ id: t.id, runId: t.status.runId ?? '' }));
  const start = Date.now() / 1000 - 3600;
  const histories = compareRefs.map((ref, k) => ({ ...ref, series: historyOf(k, start) }));
  // The plain compare page: per epoch one row of every run's loss, plus each metric's min, max and last per run.
  const compareRows = Array.from({ length: EPOCHS }, (_, e) => [
    String(e + 1),
    ...histories.map((h) => String((h.series[0]?.points[e] as { value: number }).value)),
  ]);
  const summaryRows = histories.map((h) => [
    h.id,
    ...h.series.flatMap((s) => {
      const v = s.points.map((p) => (p as { value: number }).value);
      return [String(Math.min(...v)), String(Math.max(...v)), String(v.at(-1))];
    }),
  ]);
  const plain = await staticServer({
    '/list': plainTable(
      ['', 'ID', 'Model', 'Toolchain', 'State', 'Started', 'Duration', 'Exit code'],
      listRows,
    ),
    '/compare':
      plainTable(['epoch', ...histories.map((h) => h.id)], compareRows) +
      plainTable(
        ['run', ...histories[0]!.series.flatMap((s) => [`${s.name} min`, 'max', 'last'])],
        summaryRows,
      ),
  });
  // The compare view reads them through the real `GET …/training-history?runs=` route.
  for (const h of histories) {
    await store.appendHistory(
      h.runId,
      h.series.flatMap((s) =>
        (s.points as { step: number; time: number; value: number }[]).map((p) => ({
          phase: 'train' as const,
          name: s.name,
          ...p,
        })),
      ),
    );
  }

  const [listApp, listPlain, listApi] = await measure(
    page,
    [
      `${url}/ui/#/`,
      `document.querySelectorAll('#trainings tbody tr').length === ${TRAININGS}`,
      '/api/v1/model/training?',
    ],
    [`${plain.url}/list`, `document.querySelectorAll('#plain tbody tr').length === ${TRAININGS}`],
  );
  const runs = compareRefs.map((r) => `${r.id}/${r.runId}`).join(',');
  const [compareApp, comparePlain, compareApi] = await measure(
    page,
    [
      `${url}/ui/#/compare?runs=${runs}`,
      `document.querySelector('#compare-chart canvas') !== null && document.querySelectorAll('#compare-metrics tbody tr').length === ${RUNS}`,
      'training-history',
    ],
    [`${plain.url}/compare`, `document.querySelectorAll('tbody tr').length === ${EPOCHS + RUNS}`],
  );
  await plain.close();

  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`bundle: ${size.files.join(', ')}: ${kib(size.raw)} (${kib(size.gzip)} gzip)`);
  console.log(`samples: ${SAMPLES} per page (median), Chromium ${browser.version()}`);
  console.log(
    `list of ${TRAININGS}: app ${listApp.toFixed(0)} ms (its list answer in at ${listApi.toFixed(0)} ms), plain table ${listPlain.toFixed(0)} ms, ratio ${(listApp / listPlain).toFixed(2)} (target ≤ 2)`,
  );
  console.log(
    `compare ${RUNS} runs × ${EPOCHS} epochs: app ${compareApp.toFixed(0)} ms (history in at ${compareApi.toFixed(0)} ms), plain table ${comparePlain.toFixed(0)} ms, ratio ${(compareApp / comparePlain).toFixed(2)} (target ≤ 5)`,
  );
} finally {
  await browser.close();
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
