import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/server-config.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-runas-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('server config: run user and file privacy', () => {
  it('takes runAsUser from the flag, then the environment, then the file; "" from a file keeps root', async () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'runAsUser: ""\n');
    expect((await resolveServerConfig({ configFile: file, env: {} })).runAsUser).toBe('');
    const env = { GANGPLANK_RUN_AS_USER: 'trainer' };
    expect((await resolveServerConfig({ configFile: file, env })).runAsUser).toBe('trainer');
    const flags = { runAsUser: 'nobody' };
    expect((await resolveServerConfig({ configFile: file, env, flags })).runAsUser).toBe('nobody');
  });

  it('makes a config file it reads private to the server user (it can hold tokens and the key)', async () => {
    const file = join(dir, 'b.yaml');
    writeFileSync(file, 'tokens: [{token: t0ken-for-the-admin, role: admin}]\n');
    chmodSync(file, 0o644);
    await resolveServerConfig({ configFile: file, env: {} });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
