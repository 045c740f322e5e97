/**
 * The Python example of docs/history.md, run as written with `python3` (standard library only) against a real API
 * server with auth on, recording with the run's own credential.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { createRunCredentials, historyPath, loadRunCredentialKey } from '../../src/server/run-credential.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const DOC = fileURLToPath(new URL('../../../../docs/history.md', import.meta.url));

let dir: string;
let server: RunningServer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gangplank-history-py-'));
  const config = await resolveServerConfig({
    flags: { port: 0, dataDir: path.join(dir, 'data'), logLevel: 'silent', auth: 'on', dispatcher: false },
    env: { GANGPLANK_TOKENS: 'admin:python-admin-token' },
    configFile: '/dev/null',
  });
  server = await startServer(config);
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('recording history from Python', () => {
  it('runs the documented example with python3 and finds its points', async () => {
    const doc = await readFile(DOC, 'utf8');
    const example = /```python\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const { run } = await server.store.createTraining('py-history', {
      model: { name: 'py', version: '1' },
      toolchain: 'none',
      entrypoint: 'main',
      algorithmSource: { vcs: { connection: 'none' } },
    });
    await server.store.updateRun(run.id, { state: 'running' });
    const credentials = createRunCredentials(await loadRunCredentialKey({ dataDir: path.join(dir, 'data') }));
    await promisify(execFile)('python3', ['-c', example!], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GANGPLANK_HISTORY_URL: `${server.url}${historyPath('py-history', run.id)}`,
        GANGPLANK_HISTORY_TOKEN: credentials.issue('py-history', run.id),
      },
    });
    const series = await server.store.readHistory(run.id);
    expect(series.map((s) => [s.name, s.points.map((p) => p.step)])).toEqual([
      ['loss', [1, 2, 3]],
      ['val_loss', [1, 2, 3]],
    ]);
    expect(series[0]?.points[2]).toMatchObject({ value: 1 / 3 });
  });
});
