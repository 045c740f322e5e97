/**
 * PGlite stays single-server: a second server on the same data folder is refused with a message that says what to
 * do, and a folder whose server was killed (SIGKILL, no clean-up) can be opened again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/create-store.js';
import { tempDir } from '../fixtures/specs.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const root = tempDir('gp-pglite-single-');
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function holdFolder(dataDir: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', tsx, join(HERE, 'pglite-holder.ts')], {
    env: { ...process.env, GP_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('ready')) resolve(proc);
    });
    proc.once('exit', (code) => reject(new Error(`holder exited with ${code}: ${err}`)));
  });
}

describe('PGlite data folder', () => {
  it('refuses a second server while the first runs, and opens again after the first was killed', async () => {
    const dataDir = join(root, 'data');
    child = await holdFolder(dataDir);
    const error = await createStore({ dataDir }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(`is in use by another Gangplank server (pid ${child.pid}`);
    expect(error?.message).toContain('GANGPLANK_DATABASE_URL');
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const store = await createStore({ dataDir });
    await store.close();
  }, 60_000);
});
