/**
 * The Kubernetes executor's client calls against a recording FAKE API server (`test/support/fake-kube-api.ts`):
 * no real cluster runs here. The test plays the Job controller and kubelet by writing pods, statuses and logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesExecutor } from '../../../src/executors/kubernetes/kubernetes-executor.js';
import { jobName } from '../../../src/executors/kubernetes/manifests.js';
import { nodeSpec } from '../../fixtures/specs.js';
import { terminated } from '../../support/container-status.js';
import { FakeKubeApi } from '../../support/fake-kube-api.js';

const NS = 'training';
let api: FakeKubeApi;
beforeAll(async () => {
  api = await new FakeKubeApi().start();
});
afterAll(() => api.stop());

function make(gatewayPerJob = false): KubernetesExecutor {
  return new KubernetesExecutor({
    kubeConfig: api.kubeConfig(),
    namespace: NS,
    gangplankImage: 'gangplank:test',
    gatewayPerJob,
  });
}

/** Plays the Job controller: the Job's pod, owned by the Job. */
function podFor(runId: string, status: object) {
  const job = api.get('jobs', NS, jobName(runId));
  if (!job) throw new Error('no job');
  const labels = (job.spec as { template: { metadata: { labels: Record<string, string> } } }).template
    .metadata.labels;
  const pod = api.put('pods', {
    metadata: {
      name: `${jobName(runId)}-x1`,
      namespace: NS,
      labels,
      ownerReferences: [{ uid: job.metadata.uid ?? '' }],
    },
  });
  pod.status = status;
  return pod.metadata.name;
}

describe('Kubernetes executor against a fake API server', () => {
  it('creates the Job, its Secret and a gateway owned by the Job; follows the run; release removes them all', async () => {
    const executor = make(true);
    const spec = nodeSpec('succeed.mjs');
    const handle = await executor.submit(spec);
    expect(JSON.parse(JSON.stringify(handle))).toEqual({
      executor: 'kubernetes',
      runId: spec.runId,
      namespace: NS,
      job: jobName(spec.runId),
    });
    const posts = api.requests.filter((r) => r.method === 'POST').map((r) => r.path);
    expect(posts).toEqual([
      `/apis/batch/v1/namespaces/${NS}/jobs`,
      `/api/v1/namespaces/${NS}/secrets`,
      `/api/v1/namespaces/${NS}/pods`,
      `/api/v1/namespaces/${NS}/services`,
    ]);
    const job = api.get('jobs', NS, jobName(spec.runId));
    for (const [kind, name] of [
      ['secrets', `${jobName(spec.runId)}-spec`],
      ['pods', `${jobName(spec.runId)}-metrics-gateway`],
      ['services', `${jobName(spec.runId)}-metrics-gateway`],
    ] as const) {
      expect(api.get(kind, NS, name)?.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'Job', uid: job?.metadata.uid }),
      ]);
    }
    expect(api.requests.every((r) => r.path.startsWith('/api'))).toBe(true);
    expect((await executor.status(handle)).phase).toBe('queued');

    const pod = podFor(spec.runId, {
      phase: 'Running',
      initContainerStatuses: [terminated('setup', 0)],
      containerStatuses: [],
    });
    expect((await executor.status(handle)).phase).toBe('running');
    api.setLog(NS, pod, 'setup', '2026-11-22T08:00:00.000Z fetched 3 objects\n');
    api.setLog(NS, pod, 'train', '2026-11-22T08:00:01.000Z epoch 1\n2026-11-22T08:00:02.000Z epoch 2\n');
    const artifacts = [{ runId: spec.runId, artifactName: 'fixture-1.0-x.zip', commitID: '' }];
    api.setLog(NS, pod, 'result', '2026-11-22T08:00:03.000Z uploaded fixture-1.0-x.zip\n');
    api.setStatus('pods', NS, pod, {
      phase: 'Succeeded',
      initContainerStatuses: [terminated('setup', 0)],
      containerStatuses: [terminated('train', 0), terminated('result', 0, JSON.stringify({ artifacts }))],
    });
    api.setStatus('jobs', NS, jobName(spec.runId), { conditions: [{ type: 'Complete', status: 'True' }] });
    expect(await executor.status(handle)).toMatchObject({ phase: 'succeeded', exitCode: 0, artifacts });

    const first = await executor.logs(handle, undefined, 2);
    const rest = await executor.logs(handle, first.cursor, 100);
    const all = [...first.chunks, ...rest.chunks];
    expect(all.map((c) => [c.seq, c.stream, c.text])).toEqual([
      [0, 'system', 'fetched 3 objects'],
      [1, 'stdout', 'epoch 1'],
      [2, 'stdout', 'epoch 2'],
      [3, 'system', 'uploaded fixture-1.0-x.zip'],
    ]);
    expect((await executor.logs(handle, rest.cursor)).chunks).toEqual([]);

    await executor.release(handle);
    const del = api.requests.find((r) => r.method === 'DELETE');
    expect(del?.path).toBe(`/apis/batch/v1/namespaces/${NS}/jobs/${jobName(spec.runId)}`);
    expect(del?.query.propagationPolicy).toBe('Background');
    expect([...api.objects.keys()].filter((k) => k.includes(jobName(spec.runId)))).toEqual([]);
    expect(await executor.status(handle)).toMatchObject({ phase: 'failed', reason: 'Lost' });
  });

  it('cancels by suspending the Job with the reason; a second server reads the same outcome', async () => {
    const executor = make();
    const spec = nodeSpec('hang.mjs');
    const handle = await executor.submit(spec);
    await executor.cancel(handle, 'no longer needed');
    const patch = api.requests.find((r) => r.method === 'PATCH');
    expect(patch?.body).toEqual([
      { op: 'add', path: '/spec/suspend', value: true },
      { op: 'add', path: '/metadata/annotations/gangplank.io~1cancel-reason', value: 'no longer needed' },
    ]);
    const other = make();
    expect(await other.attach(handle)).toMatchObject({
      phase: 'failed',
      reason: 'Cancelled',
      message: 'no longer needed',
    });
    await executor.cancel(handle, 'again');
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('fails a run whose image cannot be pulled, with the reason, and stops its Job', async () => {
    const executor = make();
    const spec = { ...nodeSpec('succeed.mjs'), image: 'registry.invalid/nope:1' };
    const handle = await executor.submit(spec);
    podFor(spec.runId, {
      phase: 'Pending',
      initContainerStatuses: [terminated('setup', 0)],
      containerStatuses: [
        {
          name: 'train',
          image: 'registry.invalid/nope:1',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } },
        },
      ],
    });
    const status = await executor.status(handle);
    expect(status).toMatchObject({ phase: 'failed', reason: 'ResourceError' });
    expect(status.message).toContain('registry.invalid/nope:1');
    expect(status.message).toContain('ErrImagePull');
    const job = api.get('jobs', NS, jobName(spec.runId));
    expect((job?.spec as { suspend?: boolean }).suspend).toBe(true);
  });

  it('removes the Job again when its Secret cannot be created, and says why', async () => {
    const executor = make();
    const spec = nodeSpec('succeed.mjs');
    api.put('secrets', { metadata: { name: `${jobName(spec.runId)}-spec`, namespace: NS } });
    await expect(executor.submit(spec)).rejects.toThrow();
    expect(api.get('jobs', NS, jobName(spec.runId))).toBeUndefined();
  });
});
