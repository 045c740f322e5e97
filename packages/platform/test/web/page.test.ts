/**
 * The web app in a real headless Chromium against a real server (PGlite store, the shared Pushgateway and
 * Prometheus of the global setup): serving, the list (filters, sort, search, columns, cancelled apart), a run's
 * page (log, live status, charts from Prometheus for a run that recorded no history; history-page.test.ts has the charts from it), compare of three runs,
 * actions (create from YAML, edit, rerun, cancel, delete) and a viewer who sees none. Screenshots go to the folder
 * printed at the start.
 */
import { rm } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SqlStore } from '../../src/store/sql-store.js';
import { waitForQuery } from '../../../../test/support/prometheus.js';
import { buildApp, seed } from '../server/helpers.js';
import { createTraining, launch, prepareWebTest, shoot, skipReason, withPage } from './browser.js';

const suffix = `${process.pid}-${Date.now().toString(36)}`;
const TRAINING = `web-${suffix}`;
const FAILED = `${TRAINING}-f`;
const CANCELLED = `${TRAINING}-c`;
const TOKEN = 'web-page-token-1';
const VIEWER = 'web-viewer-token-1';

describe.skipIf(skipReason !== undefined)('web app in Chromium', () => {
  let dir: string;
  let store: SqlStore;
  let app: FastifyInstance;
  let open: FastifyInstance;
  let url: string;
  let openUrl: string;
  let browser: Browser;
  const runs: Record<string, string> = {};
  const auth = { authorization: `Bearer ${TOKEN}` };

  const create = (id: string, params: Record<string, string>): Promise<string> =>
    createTraining(url, auth, id, params);

  async function runsOf(
    id: string,
  ): Promise<{ id: string; spec: { hyperParameters?: Record<string, string> } }[]> {
    const res = await fetch(`${url}/api/v1/model/training/${id}/runs`, { headers: auth });
    return (await res.json()) as { id: string; spec: { hyperParameters?: Record<string, string> } }[];
  }

  beforeAll(async () => {
    ({ dir, store } = await prepareWebTest('gangplank-web-'));
    app = await buildApp(store, {
      prometheusUrl: inject('prometheusUrl'),
      auth: {
        tokens: [
          { token: TOKEN, role: 'admin', subject: 'web' },
          { token: VIEWER, role: 'viewer', subject: 'watcher' },
        ],
      },
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    open = await buildApp(store);
    openUrl = await open.listen({ host: '127.0.0.1', port: 0 });
    await seed(app, 'web-', auth);
    runs[TRAINING] = await create(TRAINING, { alpha: '1.0', epochs: '3' });
    runs[FAILED] = await create(FAILED, { alpha: '0.5', epochs: '3' });
    runs[CANCELLED] = await create(CANCELLED, { alpha: '0.1', epochs: '3', dropout: '0.2' });
    // What a dispatcher and a training process would leave: a running run with log lines, an artifact and epochs
    // of metrics; a failed run; a run that was cancelled.
    await store.updateRun(runs[TRAINING], {
      state: 'running',
      startedAt: new Date().toISOString(),
      artifacts: [{ artifactName: 'wine-1.0.zip', commitID: 'c0ffee', runId: 'mlflow-1' }],
    });
    await store.appendLogs(runs[TRAINING], [
      { stream: 'stdout', text: 'epoch 1/3 loss=0.9\n' },
      { stream: 'stdout', text: 'epoch 2/3 loss=0.5\n' },
    ]);
    await store.updateRun(runs[FAILED], {
      state: 'failed',
      exitCode: 3,
      reason: 'exit code 3',
      startedAt: new Date(Date.now() - 65_000).toISOString(),
      finishedAt: new Date().toISOString(),
    });
    await store.updateRun(runs[CANCELLED], {
      state: 'failed',
      exitCode: 143,
      reason: 'Cancelled',
      message: 'cancelled by a user',
      startedAt: new Date(Date.now() - 5_000).toISOString(),
      finishedAt: new Date().toISOString(),
    });
    const group = `${inject('pushgatewayUrl')}/metrics/job/web-${suffix}/training/${TRAINING}/run_id/${runs[TRAINING]}`;
    const losses = [0.9, 0.5, 0.3];
    for (const [i, loss] of losses.entries()) {
      const res = await fetch(group, {
        method: 'PUT',
        body: [
          '# TYPE gangplank_train_loss gauge',
          `gangplank_train_loss ${loss}`,
          '# TYPE gangplank_train_val_loss gauge',
          `gangplank_train_val_loss ${loss + 0.1}`,
          // Bookkeeping the exporter pushes too: never a chart.
          '# TYPE gangplank_train_status gauge',
          'gangplank_train_status{status="running"} 1',
          '# TYPE gangplank_train_start_timestamp_seconds gauge',
          `gangplank_train_start_timestamp_seconds ${Math.floor(Date.now() / 1000)}`,
          '',
        ].join('\n'),
      });
      expect(res.status).toBe(200);
      await waitForQuery(inject('prometheusUrl'), `gangplank_train_loss{training="${TRAINING}"} == ${loss}`);
      if (i < losses.length - 1) await new Promise((r) => setTimeout(r, 1100));
    }
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await open?.close();
    await store?.close();
    await fetch(
      `${inject('pushgatewayUrl')}/metrics/job/web-${suffix}/training/${TRAINING}/run_id/${runs[TRAINING]}`,
      { method: 'DELETE' },
    ).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the page and its hashed assets with their content types and caching, without a token', async () => {
    const root = await fetch(`${url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    const index = await fetch(`${url}/ui/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/ui\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      const res = await fetch(`${url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toContain(
        asset.endsWith('.js') ? 'text/javascript' : 'text/css',
      );
      expect(res.headers.get('cache-control'), asset).toContain('immutable');
    }
    expect((await fetch(`${url}/ui/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${url}/ui/assets/nothing.js`)).status).toBe(404);
    expect(await (await fetch(`${url}/ui/config.json`)).json()).toEqual({
      prometheus: true,
      pushgateway: false,
      auth: true,
    });
  });

  it('asks for a token, then lists, filters, sorts, searches and adds hyperparameter columns', async () => {
    await withPage(browser, undefined, async (page) => {
      await page.goto(`${url}/`);
      expect(new URL(page.url()).pathname).toBe('/ui/');
      await page.locator('#notice', { hasText: 'Authentication required' }).waitFor();
      await page.fill('#token', TOKEN);
      await page.click('#token-form button');

      const row = page.locator(`#trainings tr[data-id="${TRAINING}"]`);
      await row.locator('.state-running').waitFor();
      expect(await row.textContent()).toContain('wine 1.0');
      expect(await page.locator('a[href="/swagger"]').count()).toBe(1);
      const failedRow = page.locator(`#trainings tr[data-id="${FAILED}"]`);
      await failedRow.locator('.state-failed').waitFor();
      await failedRow.locator('td', { hasText: '1m 5s' }).waitFor(); // duration, from the run
      expect(await failedRow.locator('td').nth(7).textContent()).toBe('3'); // exit code
      // A cancelled run is not shown as failed.
      const cancelledRow = page.locator(`#trainings tr[data-id="${CANCELLED}"]`);
      await cancelledRow.locator('.state-cancelled').waitFor();
      expect(await cancelledRow.locator('.state-failed').count()).toBe(0);

      await page.selectOption('#filter-state', 'cancelled');
      await page.locator(`#trainings tr[data-id="${TRAINING}"]`).waitFor({ state: 'detached' });
      expect(await page.locator('#trainings tbody tr').count()).toBe(1);
      await page.selectOption('#filter-state', 'failed');
      expect(
        await page
          .locator('#trainings tbody tr')
          .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id)),
      ).toEqual([FAILED]);
      await page.selectOption('#filter-state', '');
      await page.fill('#search', `${suffix}-c`);
      expect(await page.locator('#trainings tbody tr').count()).toBe(1);
      await page.fill('#search', '');
      expect(await page.locator('#trainings tbody tr').count()).toBe(3);

      // Hyperparameter column, sorted by its value ascending then descending.
      await page.click('#columns-button');
      await page.check('#columns-picker input[aria-label="column alpha"]');
      await page.locator('#trainings th', { hasText: 'alpha' }).click();
      const ids = (): Promise<(string | undefined)[]> =>
        page
          .locator('#trainings tbody tr')
          .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id));
      expect(await ids()).toEqual([CANCELLED, FAILED, TRAINING]);
      await page.locator('#trainings th', { hasText: 'alpha' }).click();
      expect(await ids()).toEqual([TRAINING, FAILED, CANCELLED]);
      expect(await page.locator(`#trainings tr[data-id="${TRAINING}"] td`).last().textContent()).toBe('1.0');
      await page.locator('#columns-picker', { hasText: 'no metrics recorded' }).waitFor();
      console.log(`screenshot: ${await shoot(page, 'list')}`);
      // The list refreshes itself: a state change shows without a reload.
      await store.updateRun(runs[FAILED]!, { state: 'succeeded', exitCode: 0 });
      await failedRow.locator('.state-succeeded').waitFor();
      await store.updateRun(runs[FAILED]!, { state: 'failed', exitCode: 3 });
      await failedRow.locator('.state-failed').waitFor();
    });
  });

  it("shows a run's status, hyperparameters, resources, artifacts, followed log and charts, live", async () => {
    await withPage(browser, TOKEN, async (page) => {
      await page.goto(`${url}/ui/#/training/${TRAINING}`);
      await page.locator('#log', { hasText: 'epoch 2/3 loss=0.5' }).waitFor();
      expect(await page.locator('#runs').textContent()).toContain(runs[TRAINING]);
      expect(await page.locator('#hyperparameters').textContent()).toContain('alpha1.0');
      expect(await page.locator('#resources').textContent()).toContain('memory2Gi4Gi');
      const artifact = page.locator('#artifacts tr', { hasText: 'wine-1.0.zip' });
      expect(await artifact.locator('a.download').getAttribute('href')).toBe(
        `/api/v1/model/training/${TRAINING}/artifact/wine-1.0.zip`,
      );
      // A run that recorded no history: the charts come from Prometheus, on a time axis, train and validation together.
      const chart = page.locator('#charts figure[data-title="loss"]');
      await chart.locator('canvas').waitFor();
      expect(await chart.locator('.u-legend').textContent()).toContain('val_loss');
      expect(await page.locator('#x-axis option[value="step"]').isDisabled()).toBe(true);
      expect(
        await page
          .locator('#charts figure')
          .evaluateAll((f) => f.map((e) => (e as HTMLElement).dataset.title)),
      ).toEqual(['loss']);
      await page.locator('#charts-note', { hasText: 'Prometheus' }).waitFor();
      await page.selectOption('#x-axis', 'relative');
      await page.check('#log-scale');
      await page.locator('#charts figure[data-title="loss"] canvas').waitFor();
      console.log(`screenshot: ${await shoot(page, 'run')}`);

      // The log of a running run is followed, and the status refreshes by itself.
      await store.appendLogs(runs[TRAINING]!, [{ stream: 'stdout', text: 'epoch 3/3 loss=0.3\n' }]);
      await page.locator('#log', { hasText: 'epoch 3/3 loss=0.3' }).waitFor();
      await store.updateRun(runs[TRAINING]!, {
        state: 'succeeded',
        exitCode: 0,
        finishedAt: new Date().toISOString(),
      });
      await page.locator('#state .state-succeeded').waitFor();
      // Settings survive a reload (localStorage), and so does the token.
      await page.reload();
      await page.locator('#log', { hasText: 'epoch 1/3' }).waitFor();
      expect(await page.locator('#log-scale').isChecked()).toBe(true);
    });
  });

  it('compares three runs picked from the list: the hyperparameters that differ', async () => {
    await withPage(browser, TOKEN, async (page) => {
      await page.goto(`${url}/ui/#/`);
      for (const id of [TRAINING, FAILED, CANCELLED])
        await page.check(`#trainings tr[data-id="${id}"] input.pick`);
      await page.locator('#compare-selected', { hasText: '(3)' }).click();
      await page.locator('#compare-params').waitFor();
      const params = await page
        .locator('#compare-params tbody tr')
        .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.param));
      expect(params).toEqual(['alpha', 'dropout']); // epochs is the same everywhere
      expect(await page.locator('#compare-params tr[data-param="dropout"]').textContent()).toContain('—');
      await page.check('#show-all-params');
      await page.locator('#compare-params tr[data-param="epochs"]').waitFor();
      expect(await page.locator('#compare-runs tbody tr').count()).toBe(3);
      expect(await page.locator('#compare-runs').textContent()).toContain('cancelled');
      const hash = decodeURIComponent(new URL(page.url()).hash);
      expect(hash).toBe(
        `#/compare?runs=${TRAINING}/${runs[TRAINING]},${FAILED}/${runs[FAILED]},${CANCELLED}/${runs[CANCELLED]}`,
      );
      await page.locator('#compare-note', { hasText: 'recorded a run history' }).waitFor();
      console.log(`screenshot: ${await shoot(page, 'compare')}`);
    });
  });

  it('reruns, edits from YAML, cancels, creates from YAML and deletes, as an admin', async () => {
    await withPage(browser, TOKEN, async (page) => {
      // Rerun: the same spec PUT again makes run 2, and the page follows it.
      await page.goto(`${url}/ui/#/training/${FAILED}`);
      await page.click('#rerun');
      await page.locator('#runs tbody tr').nth(1).waitFor();
      const afterRerun = await runsOf(FAILED);
      expect(afterRerun).toHaveLength(2);
      expect(afterRerun[1]!.spec.hyperParameters).toEqual({ alpha: '0.5', epochs: '3' });
      await page.waitForURL((u) => u.hash.endsWith(`/${afterRerun[1]!.id}`));

      // Edit: the manifest as YAML, changed and saved, reruns with the change.
      await page.goto(`${url}/ui/#/training/${CANCELLED}`);
      await page.click('#edit');
      const manifest = await page.inputValue('#manifest');
      expect(manifest).toContain(`id: ${CANCELLED}`);
      expect(manifest).toContain('alpha: "0.1"');
      await page.fill('#manifest', manifest.replace('alpha: "0.1"', 'alpha: "0.25"'));
      console.log(`screenshot: ${await shoot(page, 'edit')}`);
      await page.click('#manifest-save');
      await page.locator('#editor').waitFor({ state: 'detached' });
      await page.locator('#hyperparameters', { hasText: '0.25' }).waitFor();
      expect((await runsOf(CANCELLED)).map((r) => r.spec.hyperParameters?.alpha)).toEqual(['0.1', '0.25']);

      // Cancel the new run: not yet claimed by any executor, it ends at once, shown as cancelled (not failed).
      await page.locator('#cancel').click();
      await page.locator('#state .state-cancelled').waitFor();
      await page.locator('#cancel').waitFor({ state: 'detached' });

      // Create from YAML; a wrong manifest shows the server's message and stays open.
      await page.goto(`${url}/ui/#/`);
      await page.click('#new-training');
      await page.fill('#manifest', 'kind: ModelTraining\nid: Not_Valid\nspec: {}\n');
      await page.click('#manifest-save');
      await page.locator('#manifest-error:not(:empty)').waitFor();
      const created = `${TRAINING}-new`;
      await page.fill(
        '#manifest',
        [
          'kind: ModelTraining',
          `id: ${created}`,
          'spec:',
          '  model: { name: wine, version: "2.0" }',
          '  toolchain: web-mlflow',
          '  entrypoint: main',
          '  hyperParameters: { alpha: "0.7" }',
          '  algorithmSource: { vcs: { connection: web-repo, reference: main } }',
          '',
        ].join('\n'),
      );
      await page.click('#manifest-save');
      await page.waitForURL((u) => u.hash.startsWith(`#/training/${created}`));
      await page.locator('#hyperparameters', { hasText: '0.7' }).waitFor();

      // Delete (confirmed): back to the list, gone from the server.
      await page.click('#delete');
      await page.waitForURL((u) => u.hash === '#/');
      await page.locator(`#trainings tr[data-id="${TRAINING}"]`).waitFor();
      expect(await page.locator(`#trainings tr[data-id="${created}"]`).count()).toBe(0);
      expect((await fetch(`${url}/api/v1/model/training/${created}`, { headers: auth })).status).toBe(404);
    });
  });

  it('shows a viewer no action, and everyone every action when authentication is off', async () => {
    await withPage(browser, VIEWER, async (page) => {
      await page.goto(`${url}/ui/#/`);
      await page.locator(`#trainings tr[data-id="${TRAINING}"]`).waitFor();
      await page.locator('#whoami', { hasText: 'watcher (viewer)' }).waitFor();
      expect(await page.locator('#new-training').count()).toBe(0);
      await page.goto(`${url}/ui/#/training/${TRAINING}`);
      await page.locator('#log', { hasText: 'epoch 1/3' }).waitFor();
      for (const action of ['#edit', '#rerun', '#cancel', '#delete'])
        expect(await page.locator(action).count(), action).toBe(0);
    });
    await withPage(browser, undefined, async (page) => {
      await page.goto(`${openUrl}/ui/#/training/${TRAINING}`);
      await page.locator('#log', { hasText: 'epoch 1/3' }).waitFor();
      for (const action of ['#edit', '#rerun', '#delete'])
        expect(await page.locator(action).count(), action).toBe(1);
    });
  });
});
