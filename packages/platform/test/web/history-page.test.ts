/**
 * The web app on the real run-history and artifact routes, in headless Chromium: three runs record their epochs
 * (train and validation loss, accuracy, learning rate, a weights histogram per epoch) through
 * `POST …/history` with their own run credentials, then finish with an artifact zip in their run folder. Checked:
 * a run's charts by step from that history (not Prometheus), the EMA slider changing what is drawn, the
 * distribution chart, compare with the three runs overlaid and the min/max/last table, metric columns in the list,
 * and the artifact download's bytes. Screenshots go to the folder printed at the start.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunCredentials } from '../../src/server/run-credential.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { buildApp, seed } from '../server/helpers.js';
import { createTraining, launch, prepareWebTest, shoot, skipReason, withPage } from './browser.js';

const suffix = `${process.pid}-${Date.now().toString(36)}`;
const IDS = ['a', 'b', 'c'].map((k) => `hist-${k}-${suffix}`);
const TOKEN = 'history-page-token-1';
const EPOCHS = 12;
const ARTIFACT = 'wine-1.0-hist.zip';
const credentials = createRunCredentials(randomBytes(32));

/** The points a run of rate `r` records for each epoch (values differ per run, so overlays are told apart). */
function epochPoints(r: number, step: number, time: number): Record<string, unknown>[] {
  const loss = 1.2 * Math.exp(-r * step) + 0.05 * Math.sin(step * 1.7);
  const weights = (spread: number) =>
    [-1, -0.5, -0.25, 0, 0.25, 0.5, 1].map((le, i) => ({
      le,
      count: Math.round(100 * (1 / (1 + Math.exp(-le / spread)))) + i * 0,
    }));
  return [
    { phase: 'train', name: 'loss', step, time, value: loss },
    { phase: 'train', name: 'val_loss', step, time, value: loss + 0.08 },
    { phase: 'train', name: 'accuracy', step, time, value: 1 - loss / 2 },
    { phase: 'train', name: 'learning_rate', step, time, value: 0.01 * 0.9 ** step },
    {
      phase: 'train',
      name: 'dense_weights',
      kind: 'histogram',
      step,
      time,
      buckets: [...weights(0.1 + step * 0.03), { le: '+Inf', count: 100 }],
      sum: step,
      count: 100,
    },
  ];
}

