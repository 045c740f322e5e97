/**
 * Fresh PGlite data folders come from the template built into dist/store (pglite-template.ts), not from initdb:
 * two fresh folders share the template's system identifier (initdb draws a new one each time), have the
 * migrations applied and work as stores, and reopen. Runs the built store, the one that ships the template.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlStore } from '../../dist/store/create-store.js';
import { MIGRATIONS } from '../../dist/store/migrations/index.js';
import { usableTemplate } from '../../dist/store/pglite-template.js';

const root = await mkdtemp(path.join(tmpdir(), 'gangplank-template-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function systemIdentifier(dataDir: string): Promise<string> {
  const store = await openSqlStore({ dataDir });
  try {
    await store.createConnection('docker', { type: 'docker', uri: 'r', username: 'u', password: 'pw' });
    const [row] = await store.driver.query<{ id: string }>(
      'SELECT system_identifier::text AS id FROM pg_control_system()',
    );
    return row!.id;
  } finally {
    await store.close();
  }
}

describe('PGlite template', () => {
  it('is built for this PGlite with every migration', () => {
    expect(usableTemplate()?.migrations).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('seeds every fresh data folder, which then works and reopens', async () => {
    const a = await systemIdentifier(path.join(root, 'a'));
    const b = await systemIdentifier(path.join(root, 'b'));
    expect(b).toBe(a);
    const reopened = await openSqlStore({ dataDir: path.join(root, 'a') });
    try {
      expect((await reopened.getConnection('docker'))?.spec.password).toBe('pw');
    } finally {
      await reopened.close();
    }
  });

  it('writes the template databases once the store is open, and again into a folder that lost them', async () => {
    const dataDir = path.join(root, 'c');
    const templateDatabases = () =>
      ['1', '4'].map((oid) => readdirSync(path.join(dataDir, 'pglite', 'base', oid)).length);
    await (await openSqlStore({ dataDir })).close();
    const counts = templateDatabases();
    expect(Math.min(...counts)).toBeGreaterThan(100);
    // Only template1 and template0 are deferred: the server's own database was complete before PGlite opened it.
    expect(readdirSync(path.join(dataDir, 'pglite', 'base')).sort()).toEqual(['1', '4', '5']);
    await rm(path.join(dataDir, 'pglite', 'base', '1'), { recursive: true });
    const store = await openSqlStore({ dataDir });
    try {
      const rows = await store.driver.query<{ datname: string }>(
        'SELECT datname FROM pg_database ORDER BY oid',
      );
      expect(rows.map((r) => r.datname)).toEqual(['template1', 'template0', 'postgres']);
    } finally {
      await store.close();
    }
    expect(templateDatabases()).toEqual(counts);
    expect(readdirSync(dataDir).filter((name) => name.includes('unpacking'))).toEqual([]);
  });
});
