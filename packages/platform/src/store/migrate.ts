/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock, so several API servers
 * starting together on one PostgreSQL apply each migration exactly once.
 */
import type { Migration } from './migrations/index.js';
import { MIGRATIONS } from './migrations/index.js';
import type { SqlDriver } from './sql-driver.js';

/** Advisory lock key: "gangplnk" read as a 64-bit number, unlikely to clash with other applications. */
const MIGRATION_LOCK_KEY = '7449354566289500011';

/** Returns the versions applied by this call. */
export async function migrate(
  driver: SqlDriver,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return driver.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.query(`CREATE TABLE IF NOT EXISTS gangplank_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const rows = await tx.query<{ version: number }>('SELECT version FROM gangplank_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO gangplank_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      done.push(migration.version);
    }
    return done;
  });
}

/** Splits on `;` at line ends (the migrations hold no functions or strings with semicolons). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}
