import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveServerConfig } from '../../src/config/server-config.js';
import { executorFor, workerIdFor } from '../../src/server/executor-for.js';
import { startServer } from '../../src/server/start.js';
import { tempFolderForFile } from '../support/temp-folder.js';

const dir = tempFolderForFile('gangplank-executor-for-');

describe('the executor a server runs trainings with', () => {
  it('is local by default, and Slurm or Kubernetes with their options from the config file', async () => {
    const local = await resolveServerConfig({ env: {}, configFile: '/dev/null', flags: { dataDir: dir } });
    expect(local.executor).toBe('local');
    expect((await executorFor(local)).kind).toBe('local');

    const file = path.join(dir, 'server.yaml');
    await writeFile(
      file,
      [
        'executor: slurm',
        `slurm: {workRoot: ${JSON.stringify(path.join(dir, 'shared'))}, partition: debug}`,
        'kubernetes: {namespace: training, gangplankImage: "gangplank:0.1.0"}',
      ].join('\n'),
    );
    const slurm = await resolveServerConfig({ env: {}, configFile: file, flags: { dataDir: dir } });
    expect(slurm).toMatchObject({ executor: 'slurm', slurm: { partition: 'debug' } });
    expect((await executorFor(slurm)).kind).toBe('slurm');

    const kube = await resolveServerConfig({ env: { GANGPLANK_EXECUTOR: 'kubernetes' }, configFile: file });
    expect(kube.executor).toBe('kubernetes');
    expect((await executorFor(kube)).kind).toBe('kubernetes');
  });

  it('explains a kind it does not know and options an executor cannot start without', async () => {
    await expect(
      resolveServerConfig({ env: { GANGPLANK_EXECUTOR: 'nomad' }, configFile: '/dev/null' }),
    ).rejects.toThrow(
      'invalid executor "nomad" (from GANGPLANK_EXECUTOR): expected local, slurm, kubernetes',
    );
    const slurm = await resolveServerConfig({
      env: {},
      configFile: '/dev/null',
      flags: { executor: 'slurm' },
    });
    await expect(executorFor(slurm)).rejects.toThrow(ConfigError);
    await expect(executorFor(slurm)).rejects.toThrow('needs slurm.workRoot');
    const kube = { ...slurm, executor: 'kubernetes' as const, kubernetes: { namespace: 'ns' } };
    await expect(executorFor(kube)).rejects.toThrow(
      'needs kubernetes.namespace and kubernetes.gangplankImage',
    );
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'slurm: /shared\n');
    await expect(resolveServerConfig({ env: {}, configFile: file })).rejects.toThrow(
      'expected a mapping of slurm executor options',
    );
  });

  it('gives servers on one machine and database different lease identities that survive a restart', async () => {
    const shared = { databaseUrl: 'postgres://postgres@127.0.0.1/gangplank' };
    const a = await resolveServerConfig({
      env: {},
      configFile: '/dev/null',
      flags: { ...shared, port: 5001 },
    });
    const b = await resolveServerConfig({
      env: {},
      configFile: '/dev/null',
      flags: { ...shared, port: 5002 },
    });
    const executor = await executorFor({ ...a, dataDir: dir });
    expect(workerIdFor(a, executor)).toBe(`${hostname()}:5001/local`);
    expect(workerIdFor(b, executor)).not.toBe(workerIdFor(a, executor));
    const again = await resolveServerConfig({
      env: {},
      configFile: '/dev/null',
      flags: { ...shared, port: 5001 },
    });
    expect(workerIdFor(again, executor)).toBe(workerIdFor(a, executor));
    // A PGlite folder has one server: restarted on another port, it is the same worker and finds its runs.
    const pglite = await resolveServerConfig({ env: {}, configFile: '/dev/null', flags: { port: 5001 } });
    const moved = await resolveServerConfig({ env: {}, configFile: '/dev/null', flags: { port: 5002 } });
    expect(workerIdFor(pglite, executor)).toBe(`${hostname()}/local`);
    expect(workerIdFor(moved, executor)).toBe(workerIdFor(pglite, executor));
    const named = await resolveServerConfig({
      env: { GANGPLANK_WORKER_ID: 'api-1' },
      configFile: '/dev/null',
    });
    expect(workerIdFor(named, executor)).toBe('api-1');
  });

  it('refuses to start a server whose executor cannot be built, leaving nothing open', async () => {
    const config = await resolveServerConfig({
      env: {},
      configFile: '/dev/null',
      flags: { port: 0, dataDir: path.join(dir, 'data'), executor: 'slurm', logLevel: 'silent' },
    });
    await expect(startServer(config)).rejects.toThrow('needs slurm.workRoot');
    // The PGlite folder was released: a server on the same folder starts.
    const ok = await startServer({ ...config, executor: 'local' });
    await ok.close();
  });
});
