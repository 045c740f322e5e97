/** A run's status from Job and pod conditions: success, failures with their reasons, pull errors, evictions. */
import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CANCEL_ANNOTATION, mapJobStatus } from '../../../src/executors/kubernetes/job-status.js';

const job = (
  conditions: { type: string; status: string; reason?: string; message?: string }[] = [],
  annotations = {},
) =>
  ({
    metadata: { name: 'gp-r', annotations },
    status: { conditions, startTime: new Date('2026-11-22T08:00:00Z') },
  }) as V1Job;
const pod = (statuses: V1ContainerStatus[], extra: Partial<NonNullable<V1Pod['status']>> = {}): V1Pod => ({
  metadata: { name: 'gp-r-abcde' },
  status: {
    phase: 'Running',
    initContainerStatuses: statuses.filter((s) => s.name === 'setup'),
    containerStatuses: statuses.filter((s) => s.name !== 'setup'),
    ...extra,
  },
});
const term = (name: string, exitCode: number, message?: string, reason?: string): V1ContainerStatus => ({
  name,
  image: `img-${name}`,
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode, ...(message ? { message } : {}), ...(reason ? { reason } : {}) } },
});
const waiting = (name: string, reason: string, message = ''): V1ContainerStatus => ({
  name,
  image: `img-${name}`,
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason, message } },
});

describe('Kubernetes run status', () => {
  it('is queued without a pod, preparing while setup runs, running after', () => {
    expect(mapJobStatus(job(), undefined).phase).toBe('queued');
    const preparing = pod([{ ...waiting('setup', 'x'), state: { running: {} } }], { phase: 'Pending' });
    expect(mapJobStatus(job(), preparing).phase).toBe('preparing');
    expect(mapJobStatus(job(), pod([term('setup', 0)])).phase).toBe('running');
    const unschedulable = pod([], {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes: Insufficient nvidia.com/gpu',
        },
      ],
    });
    expect(mapJobStatus(job(), unschedulable)).toMatchObject({
      phase: 'queued',
      message: expect.stringContaining('Insufficient nvidia.com/gpu'),
    });
  });

  it('succeeds with the artifact from the result step', () => {
    const artifacts = [{ runId: 'r', artifactName: 'wine-1.0-x.zip', commitID: 'abc' }];
    const status = mapJobStatus(
      job([{ type: 'Complete', status: 'True' }]),
      pod([
        term('setup', 0, '{"commitId":"abc"}'),
        term('train', 0),
        term('result', 0, JSON.stringify({ artifacts })),
      ]),
    );
    expect(status).toMatchObject({
      phase: 'succeeded',
      reason: 'Succeeded',
      exitCode: 0,
      artifacts,
      commitId: 'abc',
    });
    expect(status.processName).toBe('gp-r-abcde');
  });

  it('fails with the exit code, the setup reason, OOM, the deadline, the result step', () => {
    const failed = job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }]);
    expect(mapJobStatus(failed, pod([term('setup', 0), term('train', 3), term('result', 0)]))).toMatchObject({
      phase: 'failed',
      reason: 'Failed',
      exitCode: 3,
      message: 'the entry point exited with code 3',
    });
    const setupFailed = pod([
      term(
        'setup',
        1,
        '{"reason":"DataError","message":"data binding 0 (connection \\"wine\\"): no such object"}',
      ),
    ]);
    expect(mapJobStatus(failed, setupFailed)).toMatchObject({
      reason: 'DataError',
      message: expect.stringContaining('binding 0'),
    });
    expect(
      mapJobStatus(failed, pod([term('setup', 0), term('train', 137, undefined, 'OOMKilled')])),
    ).toMatchObject({
      reason: 'ResourceError',
      exitCode: 137,
    });
    const deadline = job([
      {
        type: 'Failed',
        status: 'True',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      },
    ]);
    expect(mapJobStatus(deadline, pod([term('setup', 0)])).reason).toBe('Timeout');
    expect(
      mapJobStatus(
        failed,
        pod([
          term('setup', 0),
          term('train', 0),
          term('result', 1, '{"reason":"ArtifactError","message":"upload refused"}'),
        ]),
      ),
    ).toMatchObject({
      reason: 'ArtifactError',
      message: 'upload refused',
    });
  });

  it('reports image pull failures and evictions with their reason', () => {
    const pull = mapJobStatus(
      job(),
      pod([term('setup', 0), waiting('train', 'ImagePullBackOff', 'Back-off pulling image "nope:1"')], {
        phase: 'Pending',
      }),
    );
    expect(pull).toMatchObject({ phase: 'failed', reason: 'ResourceError' });
    expect(pull.message).toContain('ImagePullBackOff');
    expect(pull.message).toContain('img-train');
    const evicted = mapJobStatus(
      job(),
      pod([], { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }),
    );
    expect(evicted).toMatchObject({
      phase: 'failed',
      reason: 'Lost',
      message: 'the pod was evicted: The node was low on resource: memory.',
    });
  });

  it('reports a cancel by its annotation, and a missing Job as lost', () => {
    expect(mapJobStatus(job([], { [CANCEL_ANNOTATION]: 'not needed' }), undefined)).toMatchObject({
      phase: 'failed',
      reason: 'Cancelled',
      message: 'not needed',
    });
    expect(mapJobStatus(undefined, undefined).reason).toBe('Lost');
  });
});
