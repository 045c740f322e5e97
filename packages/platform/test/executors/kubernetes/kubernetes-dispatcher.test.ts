/**
 * A training through the API and dispatcher on the Kubernetes executor, against the recording FAKE API server
 * (no real cluster): the test plays the Job controller and kubelet. The run's state, exit code, artifact and logs
 * reach the store through the dispatcher.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KubernetesExecutor } from '../../../src/executors/kubernetes/kubernetes-executor.js';
import { jobName } from '../../../src/executors/kubernetes/manifests.js';
import { createStore } from '../../../src/store/create-store.js';
import type { Store } from '../../../src/store/store.js';
import { postAll, startApiWithDispatcher, type ApiWithDispatcher } from '../../support/api-dispatcher.js';
import { terminated } from '../../support/container-status.js';
import { FakeKubeApi } from '../../support/fake-kube-api.js';

const NS = 'training';
let api: FakeKubeApi;
let store: Store;
let app: FastifyInstance;
let server: ApiWithDispatcher;

beforeAll(async () => {
  api = await new FakeKubeApi().start();
  store = await createStore({});
  server = await startApiWithDispatcher(store, {
    executor: new KubernetesExecutor({
      kubeConfig: api.kubeConfig(),
      namespace: NS,
      gangplankImage: 'gangplank:test',
      toolchainImages: { py: 'python:3.12' },
    }),
    workerId: 'k8s-e2e',
    pollMs: 100,
    syncMs: 100,
  });
  app = server.app;
});

afterAll(async () => {
  await server.stop();
  await store.close();
  await api.stop();
});

describe('a training on the Kubernetes executor (fake API server)', () => {
  it('goes from Job to stored state, exit code, artifact and logs', async () => {
    await postAll(app, [
      [
        '/api/v1/toolchain/integration',
        { id: 'py', spec: { entrypoint: 'python3', defaultImage: 'python:3.12-slim' } },
      ],
      ['/api/v1/connection', { id: 'src', spec: { type: 'local', uri: '/nonexistent-in-this-test' } }],
      [
        '/api/v1/model/training',
        {
          kind: 'ModelTraining',
          id: 'k8s-e2e',
          spec: {
            model: { name: 'k8s', version: '1.0' },
            toolchain: 'py',
            entrypoint: 'main',
            algorithmSource: { objectStorage: { connection: 'src' } },
          },
        },
      ],
    ]);
    const training = await app.inject({ method: 'GET', url: '/api/v1/model/training/k8s-e2e' });
    const runId = training.json<{ status: { runId: string } }>().status.runId;
    const name = jobName(runId);
    const job = await vi.waitFor(
      () => {
        const created = api.get('jobs', NS, name);
        if (!created) throw new Error(`no Job ${name} yet`);
        return created;
      },
      { timeout: 20_000, interval: 50 },
    );
    // The API copied the toolchain's defaultImage into the training; the configured per-toolchain image overrides it.
    const containers = (
      job?.spec as { template: { spec: { containers: { name: string; image: string }[] } } }
    ).template.spec.containers;
    expect(containers.find((c) => c.name === 'train')?.image).toBe('python:3.12');
    // Play the Job controller and kubelet: a pod that ran all three steps.
    const labels = (job?.spec as { template: { metadata: { labels: Record<string, string> } } }).template
      .metadata.labels;
    const pod = api.put('pods', {
      metadata: {
        name: `${name}-p1`,
        namespace: NS,
        labels,
        ownerReferences: [{ uid: job?.metadata.uid ?? '' }],
      },
    });
    const artifacts = [{ runId, artifactName: 'k8s-1.0-abc.zip', commitID: '' }];
    pod.status = {
      phase: 'Succeeded',
      initContainerStatuses: [terminated('setup', 0)],
      containerStatuses: [terminated('train', 0), terminated('result', 0, JSON.stringify({ artifacts }))],
    };
    api.setLog(NS, pod.metadata.name, 'setup', '2026-11-22T08:00:00Z algorithm source: 1 object(s)\n');
    api.setLog(NS, pod.metadata.name, 'train', '2026-11-22T08:00:01Z loss 0.3\n2026-11-22T08:00:02Z done\n');
    api.setLog(NS, pod.metadata.name, 'result', '2026-11-22T08:00:03Z uploaded\n');
    api.setStatus('jobs', NS, name, { conditions: [{ type: 'Complete', status: 'True' }] });

    const status = await vi.waitFor(
      async () => {
        const current = (await app.inject({ method: 'GET', url: '/api/v1/model/training/k8s-e2e' })).json<{
          status: { state: string; exitCode?: number; artifacts?: unknown[] };
        }>().status;
        if (current.state !== 'succeeded' && current.state !== 'failed')
          throw new Error(`still ${current.state}`);
        return current;
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(status).toMatchObject({
      state: 'succeeded',
      exitCode: 0,
      artifacts: [expect.objectContaining({ artifactName: 'k8s-1.0-abc.zip' })],
    });
    const logs = (await app.inject({ method: 'GET', url: '/api/v1/model/training/k8s-e2e/log' })).body;
    expect(logs).toContain('loss 0.3');
    expect(logs).toContain('uploaded');
    const train = (
      job?.spec as { template: { spec: { containers: { name: string; image: string }[] } } }
    ).template.spec.containers.find((c) => c.name === 'train');
    expect(train?.image).toBe('python:3.12');
  });
});
