/**
 * End to end: the MNIST example as a training submitted through the HTTP API, run by the dispatcher on the local
 * executor, its metrics pushed (with no configuration in the script) to the real Pushgateway of the test run, and
 * the result readable through the API: state, exit code, artifact, logs.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { gatewayGroups } from '../../../../test/support/prometheus.js';
import { LocalExecutor } from '../../src/executors/local.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { FIXTURES, tempDir } from '../fixtures/specs.js';
import { startApiWithDispatcher, type ApiWithDispatcher } from '../support/api-dispatcher.js';

const root = tempDir('gp-mnist-');
const pushgateway = inject('pushgatewayUrl');
const repoRoot = resolve(FIXTURES, '..', '..', '..', '..');
const trainScript = join(repoRoot, 'examples', 'train', 'train.ts');
const tsx = createRequire(import.meta.url).resolve('tsx');
let store: Store;
let app: FastifyInstance;
let server: ApiWithDispatcher;

beforeAll(async () => {
  store = await createStore({});
  server = await startApiWithDispatcher(store, {
    executor: new LocalExecutor({ root: join(root, 'runs'), graceMs: 1000 }),
    workerId: 'mnist-e2e',
    pushgateway,
  });
  app = server.app;
});

afterAll(async () => {
  await server.stop();
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

describe('MNIST example through the API', () => {
  it('trains, pushes its metrics to the Pushgateway, and reports success with an artifact and logs', async () => {
    const source = join(root, 'source');
    mkdirSync(source, { recursive: true });
    writeFileSync(
      join(source, 'README'),
      'the script runs from the repository (it needs its node_modules)\n',
    );
    const models = join(root, 'models');
    const post = async (url: string, payload: unknown) => {
      const res = await app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
      expect(res.statusCode, res.body).toBe(201);
    };
    await post('/api/v1/toolchain/integration', {
      id: 'tsx',
      spec: {
        entrypoint: 'node',
        defaultImage: 'none',
        kind: 'command',
        command: [process.execPath, '--import', tsx],
      },
    });
    await post('/api/v1/connection', { id: 'examples', spec: { type: 'local', uri: source } });
    await post('/api/v1/connection', { id: 'models', spec: { type: 'local', uri: models } });
    await post('/api/v1/model/training', {
      kind: 'ModelTraining',
      id: 'mnist-e2e',
      spec: {
        model: { name: 'mnist', version: '1.0' },
        toolchain: 'tsx',
        entrypoint: trainScript,
        args: ['--epochs', '1', '--train-images', '256', '--model', '../output/mnist_convnet'],
        algorithmSource: { objectStorage: { connection: 'examples' } },
        outputConnection: 'models',
        // the API's defaults (Odahu's: 256Mi memory) are far too small for MNIST's JSON: prlimit would stop it
        resources: { limits: { cpu: '1', memory: '3Gi' }, requests: { cpu: '1', memory: '1Gi' } },
        envs: [
          { name: 'GANGPLANK_JOB', value: 'mnist-e2e' },
          { name: 'GANGPLANK_TF_BACKEND', value: 'wasm' },
        ],
      },
    });
    type Status = {
      state: string;
      exitCode?: number;
      artifacts?: { artifactName: string }[];
      runId?: string;
    };
    const status = await vi.waitFor(
      async () => {
        const res = await app.inject({ method: 'GET', url: '/api/v1/model/training/mnist-e2e' });
        const now = res.json<{ status: Status }>().status;
        if (now.state !== 'succeeded' && now.state !== 'failed') throw new Error(`training is ${now.state}`);
        return now;
      },
      { timeout: 120_000, interval: 250 },
    );
    const logs = await app.inject({ method: 'GET', url: '/api/v1/model/training/mnist-e2e/log' });
    expect(status.state, logs.body.slice(-2000)).toBe('succeeded');
    expect(status.exitCode).toBe(0);
    expect(status.artifacts?.[0]?.artifactName).toMatch(/^mnist-1\.0-.*\.zip$/);
    expect(readdirSync(models)).toEqual([status.artifacts![0]!.artifactName]);
    expect(logs.body).toContain('training; metrics go to');
    // the script found the gateway, job and grouping in its environment
    const groups = (await gatewayGroups(pushgateway)).filter((g) => g.labels.job === 'mnist-e2e');
    const train = groups.find((g) => Object.keys(g).some((k) => k.startsWith('gangplank_train_')));
    expect(train?.labels).toMatchObject({ run_id: status.runId, training: 'mnist-e2e' });
    expect(groups.some((g) => g.labels.instance === 'gangplank-dispatcher')).toBe(true);
  }, 150_000);
});
