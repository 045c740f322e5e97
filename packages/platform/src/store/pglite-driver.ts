/** The embedded PGlite adapter: a data folder, nothing to install. One process per data folder. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { lockPgliteFolder } from './pglite-lock.js';
import { templateDatabasesToWrite, unpackTemplate, usableTemplate } from './pglite-template.js';
import type { SqlDriver, SqlExecutor, SqlParam } from './sql-driver.js';

/**
 * PostgreSQL's default 128 MB of shared buffers is most of an idle server's memory once PGlite touches it (about
 * 300 MiB RSS reopening a folder, 160 MiB with 16 MB); the platform's tables fit, and the OS caches the files.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

type WasmModule = NonNullable<PGliteOptions['pgliteWasmModule']>;
// Node's global; not in the TypeScript libraries the packages build with (ES2023, no DOM).
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };

let wasmModule: Promise<WasmModule> | undefined;

/**
 * PGlite's WebAssembly (9 MB), compiled once per process. Begun when a store starts opening, before the template is
 * unpacked and while the server's modules load: V8 compiles on background threads, so PGlite's start no longer
 * waits for it.
 */
function compilePglite(): Promise<WasmModule> {
  wasmModule ??= readFile(new URL(import.meta.resolve('@electric-sql/pglite/pglite.wasm'))).then((bytes) =>
    WebAssembly.compile(bytes),
  );
  return wasmModule;
}

/** Runs `completeTemplate` on `dataDir` in a short-lived process (complete-template-main.ts says why). */
function completeInChild(dataDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const main = fileURLToPath(new URL('./complete-template-main.js', import.meta.url));
    const child = spawn(process.execPath, [main, dataDir], { stdio: 'ignore', env: {} });
    child.unref();
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit code ${code}`))));
  });
}

/**
 * Opens PGlite in `dataDir` (created if missing), or in memory when `dataDir` is undefined. A fresh folder is
 * unpacked from the shipped template (pglite-template.ts) when there is one, instead of initdb: about 0.3 s
 * instead of 2.5–20 s (2 vCPU, loaded); reopening takes about 1 s.
 */
export async function openPgliteDriver(dataDir?: string): Promise<SqlDriver> {
  // One server per data folder (pglite-lock.ts): a second one is refused with what to do instead.
  const unlock = dataDir === undefined ? () => {} : lockPgliteFolder(dataDir);
  let db: PGlite;
  try {
    const compiling = compilePglite();
    // Only a folder that is missing or empty: anything else is PGlite's to open or refuse.
    const fresh = dataDir !== undefined && (!existsSync(dataDir) || readdirSync(dataDir).length === 0);
    if (fresh && usableTemplate()) {
      await unpackTemplate(dataDir);
    }
    db = new PGlite(dataDir, { startParams: START_PARAMS, pgliteWasmModule: await compiling });
    await db.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  // The template databases a fresh folder was unpacked without (pglite-template.ts), written while the server
  // answers; close waits for them, so nothing is written into a folder after its store closed. Should writing fail,
  // they stay missing, which matters only to CREATE DATABASE (the platform never runs it), and the next open tries.
  const completing =
    dataDir !== undefined && templateDatabasesToWrite(dataDir).length > 0
      ? completeInChild(dataDir).catch(() => undefined)
      : Promise.resolve(undefined);
  const executor = (target: Pick<PGlite, 'query'>): SqlExecutor => ({
    async query<Row>(text: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      const result = await target.query<Row>(text, params as unknown[]);
      return result.rows;
    },
  });
  const base = executor(db);
  return {
    kind: 'pglite',
    query: (text, params) => base.query(text, params),
    transaction: <T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
      db.transaction((tx) => work(executor(tx))),
    close: () => completing.then(() => db.close()).finally(unlock),
  };
}
