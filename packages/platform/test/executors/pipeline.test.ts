import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutorLogChunk } from '../../src/executors/executor.js';
import { LocalExecutor } from '../../src/executors/local.js';
import type { RunSpec } from '../../src/domain/run-spec.js';
import {
  azureConnection,
  azuriteBlobService,
  s3Client,
  s3Connection,
  startAzurite,
  startS3rver,
  type Emulator,
} from '../fixtures/emulators.js';
import { makeRepo, type TestRepo } from '../fixtures/git.js';
import { MLPROJECT, nodeSpec, tempDir } from '../fixtures/specs.js';

const root = tempDir('gp-pipe-');
let s3: Emulator;
let azure: Emulator;
let repo: TestRepo;
let executor: LocalExecutor;

beforeAll(async () => {
  [s3, azure] = await Promise.all([startS3rver(), startAzurite()]);
  const client = s3Client(s3.url);
  await client.send(new CreateBucketCommand({ Bucket: 'data' }));
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'wine/train.csv', Body: 'x,y\n1,2\n' }));
  const blob = azuriteBlobService(azure.url);
  await blob.getContainerClient('models').create();
  repo = makeRepo(join(root, 'repo'), {
    'mlflow/wine/MLproject': readFileSync(join(MLPROJECT, 'MLproject'), 'utf8'),
    'mlflow/wine/train.mjs': readFileSync(join(MLPROJECT, 'train.mjs'), 'utf8'),
  });
  executor = new LocalExecutor({ root: join(root, 'runs'), graceMs: 500 });
});

afterAll(async () => {
  await executor.close();
  await Promise.all([s3.stop(), azure.stop()]);
  rmSync(root, { recursive: true, force: true });
});

async function logsOf(spec: RunSpec): Promise<ExecutorLogChunk[]> {
  return (await executor.logs({ executor: 'local', runId: spec.runId }, undefined, 10_000)).chunks;
}

function wineSpec(overrides: Partial<RunSpec> = {}): RunSpec {
  return nodeSpec('unused', {
    model: {
      name: 'wine',
      version: '1.0',
      artifactNameTemplate: '{{ .Name }}-{{ .Version }}-{{ .CommitID }}.zip',
    },
    toolchain: { id: 'mlflow', kind: 'mlflow' },
    entrypoint: 'main',
    workDir: 'mlflow/wine',
    hyperParameters: { label: "red'; echo INJECTED; '", alpha: '0.25' },
    source: { kind: 'git', connection: { id: 'repo', type: 'git', uri: repo.path }, reference: 'v1' },
    data: [
      {
        connection: s3Connection(s3.url, 'data', '', 'wine-data'),
        localPath: 'mlflow/wine/data/',
        remotePath: 'wine/',
      },
    ],
    output: { connection: azureConnection(azure.url, 'models', 'trained/', 'models-output') },
    ...overrides,
  });
}

describe('run pipeline on the local executor', () => {
  it('clones, downloads data, runs the MLproject entry point, zips and uploads the output', async () => {
    const spec = wineSpec();
    await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    const logs = await logsOf(spec);
    expect(status, logs.map((l) => l.text).join('\n')).toMatchObject({
      phase: 'succeeded',
      exitCode: 0,
      commitId: repo.commits.main1,
    });
    const artifactName = `wine-1.0-${repo.commits.main1}.zip`;
    expect(status?.artifacts).toEqual([{ runId: spec.runId, artifactName, commitID: repo.commits.main1 }]);
    const args = JSON.parse(logs.find((l) => l.stream === 'stdout')!.text) as string[];
    const dataDir = join(root, 'runs', spec.runId, 'workspace', 'mlflow', 'wine', 'data', 'train.csv');
    expect(args).toEqual([
      '--alpha',
      '0.25',
      '--epochs',
      '2',
      '--label',
      "red'; echo INJECTED; '",
      '--data',
      dataDir,
    ]);
    expect(logs.some((l) => l.stream === 'stdout' && l.text === 'INJECTED')).toBe(false);
    const blob = azuriteBlobService(azure.url);
    const zip = join(root, 'downloaded.zip');
    await blob.getContainerClient('models').getBlobClient(`trained/${artifactName}`).downloadToFile(zip);
    expect(execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim()).toBe('args.json');
    const system = logs.filter((l) => l.stream === 'system').map((l) => l.text);
    expect(system.some((t) => t.startsWith('git: checked out v1'))).toBe(true);
    expect(system.some((t) => t.includes('data binding #1 (connection "wine-data"): 1 object(s)'))).toBe(
      true,
    );
    expect(system.some((t) => t.includes('uploaded'))).toBe(true);
  });

  it('fails the run with a message naming the data binding when the data is missing', async () => {
    const spec = wineSpec({
      data: [
        {
          connection: s3Connection(s3.url, 'data', '', 'wine-data'),
          localPath: 'mlflow/wine/data/',
          remotePath: 'nothing/',
        },
      ],
    });
    await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    expect(status).toMatchObject({ phase: 'failed', reason: 'DataError' });
    expect(status?.message).toContain('data binding #1 (connection "wine-data")');
    expect(status?.exitCode).toBeUndefined();
  });

  it('fails with a ToolchainError when a required hyperparameter is missing', async () => {
    const spec = wineSpec({ hyperParameters: {} });
    await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    expect(status).toMatchObject({ phase: 'failed', reason: 'ToolchainError' });
    expect(status?.message).toBe("No value given for missing parameters: 'label'");
  });

  it('fails with a SourceError on a bad reference, and cancels during preparation', async () => {
    const spec = wineSpec({
      source: { kind: 'git', connection: { id: 'repo', type: 'git', uri: repo.path }, reference: 'nope' },
    });
    await executor.submit(spec);
    expect(await executor.settled(spec.runId)).toMatchObject({ phase: 'failed', reason: 'SourceError' });
    const cancelled = wineSpec();
    const handle = await executor.submit(cancelled);
    await executor.cancel(handle, 'deleted while preparing');
    expect(await executor.status(handle)).toMatchObject({
      phase: 'failed',
      reason: 'Cancelled',
      message: 'deleted while preparing',
    });
  });

  it('takes the algorithm source from object storage', async () => {
    const spec = wineSpec({
      source: { kind: 'objectStorage', connection: { id: 'code', type: 'local', uri: join(root, 'repo') } },
      data: [],
      workDir: 'mlflow/wine',
      entrypoint: 'echo',
      hyperParameters: { message: 'from object storage' },
      output: undefined,
    });
    await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    expect(status?.phase).toBe('succeeded');
    expect((await logsOf(spec)).some((l) => l.stream === 'stdout' && l.text === 'from object storage')).toBe(
      true,
    );
  });
});
