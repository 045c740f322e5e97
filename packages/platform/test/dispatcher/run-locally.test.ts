import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTrainingLocally } from '../../src/dispatcher/run-locally.js';
import type { ExecutorLogChunk } from '../../src/executors/executor.js';
import { makeRepo } from '../fixtures/git.js';
import { MLPROJECT, NODE_TOOLCHAIN, TRAININGS, tempDir } from '../fixtures/specs.js';

const root = tempDir('gp-local-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runTrainingLocally', () => {
  it('runs the whole pipeline without a server: git source, local data, MLproject, artifact in the output folder', async () => {
    const repo = makeRepo(join(root, 'repo'), {
      'wine/MLproject': readFileSync(join(MLPROJECT, 'MLproject'), 'utf8'),
      'wine/train.mjs': readFileSync(join(MLPROJECT, 'train.mjs'), 'utf8'),
    });
    const bucket = join(root, 'bucket');
    mkdirSync(join(bucket, 'wine'), { recursive: true });
    writeFileSync(join(bucket, 'wine', 'train.csv'), 'x\n1\n');
    const outputDir = join(root, 'out');
    const logs: ExecutorLogChunk[] = [];
    const result = await runTrainingLocally({
      training: {
        id: 'wine-local',
        spec: {
          model: { name: 'wine', version: '1.0', artifactNameTemplate: '{{ .Name }}-{{ .CommitID }}.zip' },
          toolchain: 'mlflow',
          entrypoint: 'main',
          workDir: 'wine',
          hyperParameters: { label: 'red' },
          algorithmSource: { vcs: { connection: 'repo', reference: 'main' } },
          data: [{ connection: 'bucket', localPath: 'wine/data/', remotePath: 'wine/' }],
        },
      },
      toolchain: { id: 'mlflow', spec: { entrypoint: 'mlflow', defaultImage: 'none' } },
      connections: [
        { id: 'repo', spec: { type: 'git', uri: repo.path } },
        { id: 'bucket', spec: { type: 'local', uri: bucket } },
      ],
      outputDir,
      cacheDir: join(root, 'cache'),
      runId: 'local-chosen-by-caller',
      onLog: (c) => logs.push(c),
    });
    expect(result).toMatchObject({ state: 'succeeded', exitCode: 0, commitId: repo.commits.main2 });
    expect(result.runId).toBe('local-chosen-by-caller');
    const name = `wine-${repo.commits.main2}.zip`;
    expect(result.artifacts).toEqual([
      { runId: result.runId, artifactName: name, commitID: repo.commits.main2 },
    ]);
    expect(result.artifactFile).toBe(join(outputDir, name));
    expect(execFileSync('unzip', ['-Z1', result.artifactFile!], { encoding: 'utf8' }).trim()).toBe(
      'args.json',
    );
    expect(JSON.parse(readFileSync(join(result.outputFolder!, 'args.json'), 'utf8'))).toContain('red');
    expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i));
    expect(logs.some((l) => l.stream === 'stdout' && l.text.includes('red'))).toBe(true);
    expect(readdirSync(join(outputDir, '.work'))).toEqual([]); // work folder removed
  });

  it('cancels on abort and reports why', async () => {
    const controller = new AbortController();
    const promise = runTrainingLocally({
      training: {
        id: 'hang-local',
        spec: {
          model: { name: 'h', version: '1' },
          toolchain: 'node',
          entrypoint: join(TRAININGS, 'hang.mjs'),
          algorithmSource: {},
        },
      },
      toolchain: NODE_TOOLCHAIN,
      outputDir: join(root, 'out2'),
      graceMs: 500,
      onLog: (c) => {
        if (c.text.startsWith('hanging')) controller.abort();
      },
      signal: controller.signal,
    });
    const result = await promise;
    expect(result).toMatchObject({ state: 'failed', reason: 'Cancelled', message: 'cancelled by the user' });
    expect(result.artifactFile).toBeUndefined();
    expect(existsSync(join(root, 'out2', '.work'))).toBe(true);
  });

  it('rejects a manifest whose connection is missing', async () => {
    await expect(
      runTrainingLocally({
        training: {
          id: 'x',
          spec: {
            model: { name: 'x', version: '1' },
            toolchain: 'mlflow',
            entrypoint: 'main',
            algorithmSource: { vcs: { connection: 'nope' } },
          },
        },
        toolchain: { id: 'mlflow', spec: { entrypoint: 'mlflow', defaultImage: 'none' } },
        outputDir: join(root, 'out3'),
      }),
    ).rejects.toThrow('algorithm source: connection "nope" is not found');
  });
});