describe.skipIf(skipReason !== undefined)('web app on the run history and artifact routes', () => {
  let dir: string;
  let store: SqlStore;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  const runs: string[] = [];
  const auth = { authorization: `Bearer ${TOKEN}` };
  const zip = randomBytes(40_000);

  beforeAll(async () => {
    ({ dir, store } = await prepareWebTest('gangplank-web-history-'));
    app = await buildApp(store, {
      auth: { tokens: [{ token: TOKEN, role: 'admin', subject: 'web' }] },
      runCredentials: credentials,
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    await seed(app, 'web-', auth);
    const start = Math.floor(Date.now() / 1000) - 600;
    for (const [i, id] of IDS.entries()) {
      const runId = await createTraining(url, auth, id, {
        lr: (0.1 * (i + 1)).toFixed(1),
        epochs: String(EPOCHS),
      });
      runs.push(runId);
      await store.updateRun(runId, {
        state: 'running',
        startedAt: new Date(start * 1000).toISOString(),
      });
      const points = Array.from({ length: EPOCHS }, (_v, e) =>
        epochPoints(0.15 * (i + 1), e + 1, start + 5 * (e + 1)),
      ).flat();
      const recorded = await fetch(`${url}/api/v1/model/training/${id}/runs/${runId}/history`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${credentials.issue(id, runId)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ points }),
      });
      expect(recorded.status, await recorded.clone().text()).toBe(200);
      expect(((await recorded.json()) as { stored: number }).stored).toBe(points.length);
      // What the local executor leaves: the zip in <run folder>/artifacts, the folder in the run's handle.
      const runDir = path.join(dir, 'runs', runId);
      mkdirSync(path.join(runDir, 'artifacts'), { recursive: true });
      await writeFile(path.join(runDir, 'artifacts', ARTIFACT), zip);
      await store.updateRun(runId, {
        state: 'succeeded',
        finishedAt: new Date((start + 5 * EPOCHS + 3) * 1000).toISOString(),
        artifacts: [{ runId, artifactName: ARTIFACT, commitID: 'c0ffee' }],
        executorHandle: { executor: 'local', runId, dir: runDir },
      });
    }
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A fingerprint of what the charts drew (their canvases' pixels). */
  async function pixels(page: Page, selector: string): Promise<string> {
    const urls = await page
      .locator(`${selector} canvas`)
      .evaluateAll((canvases) => canvases.map((c) => (c as HTMLCanvasElement).toDataURL()));
    return createHash('sha256').update(urls.join()).digest('hex');
  }

  it("draws a run's history by step, smooths it with the EMA slider, and shows the weights distribution", async () => {
    await withPage(browser, TOKEN, async (page) => {
      await page.goto(`${url}/ui/#/training/${IDS[0]}/${runs[0]}`);
      const loss = page.locator('figure.chart[data-title="loss"]');
      await loss.locator('canvas').first().waitFor();
      // Train and validation in one chart, the x axis in steps, no Prometheus note.
      const legend = (await loss.locator('.u-legend').textContent()) ?? '';
      expect(legend).toContain('val_loss');
      expect(await page.locator('#x-axis').inputValue()).toBe('step');
      expect(await page.textContent('body')).not.toContain('Prometheus samples');
      const titles = await page
        .locator('figure.chart')
        .evaluateAll((f) => f.map((e) => e.getAttribute('data-title')));
      expect(titles).toEqual(expect.arrayContaining(['loss', 'accuracy', 'learning_rate']));
      expect(titles.some((t) => t !== null && /timestamp|status|target/.test(t))).toBe(false);
      // Hovering epoch-by-epoch: the legend reads the recorded value at a step.
      const box = (await loss.locator('.u-over').boundingBox())!;
      await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
      expect(await loss.locator('.u-legend').textContent()).toContain(String(EPOCHS));
      console.log(`screenshot: ${await shoot(page, 'run-history')}`);

      const raw = await pixels(page, '#charts');
      await page.locator('#smoothing').fill('0.9');
      await page.locator('#smoothing').dispatchEvent('input');
      await expect.poll(() => pixels(page, '#charts')).not.toBe(raw);
      // The raw curves stay drawn faintly under the smoothed ones, kept out of the legend.
      const shown = await loss
        .locator('.u-legend .u-series')
        .evaluateAll((rows) => rows.filter((r) => (r as HTMLElement).style.display !== 'none').length);
      expect(shown).toBe(3);
      console.log(`screenshot: ${await shoot(page, 'run-smoothed')}`);
      await page.locator('#smoothing').fill('0');
      await page.locator('#smoothing').dispatchEvent('input');
      await expect.poll(() => pixels(page, '#charts')).toBe(raw);

      const distribution = page.locator('figure.distribution[data-title="dense_weights (distribution)"]');
      await distribution.locator('canvas').first().waitFor();
      await distribution.scrollIntoViewIfNeeded();
      console.log(`screenshot: ${await shoot(page, 'distribution')}`);
    });
  });

  it('downloads the run artifact through its link, with the token', async () => {
    await withPage(browser, TOKEN, async (page) => {
      await page.goto(`${url}/ui/#/training/${IDS[1]}/${runs[1]}`);
      const link = page.locator('#artifacts a.download');
      await link.waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe(ARTIFACT);
      const saved = await download.path();
      expect(readFileSync(saved).equals(zip)).toBe(true);
    });
  });

  it('overlays one metric of three runs in one chart, with min, max and last per run', async () => {
    await withPage(browser, TOKEN, async (page) => {
      await page.goto(`${url}/ui/#/compare?runs=${IDS.map((id, i) => `${id}/${runs[i]}`).join(',')}`);
      const chart = page.locator('#compare-chart figure.chart');
      await chart.locator('canvas').first().waitFor();
      await page.locator('#compare-metric').selectOption('train/loss');
      await chart.locator('canvas').first().waitFor();
      // The x series plus one per run.
      expect(await chart.locator('.u-legend .u-series').count()).toBe(4);
      const rows = page.locator('#compare-metrics tbody tr');
      expect(await rows.count()).toBe(3);
      const history = (await (
        await fetch(`${url}/api/v1/model/training/${IDS[2]}/runs/${runs[2]}/history`, { headers: auth })
      ).json()) as { series: { name: string; points: { value: number }[] }[] };
      const values = history.series.find((s) => s.name === 'loss')!.points.map((p) => p.value);
      const header = await page.locator('#compare-metrics thead tr').first().locator('th').allTextContents();
      const lossAt =
        header.indexOf('train/loss') !== -1 ? header.indexOf('train/loss') : header.indexOf('loss');
      expect(lossAt).toBeGreaterThan(0);
      const cells = await rows.nth(2).locator('td').allTextContents();
      const [min, max, last] = cells.slice((lossAt - 1) * 3, (lossAt - 1) * 3 + 3).map(Number);
      expect(min).toBeCloseTo(Math.min(...values), 3);
      expect(max).toBeCloseTo(Math.max(...values), 3);
      expect(last).toBeCloseTo(values.at(-1)!, 3);
      expect(await page.textContent('#compare-note')).toBe('');
      console.log(`screenshot: ${await shoot(page, 'compare-3-runs')}`);
    });
  });

  it('adds a metric column to the list from the runs on screen', async () => {
    await withPage(browser, TOKEN, async (page) => {
      await page.goto(`${url}/ui/#/`);
      await page.locator('#trainings tbody tr').first().waitFor();
      await page.locator('#columns-button').click();
      await page.locator('#metric-column option[value="train/val_loss"]').waitFor({ state: 'attached' });
      await page.locator('#metric-column').selectOption('train/val_loss');
      await page.locator('#metric-aggregate').selectOption('min');
      await page.locator('#add-metric-column').click();
      const row = page.locator(`#trainings tr[data-id="${IDS[0]}"]`);
      await expect.poll(async () => (await row.locator('td.num').textContent())?.trim() ?? '').not.toBe('');
      const history = (await (
        await fetch(`${url}/api/v1/model/training/${IDS[0]}/runs/${runs[0]}/history`, { headers: auth })
      ).json()) as { series: { name: string; points: { value: number }[] }[] };
      const min = Math.min(...history.series.find((s) => s.name === 'val_loss')!.points.map((p) => p.value));
      expect(Number(await row.locator('td.num').textContent())).toBeCloseTo(min, 3);
      console.log(`screenshot: ${await shoot(page, 'list-metric-column')}`);
    });
  });

  it('compares the runs left when one of the link was deleted, and names the missing one', async () => {
    const gone = `hist-gone-${suffix}`;
    const { run } = await store.createTraining(gone, {
      model: { name: 'wine', version: '1.0' },
      toolchain: 'mlflow',
      entrypoint: 'main',
      algorithmSource: { vcs: { connection: 'repo' } },
    });
    const deleted = await fetch(`${url}/api/v1/model/training/${gone}`, { method: 'DELETE', headers: auth });
    expect(deleted.ok).toBe(true);
    await withPage(browser, TOKEN, async (page) => {
      const refs = [`${IDS[0]}/${runs[0]}`, `${gone}/${run.id}`, `${IDS[1]}/${runs[1]}`];
      await page.goto(`${url}/ui/#/compare?runs=${refs.join(',')}`);
      const chart = page.locator('#compare-chart figure.chart');
      await chart.locator('canvas').first().waitFor();
      // The two runs left are overlaid and tabulated; the deleted one is named as missing, not compared.
      const legend = (await chart.locator('.u-legend').textContent()) ?? '';
      expect(legend).toContain(`${IDS[0]} #1`);
      expect(legend).toContain(`${IDS[1]} #1`);
      expect(legend).not.toContain(gone);
      const metricRows = page.locator('#compare-metrics tbody tr');
      expect(await metricRows.locator('th').allTextContents()).toEqual([`${IDS[0]} #1`, `${IDS[1]} #1`]);
      expect(await page.locator('#compare-params thead th').count()).toBe(3);
      const missingRow = page.locator('#compare-runs tbody tr').nth(1);
      expect(await missingRow.textContent()).toContain(`${gone} / ${run.id}`);
      expect(await missingRow.locator('.missing').textContent()).toBe('missing (deleted?)');
      expect(await page.textContent('#notice')).toBe(
        `Not found (deleted?): ${gone} / ${run.id}. Comparing the other 2.`,
      );
      expect(await page.textContent('#compare-note')).toBe('');
      console.log(`screenshot: ${await shoot(page, 'compare-missing-run')}`);
    });
  });
});
