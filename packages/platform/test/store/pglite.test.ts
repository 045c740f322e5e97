import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore, openSqlStore } from '../../src/store/create-store.js';
import { describeStoreConformance } from './conformance.js';

describeStoreConformance('PGlite in memory', { open: (clock) => openSqlStore({ clock }) });

describe('PGlite on disk', () => {
  it('keeps data and the generated secret key across reopenings, and refuses a wrong key', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gangplank-store-'));
    try {
      const first = await createStore({ dataDir: dir });
      await first.createConnection('docker', { type: 'docker', uri: 'r', username: 'u', password: 'pw' });
      await first.close();
      const again = await createStore({ dataDir: dir });
      expect((await again.getConnection('docker'))?.spec.password).toBe('pw');
      await again.close();
      await expect(
        createStore({ dataDir: dir, secretKey: Buffer.alloc(32, 7).toString('base64') }),
      ).rejects.toThrow('cannot decrypt the stored connection secrets');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
