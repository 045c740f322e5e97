/**
 * Shared set-up of the browser tests: the bundle built fresh (webapp/build.mjs, as `npm run build` does) and a
 * SQL store in a new folder, Debian's Chromium through playwright-core, a folder for screenshots whose path the
 * test output prints, and trainings created through the API as the CLI sends them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { openSqlStore } from '../../src/store/create-store.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { cliTraining } from '../support/cli-training.js';

export const CHROMIUM = '/usr/bin/chromium';
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
export const skipReason = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing (apt-get install chromium needs root): browser tests skipped`;
if (skipReason) console.warn(skipReason);

const PLATFORM = fileURLToPath(new URL('../../', import.meta.url));

function buildWebapp(): void {
  const result = spawnSync(process.execPath, [path.join(PLATFORM, 'webapp', 'build.mjs')], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`web app build failed: ${result.stderr || result.stdout}`);
}

/** The bundle built, and a SQL store in a new folder named from `prefix`, what each browser test file serves. */
export async function prepareWebTest(prefix: string): Promise<{ dir: string; store: SqlStore }> {
  console.log(`web app screenshots: ${SHOTS}`);
  buildWebapp();
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const store = await openSqlStore({ dataDir: dir, secretKey: Buffer.alloc(32, 3).toString('base64') });
  return { dir, store };
}

/**
 * Creates training `id` through the API at `url`: the CLI's wine training on the `web-` seed objects, with
 * `hyperParameters`. Returns its first run's id.
 */
export async function createTraining(
  url: string,
  headers: Record<string, string>,
  id: string,
  hyperParameters: Record<string, string>,
): Promise<string> {
  const body = cliTraining(id, 'web-') as { spec: Record<string, unknown> };
  const created = await fetch(`${url}/api/v1/model/training`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, spec: { ...body.spec, hyperParameters } }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { status: { runId: string } }).status.runId;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

const SHOTS = process.env.GANGPLANK_UI_SHOTS ?? path.join(tmpdir(), 'gangplank-ui-shots');

/** Saves a full-page PNG under {@link SHOTS} and returns its path. */
export async function shoot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A page that records uncaught errors, to assert there were none. */
async function openPage(browser: Browser, token?: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  if (token) await context.addInitScript((t) => localStorage.setItem('gangplank.token', t), token);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => void dialog.accept());
  return { page, errors };
}

/**
 * Runs `steps` on a fresh page (the token, if any, in its local storage) and closes the page whatever happens;
 * the steps fail if the page threw an uncaught error meanwhile.
 */
export async function withPage(
  browser: Browser,
  token: string | undefined,
  steps: (page: Page) => Promise<void>,
): Promise<void> {
  const { page, errors } = await openPage(browser, token);
  try {
    await steps(page);
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
  }
}
