/**
 * Fresh PGlite data folders come from the template built into dist/store (pglite-template.ts), not from initdb:
 * two fresh folders share the template's system identifier (initdb draws a new one each time), have the
 * migrations applied and work as stores, and reopen. Runs the built store, the one that ships the template.
 */
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
});
