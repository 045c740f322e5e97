/**
 * The Kubernetes executor: a run becomes a `batch/v1` Job (see `manifests.ts`), created through
 * `@kubernetes/client-node`. Everything it needs to follow a run lives in the cluster (the Job, its pod, an
 * annotation for a cancel), so any server holding the handle can re-attach; nothing is kept on the server's disk.
 *
 * - status: the Job and its newest pod (label `gangplank.io/run-id`), mapped by `job-status.ts`. A pod stuck on an
 *   image pull is failed at once and its Job suspended: Kubernetes would retry for ever.
 * - cancel: JSON-patches the Job with `spec.suspend: true` (the Job controller deletes its pod) and the reason in
 *   an annotation; the Job stays readable until `release`, which deletes it with background propagation, so the
 *   garbage collector removes its pod, its run-spec Secret and the per-run Pushgateway (owner references).
 * - logs: the pod's containers (`setup`, `train`, `result`), read whole and paged by line number; a pod's log is
 *   gone with the pod, as in Odahu, so the dispatcher stores logs before `release`.
 */
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type {
  Executor,
  ExecutorHandle,
  ExecutorStatus,
  ExecutorLogChunk,
  LogPage,
  LogStream,
} from '../executor.js';
import { isFinalPhase } from '../executor.js';
import { CANCEL_ANNOTATION, mapJobStatus } from './job-status.js';
import {
  jobName,
  LABELS,
  labelValue,
  ownedByJob,
  renderRunManifests,
  type KubernetesJobConfig,
  type KubernetesRunSpec,
} from './manifests.js';

export interface KubernetesExecutorOptions extends KubernetesJobConfig {
  /** Cluster access. @default in-cluster service account, else ~/.kube/config (`loadFromDefault`) */
  kubeConfig?: KubeConfig;
}

/** Pages of `logs` are cut from the whole pod log; a run's log lines are counted from 0 over setup, train, result. */
const CONTAINERS: { name: string; stream: LogStream }[] = [
  { name: 'setup', stream: 'system' },
  { name: 'train', stream: 'stdout' },
  { name: 'result', stream: 'system' },
];

function httpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function createKubernetesExecutor(options: KubernetesExecutorOptions): KubernetesExecutor {
  return new KubernetesExecutor(options);
}

export class KubernetesExecutor implements Executor {
  readonly kind = 'kubernetes';
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  /** Logs of finished runs, kept after the pod is gone until `release`. */
  private readonly finalLogs = new Map<string, ExecutorLogChunk[]>();

