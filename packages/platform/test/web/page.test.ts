/**
 * The web page in a real headless Chromium against a real server (PGlite store, the shared Pushgateway and
 * Prometheus of the global setup): list, detail, log and a plot drawn from Prometheus' `query_range`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStore } from '../../src/store/create-store.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { waitForQuery } from '../../../../test/support/prometheus.js';
import { buildApp, cliTraining, seed } from '../server/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// `npm test` installs Chromium (scripts/test.mjs) when it runs as root; elsewhere the browser tests cannot run.
const skipReason = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing (apt-get install chromium needs root): browser tests skipped`;
if (skipReason) console.warn(skipReason);

const suffix = `${process.pid}-${Date.now().toString(36)}`;
const TRAINING = `web-${suffix}`;
const TOKEN = 'web-page-token-1';

describe.skipIf(skipReason !== undefined)('web page in Chromium', () => {
  let dir: string;
  let store: SqlStore;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  let runId: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gangplank-web-'));
    store = await createStore({ dataDir: dir, secretKey: Buffer.alloc(32, 3).toString('base64') });
    app = await buildApp(store, {
      prometheusUrl: inject('prometheusUrl'),
      auth: { tokens: [{ token: TOKEN, role: 'admin', subject: 'web' }] },
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    const auth = { authorization: `Bearer ${TOKEN}` };
    await seed(app, 'web-', auth);
    const created = await fetch(`${url}/api/v1/model/training`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(cliTraining(TRAINING, 'web-')),
    });
    expect(created.status).toBe(201);
    runId = ((await created.json()) as { status: { runId: string } }).status.runId;
    // What a dispatcher and a training process would leave: a running run, log lines, epochs of metrics.
    await store.updateRun(runId, { state: 'running', startedAt: new Date().toISOString() });
    await store.appendLogs(runId, [
      { stream: 'stdout', text: 'epoch 1/3 loss=0.9\n' },
      { stream: 'stdout', text: 'epoch 2/3 loss=0.5\n' },
    ]);
    const failed = await fetch(`${url}/api/v1/model/training`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(cliTraining(`${TRAINING}-f`, 'web-')),
    });
    const failedRun = ((await failed.json()) as { status: { runId: string } }).status.runId;
    await store.updateRun(failedRun, {
      state: 'failed',
      exitCode: 3,
      reason: 'exit code 3',
      startedAt: new Date(Date.now() - 65_000).toISOString(),
      finishedAt: new Date().toISOString(),
    });
    const gateway = inject('pushgatewayUrl');
    const group = `${gateway}/metrics/job/web-${suffix}/training/${TRAINING}/run_id/${runId}`;
    const losses = [0.9, 0.5, 0.3];
    for (const [i, loss] of losses.entries()) {
      const res = await fetch(group, {
        method: 'PUT',
        body: `# TYPE gangplank_train_loss gauge\ngangplank_train_loss ${loss}\n# TYPE gangplank_train_val_loss gauge\ngangplank_train_val_loss ${loss + 0.1}\n`,
      });
      expect(res.status).toBe(200);
      await waitForQuery(inject('prometheusUrl'), `gangplank_train_loss{training="${TRAINING}"} == ${loss}`);
      if (i < losses.length - 1) await new Promise((r) => setTimeout(r, 1100));
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    await fetch(
      `${inject('pushgatewayUrl')}/metrics/job/web-${suffix}/training/${TRAINING}/run_id/${runId}`,
      {
        method: 'DELETE',
      },
    ).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the page, its script and styles with their content types, without a token', async () => {
    const root = await fetch(`${url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    for (const [file, type] of [
      ['/ui/', 'text/html'],
      ['/ui/app.js', 'text/javascript'],
      ['/ui/style.css', 'text/css'],
      ['/ui/config.json', 'application/json'],
    ] as const) {
      const res = await fetch(`${url}${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toContain(type);
    }
    expect(await (await fetch(`${url}/ui/config.json`)).json()).toEqual({
      prometheus: true,
      pushgateway: false,
      auth: true,
    });
  });

  it('asks for a token, then lists the training with its state, and shows its detail, log and plots', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(`${url}/`);
      expect(new URL(page.url()).pathname).toBe('/ui/');
      await page.locator('#notice', { hasText: 'Authentication required' }).waitFor();

      await page.fill('#token', TOKEN);
      await page.click('#token-form button');
      const row = page.locator(`#trainings tr[data-id="${TRAINING}"]`);
      await row.locator('.state-running').waitFor();
      expect(await row.textContent()).toContain('wine 1.0');
      expect(await page.locator('a[href="/swagger"]').count()).toBe(1);
      const failedRow = page.locator(`#trainings tr[data-id="${TRAINING}-f"]`);
      await failedRow.locator('.state-failed').waitFor();
      const cells = await failedRow.locator('td').allTextContents();
      expect(cells.at(-2)).toBe('1m 5s'); // duration
      expect(cells.at(-1)).toBe('3'); // exit code
      if (process.env.GANGPLANK_WEB_SCREENSHOT)
        await page.screenshot({ path: process.env.GANGPLANK_WEB_SCREENSHOT.replace(/\.png$/, '-list.png') });

      await row.locator('a').click();
      await page.locator('#log', { hasText: 'epoch 2/3 loss=0.5' }).waitFor();
      expect(await page.locator('#runs').textContent()).toContain(runId);
      const plot = page.locator('#plots svg.plot[aria-label="loss"]');
      await plot.waitFor();
      const d = await plot.locator('path.line').first().getAttribute('d');
      expect(d).toMatch(/^M[\d.]+ [\d.]+ L/);
      expect(await plot.textContent()).toContain('val_loss');
      // The token survives a reload (localStorage).
      await page.reload();
      await page.locator('#log', { hasText: 'epoch 1/3' }).waitFor();
      // The log of a running run is followed, and the status refreshes by itself.
      await store.appendLogs(runId, [{ stream: 'stdout', text: 'epoch 3/3 loss=0.3\n' }]);
      await page.locator('#log', { hasText: 'epoch 3/3 loss=0.3' }).waitFor();
      await store.updateRun(runId, { state: 'succeeded', exitCode: 0, finishedAt: new Date().toISOString() });
      await page.locator('#state .state-succeeded').waitFor();
      if (process.env.GANGPLANK_WEB_SCREENSHOT)
        await page.screenshot({ path: process.env.GANGPLANK_WEB_SCREENSHOT, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
