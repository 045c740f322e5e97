import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import type { Connection, ConnectionType, ToolchainIntegration } from '../../src/domain/types.js';
import { validateTraining, type TrainingValidationContext } from '../../src/domain/validate-training.js';
import { readTrainingBody } from '../../src/domain/wire.js';
import { cliTraining } from '../support/cli-training.js';

const at = '2026-01-01T00:00:00.000Z';
function connection(id: string, type: ConnectionType, reference?: string): Connection {
  return {
    id,
    createdAt: at,
    updatedAt: at,
    spec: { type, uri: 'x', ...(reference ? { reference } : {}) },
    status: {},
  };
}
const toolchain: ToolchainIntegration = {
  id: 'mlflow',
  createdAt: at,
  updatedAt: at,
  spec: { entrypoint: '/bin/run', defaultImage: 'toolchain:1' },
  status: {},
};
const connections = new Map([
  ['repo', connection('repo', 'git', 'origin/master')],
  ['wine', connection('wine', 'gcs')],
  ['docker', connection('docker', 'docker')],
  ['out', connection('out', 's3')],
]);
const context: TrainingValidationContext = {
  getConnection: (id) => Promise.resolve(connections.get(id)),
  getToolchain: (id) => Promise.resolve(id === 'mlflow' ? toolchain : undefined),
  defaultOutputConnection: 'out',
};

async function problems(body: unknown): Promise<string> {
  const { id, spec } = readTrainingBody(body);
  try {
    await validateTraining(id, spec, context);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  return '';
}

describe('validateTraining', () => {
  it('accepts the CLI body and persists the defaults', async () => {
    const { id, spec } = readTrainingBody(cliTraining('wine'));
    const out = await validateTraining(id, spec, context);
    expect(out.model.artifactNameTemplate).toBe('{{ .Name }}-{{ .Version }}-{{ .RandomUUID }}.zip');
    expect(out.algorithmSource.vcs).toEqual({ connection: 'repo', reference: 'origin/master' });
    expect(out.image).toBe('toolchain:1');
    expect(out.outputConnection).toBe('out');
    expect(out.resources).toEqual({
      limits: { cpu: '4', memory: '4Gi' },
      requests: { cpu: '2', memory: '2Gi' },
    });
    expect(out.workDir).toBe('mlflow/sklearn/wine');
  });

  it('fills Odahu default resources and work dir', async () => {
    const { id, spec } = readTrainingBody({
      id: 'a',
      spec: {
        model: { name: 'm', version: 1 },
        toolchain: 'mlflow',
        algorithmSource: { vcs: { connection: 'repo' } },
      },
    });
    const out = await validateTraining(id, spec, context);
    expect(out.model.version).toBe('1');
    expect(out.resources).toEqual({
      limits: { cpu: '250m', memory: '256Mi' },
      requests: { cpu: '125m', memory: '128Mi' },
    });
    expect(out.workDir).toBe('./');
  });

  it('reports an empty spec with the robot suite text', async () => {
    expect(await problems({ id: 'x', spec: {} })).toBe(
      'Validation of model training is failed: empty model.name; empty model.version; both VCS and ObjectStorage names are empty; empty toolchain parameter',
    );
  });

  it('refuses an object-storage source on a connection that is not object storage, in Odahu words', async () => {
    const wine = cliTraining('wine') as { spec: Record<string, unknown> };
    const message = await problems({
      ...wine,
      spec: {
        ...wine.spec,
        algorithmSource: { objectStorage: { connection: 'repo' } },
        data: [{ connection: 'gone', localPath: 'd/' }],
      },
    });
    expect(message.split('; ')).toEqual([
      'Validation of model training is failed: repo object storage has wrong data type. Currently supported the following types of connections for object storage: [gcs s3 azureblob local]',
      'entity "gone" is not found',
    ]);
  });

  it('maps pre-1.5 vcsName, reference and connName', () => {
    const { spec } = readTrainingBody({
      id: 'old',
      spec: { vcsName: 'repo', reference: 'develop', data: [{ connName: 'wine', localPath: 'd/' }] },
    });
    expect(spec.algorithmSource.vcs).toEqual({ connection: 'repo', reference: 'develop' });
    expect(spec.data?.[0]?.connection).toBe('wine');
  });

  it('collects id, label, source, data, toolchain and extra problems in order', async () => {
    const message = await problems({
      id: '9bad',
      spec: {
        model: { name: 'bad name', version: 'v'.repeat(64), artifactNameTemplate: '{{ .Foo }}.zip' },
        toolchain: 'nope',
        algorithmSource: { vcs: { connection: 'docker', reference: 'main' } },
        data: [
          { connection: '', localPath: '' },
          { connection: 'repo', localPath: 'x' },
        ],
        resources: { limits: { cpu: '1' }, requests: { cpu: '2', memory: 'lots' } },
        outputConnection: 'missing',
        nodeSelector: { pool: 'gpu' },
      },
    });
    expect(message.split('; ')).toEqual([
      'Validation of model training is failed: ID is not valid',
      'invalid training name: bad name must be valid Kubernetes label, i.e. match this pattern: ^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$',
      `invalid training version: ${'v'.repeat(64)} must be no more than 63 characters`,
      "validation of memory request is failed: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'VCS connection must have the GIT type. You pass the connection of docker type',
      'you should specify local path for 0 number of data binding',
      'you should specify connection name for 0 number of data binding',
      'repo data binding has wrong data type. Currently supported the following types of connections for data bindings: [gcs s3 azureblob local]',
      'entity "nope" is not found',
      'entity "missing" is not found',
      'node selector map[pool:gpu] is not presented in ODAHU config',
      'resources.requests.cpu: Invalid value: "2": must be less than or equal to cpu limit',
      'invalid artifact name template: unknown field .Foo, use one of .Name, .Version, .RandomUUID, .CommitID',
    ]);
  });

  it('refuses both sources and reports empty ids twice like Odahu', async () => {
    const message = await problems({
      id: '',
      spec: {
        model: { name: 'm', version: '1' },
        toolchain: 'mlflow',
        algorithmSource: { vcs: { connection: 'repo' }, objectStorage: { connection: 'wine' } },
      },
    });
    expect(message).toBe(
      'Validation of model training is failed: ID is not valid; empty "ID"; both VCS and ObjectStorage names are specified, must be only one',
    );
  });

  it('never throws anything but ValidationError on odd shapes', async () => {
    for (const body of [
      null,
      1,
      'x',
      [],
      { spec: [] },
      { spec: { model: 'x', data: 'y', envs: [1, null] } },
    ]) {
      await expect(problems(body)).resolves.toContain('Validation of model training is failed');
    }
  });
});