  constructor(private readonly options: KubernetesExecutorOptions) {
    const kc = options.kubeConfig ?? defaultKubeConfig();
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async submit(spec: KubernetesRunSpec): Promise<ExecutorHandle> {
    const manifests = renderRunManifests(spec, this.options);
    const namespace = this.options.namespace;
    const job = await this.batch.createNamespacedJob({ namespace, body: manifests.job });
    const owner = ownedByJob(job);
    try {
      // The pod waits (ContainerCreating) until its Secret exists, so creating it after the Job is safe, and it
      // lets the Secret name the Job as its owner.
      manifests.secret.metadata = { ...manifests.secret.metadata, ownerReferences: [owner] };
      await this.core.createNamespacedSecret({ namespace, body: manifests.secret });
      if (manifests.gateway) {
        const { pod, service } = manifests.gateway;
        pod.metadata = { ...pod.metadata, ownerReferences: [owner] };
        service.metadata = { ...service.metadata, ownerReferences: [owner] };
        await this.core.createNamespacedPod({ namespace, body: pod });
        await this.core.createNamespacedService({ namespace, body: service });
      }
    } catch (error) {
      await this.deleteJob(manifests.job.metadata?.name ?? '').catch(() => undefined);
      throw error;
    }
    return {
      executor: this.kind,
      runId: spec.runId,
      namespace,
      job: job.metadata?.name ?? manifests.job.metadata?.name ?? '',
    };
  }

  attach(handle: ExecutorHandle): Promise<ExecutorStatus> {
    return this.status(handle);
  }

  async status(handle: ExecutorHandle): Promise<ExecutorStatus> {
    const { job, pod } = await this.read(handle);
    const status = mapJobStatus(job, pod);
    const jobEnded = job?.status?.conditions?.some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (job && isFinalPhase(status.phase) && !jobEnded && !job.spec?.suspend) {
      // Failed from the pod (image pull, eviction) while the Job would go on retrying: stop it.
      await this.suspend(handle, undefined);
    }
    return status;
  }

  async cancel(handle: ExecutorHandle, reason: string): Promise<void> {
    const { job } = await this.read(handle, false);
    if (!job) return;
    const ended = job.status?.conditions?.some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (ended || job.metadata?.annotations?.[CANCEL_ANNOTATION] !== undefined) return;
    await this.suspend(handle, reason);
  }

  async logs(handle: ExecutorHandle, cursor?: string, limit = 1000): Promise<LogPage> {
    const from = Number(cursor ?? 0) || 0;
    let chunks = this.finalLogs.get(handle.runId);
    if (!chunks) {
      const { job, pod } = await this.read(handle);
      chunks = await this.readPodLogs(pod);
      if (isFinalPhase(mapJobStatus(job, pod).phase)) this.finalLogs.set(handle.runId, chunks);
    }
    const page = chunks.slice(from, from + limit);
    return { chunks: page, cursor: String(from + page.length) };
  }

  async release(handle: ExecutorHandle): Promise<void> {
    this.finalLogs.delete(handle.runId);
    await this.deleteJob(jobOf(handle), String(handle.namespace ?? this.options.namespace));
  }

  close(): Promise<void> {
    this.finalLogs.clear();
    return Promise.resolve();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private async read(handle: ExecutorHandle, withPod = true): Promise<{ job?: V1Job; pod?: V1Pod }> {
    const namespace = String(handle.namespace ?? this.options.namespace);
    let job: V1Job | undefined;
    try {
      job = await this.batch.readNamespacedJob({ name: jobOf(handle), namespace });
    } catch (error) {
      if (httpCode(error) !== 404) throw error;
    }
    if (!job || !withPod) return job ? { job } : {};
    const pods = await this.core.listNamespacedPod({
      namespace,
      labelSelector: `${LABELS.runId}=${labelValue(handle.runId)},${LABELS.component}=training`,
    });
    const newest = [...pods.items].sort(
      (a, b) =>
        new Date(b.metadata?.creationTimestamp ?? 0).getTime() -
        new Date(a.metadata?.creationTimestamp ?? 0).getTime(),
    )[0];
    return newest ? { job, pod: newest } : { job };
  }

  private async suspend(handle: ExecutorHandle, reason: string | undefined): Promise<void> {
    const patch: object[] = [{ op: 'add', path: '/spec/suspend', value: true }];
    if (reason !== undefined) {
      patch.push({
        op: 'add',
        path: `/metadata/annotations/${CANCEL_ANNOTATION.replace('/', '~1')}`,
        value: reason,
      });
    }
    try {
      await this.batch.patchNamespacedJob({
        name: jobOf(handle),
        namespace: String(handle.namespace ?? this.options.namespace),
        body: patch,
      });
    } catch (error) {
      if (httpCode(error) !== 404) throw error;
    }
  }

  private async deleteJob(name: string, namespace = this.options.namespace): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
    } catch (error) {
      if (httpCode(error) !== 404) throw error;
    }
  }

  private async readPodLogs(pod: V1Pod | undefined): Promise<ExecutorLogChunk[]> {
    const name = pod?.metadata?.name;
    const namespace = pod?.metadata?.namespace ?? this.options.namespace;
    const out: ExecutorLogChunk[] = [];
    if (!name) return out;
    for (const { name: container, stream } of CONTAINERS) {
      let text: string;
      try {
        text = await this.core.readNamespacedPodLog({ name, namespace, container, timestamps: true });
      } catch (error) {
        // 400 = the container has not started yet; 404 = the pod is gone.
        if (httpCode(error) === 400 || httpCode(error) === 404) continue;
        throw error;
      }
      for (const line of text.split('\n')) {
        if (!line) continue;
        const space = line.indexOf(' ');
        const time = new Date(line.slice(0, space));
        const ok = space > 0 && !Number.isNaN(time.getTime());
        out.push({
          seq: out.length,
          stream,
          time: ok ? time : new Date(0),
          text: ok ? line.slice(space + 1) : line,
        });
      }
    }
    return out;
  }
}

/** The Job a handle names; a handle without one (only the run id) names the Job `submit` would have made. */
function jobOf(handle: ExecutorHandle): string {
  return typeof handle.job === 'string' && handle.job !== '' ? handle.job : jobName(handle.runId);
}

function defaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}
