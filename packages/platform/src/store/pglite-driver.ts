/** The embedded PGlite adapter: a data folder, nothing to install. One process per data folder. */
import { PGlite } from '@electric-sql/pglite';
import { lockPgliteFolder } from './pglite-lock.js';
import type { SqlDriver, SqlExecutor, SqlParam } from './sql-driver.js';

/**
 * Opens PGlite in `dataDir` (created if missing), or in memory when `dataDir` is undefined. A fresh folder takes
 * about 2.4 s (initdb), reopening about 0.3 s (2 vCPU).
 */
export async function openPgliteDriver(dataDir?: string): Promise<SqlDriver> {
  // One server per data folder (pglite-lock.ts): a second one is refused with what to do instead.
  const unlock = dataDir === undefined ? () => {} : lockPgliteFolder(dataDir);
  let db: PGlite;
  try {
    db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
    await db.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
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
    close: () => db.close().finally(unlock),
  };
}
