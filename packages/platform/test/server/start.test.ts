import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { authFor, startServer } from '../../src/server/start.js';
import { createTestDatabase } from '../support/postgres.js';
import { tempFolderForFile } from '../support/temp-folder.js';

const dir = tempFolderForFile('gangplank-serve-');

describe('resolveServerConfig', () => {
  it('takes flags over environment over file over defaults', async () => {
    const file = path.join(dir, 'server.yaml');
    await writeFile(
      file,
      [
        'port: 6000',
        'host: 0.0.0.0',
        'logLevel: warn',
        'outputConnection: models-output',
        'tokens: [{token: file-token-123, role: viewer}]',
        'nodePools: [{nodeSelector: {pool: cpu}}]',
      ].join('\n'),
    );
    const config = await resolveServerConfig({
      configFile: file,
      env: { GANGPLANK_PORT: '7000', GANGPLANK_HOST: '10.0.0.1', GANGPLANK_TOKENS: 'admin:env-token-123' },
      flags: { port: 8000 },
    });
    expect(config).toMatchObject({
      port: 8000,
      host: '10.0.0.1',
      logLevel: 'warn',
      outputConnection: 'models-output',
      tokens: [{ token: 'env-token-123', role: 'admin' }],
      nodePools: [{ nodeSelector: { pool: 'cpu' } }],
      dispatcher: true,
      auth: 'auto',
    });
    const defaults = await resolveServerConfig({
      env: { GANGPLANK_CONFIG: path.join(dir, 'absent.yaml') },
    }).catch((e: Error) => e.message);
    expect(defaults).toContain('cannot read the server config file');
    const plain = await resolveServerConfig({
      env: { GANGPLANK_DATA_DIR: dir },
      configFile: path.join(dir, 'none.yaml'),
    }).catch((e: Error) => e.message);
    expect(plain).toContain('cannot read');
  });

  it('explains bad values and unknown keys', async () => {
    await expect(
      resolveServerConfig({ env: { GANGPLANK_PORT: 'http' }, configFile: '/dev/null' }),
    ).rejects.toThrow('invalid port "http" (from GANGPLANK_PORT): expected a whole number from 0 to 65535');
    const file = path.join(dir, 'typo.yaml');
    await writeFile(file, 'prot: 1\n');
    await expect(resolveServerConfig({ configFile: file, env: {} })).rejects.toThrow('unknown key "prot"');
    await expect(
      resolveServerConfig({ env: { GANGPLANK_TOKENS: 'boss:abcdefghij' }, configFile: '/dev/null' }),
    ).rejects.toThrow('role must be one of admin, data_scientist, viewer');
  });

  it('turns authentication on off-loopback and refuses to start without credentials', () => {
    const base = { tokens: [], auth: 'auto' as const };
    expect(authFor({ ...base, host: '127.0.0.1' })).toBeUndefined();
    expect(() => authFor({ ...base, host: '0.0.0.0' })).toThrow('authentication is on');
    expect(
      authFor({ ...base, host: '0.0.0.0', tokens: [{ token: 'abcdefghij', role: 'admin' }] }),
    ).toBeDefined();
  });
});

describe('startServer', () => {
  it('listens with a PGlite data folder, serves the API and stops cleanly', async () => {
    const config = await resolveServerConfig({
      flags: { port: 0, dataDir: path.join(dir, 'data'), dispatcher: false, logLevel: 'silent' },
      env: {},
      configFile: '/dev/null',
    });
    const server = await startServer(config);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${server.url}/health`)).json()).toEqual({});
      const list = await fetch(`${server.url}/api/v1/model/training`);
      expect(await list.json()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('names the port it listens on in the lease identity when port 0 shares a PostgreSQL', async () => {
    const db = await createTestDatabase();
    try {
      const config = await resolveServerConfig({
        flags: { port: 0, dataDir: path.join(dir, 'pg-data'), databaseUrl: db.url, logLevel: 'silent' },
        env: {},
        configFile: '/dev/null',
      });
      const server = await startServer(config);
      try {
        const port = new URL(server.url).port;
        expect(Number(port)).toBeGreaterThan(0);
        // Two servers started with --port 0 on one host must not share an identity (each would take the other's runs).
        expect(server.dispatcher?.workerId).toBe(`${hostname()}:${port}/local`);
      } finally {
        await server.close();
      }
    } finally {
      await db.drop();
    }
  }, 120_000);
});
