/**
 * The Kubernetes objects of one run. Pure: data in, manifests out (tested as golden files).
 *
 * A run is one `batch/v1` Job whose pod has, in Odahu's order:
 * 1. init container `setup` (the Gangplank image, `step.js setup`): fetches the algorithm source and the data into
 *    the shared `emptyDir` workspace, installs dependencies, and writes the entry script;
 * 2. container `train` (image chosen by {@link trainImage}): runs the entry
 *    script with the training's resources (GPUs as `nvidia.com/gpu` limits) and envs;
 * 3. container `result` (the Gangplank image, `step.js result`): waits for `train` to end, then zips and uploads
 *    the output folder; its termination message carries the artifact record.
 * The resolved run spec (connections with decoded secrets) goes in a Secret mounted only into `setup` and
 * `result`, never into the training's container. The Secret and the optional per-run Pushgateway (PersiaML's
 * design: a gateway pod + service per job, its address in the run's env) carry an owner reference to the Job,
 * so deleting the Job removes them too.
 */
import { createHash } from 'node:crypto';
import type {
  V1Container,
  V1EnvVar,
  V1Job,
  V1OwnerReference,
  V1Pod,
  V1ResourceRequirements,
  V1Secret,
  V1Service,
  V1Toleration,
} from '@kubernetes/client-node';
import { RUN_ENV, formatGrouping } from '../environment.js';
import { DEFAULT_TIMEOUT_MS, type RunSpec } from '../../domain/run-spec.js';

/** Paths inside the pod. */
export const POD_PATHS = {
  root: '/gangplank',
  workspace: '/gangplank/workspace',
  output: '/gangplank/output',
  state: '/gangplank/state',
  cache: '/gangplank/cache',
  specDir: '/etc/gangplank',
  specFile: '/etc/gangplank/run.json',
  entryScript: '/gangplank/state/entry.sh',
} as const;

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  trainingId: 'gangplank.io/training-id',
  runId: 'gangplank.io/run-id',
  modelName: 'gangplank.io/model-name',
  modelVersion: 'gangplank.io/model-version',
  gateway: 'gangplank.io/metrics-gateway',
} as const;

export interface KubernetesJobConfig {
  namespace: string;
  /** Image with Gangplank (runs the setup and result steps; default training image). */
  gangplankImage: string;
  /** Command that starts a step in `gangplankImage`, followed by `setup|result <spec file>`. @default ['node', '/app/packages/platform/dist/executors/kubernetes/step.js'] */
  stepCommand?: string[];
  /** Last-but-one fallback image: used when neither the training nor its toolchain names one. */
  toolchainImage?: string;
  /**
   * Image per toolchain id, overriding the toolchain's `defaultImage` (not a training's own image): e.g. a mirror
   * in a private registry, without editing the stored toolchain integrations.
   */
  toolchainImages?: Record<string, string>;
  /**
   * Node selector of every run pod. A training's own selector is merged over it: on the same key the training
   * wins (its selector was checked against the server's node pools when it was submitted).
   */
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  /** Tolerations added when the run asks for GPUs (Odahu's `gpuTolerations`). */
  gpuTolerations?: V1Toleration[];
  serviceAccountName?: string;
  imagePullSecrets?: string[];
  /** Owner of every Job (e.g. the server's Deployment), so removing Gangplank removes its Jobs. */
  ownerReference?: V1OwnerReference;
  /** Start a Pushgateway per run. @default false */
  gatewayPerJob?: boolean;
  /** @default 'prom/pushgateway:v1.11.1' */
  pushgatewayImage?: string;
  /** Limits of the setup and result steps (Odahu: 128m / 128Mi). */
  helperResources?: V1ResourceRequirements;
  /** Seconds a finished Job is kept before Kubernetes deletes it (when the server is not there to). @default 86_400 */
  ttlSecondsAfterFinished?: number;
}

export interface RunManifests {
  job: V1Job;
  secret: V1Secret;
  gateway?: { pod: V1Pod; service: V1Service };
}

/** Spec of a run as the Kubernetes executor reads it (the run spec carries `image` and `nodeSelector`). */
export type KubernetesRunSpec = RunSpec;

/**
 * Image of the `train` container, first found of:
 * 1. the training's own image (`spec.image` when it differs from the toolchain's `defaultImage`);
 * 2. `config.toolchainImages[toolchain id]` (the operator's override of the toolchain default);
 * 3. the toolchain's `defaultImage` (also what Odahu's validation copies into a training naming no image, hence
 *    the comparison in 1: such a copy is the toolchain default, so the override in 2 still applies to it);
 * 4. `config.toolchainImage`;
 * 5. `config.gangplankImage`.
 * Empty strings count as absent; no other value (an Odahu placeholder such as `none`) is special.
 */
export function trainImage(spec: KubernetesRunSpec, config: KubernetesJobConfig): string {
  const toolchainDefault = spec.toolchain.defaultImage || undefined;
  const own = spec.image && spec.image !== toolchainDefault ? spec.image : undefined;
  return (
    own ||
    config.toolchainImages?.[spec.toolchain.id] ||
    toolchainDefault ||
    spec.image ||
    config.toolchainImage ||
    config.gangplankImage
  );
}

const DEFAULT_STEP = ['node', '/app/packages/platform/dist/executors/kubernetes/step.js'];

/** A DNS-1123 label (≤ 63 chars) from any text; a hash suffix keeps shortened names distinct. */
export function dnsLabel(text: string, max = 63): string {
  let out = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (out.length > max || out !== text) {
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 6);
    out = `${out.slice(0, max - 7).replace(/-+$/, '')}-${hash}`;
  }
  return out.replace(/^-+/, '') || 'x';
}

/** A label value: ≤ 63 chars of `[A-Za-z0-9._-]`, alphanumeric at both ends. */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** Name of the Job (and prefix of its Secret and gateway). */
export function jobName(runId: string): string {
  return dnsLabel(`gp-${runId}`, 52);
}

function quantities(q: { cpu?: string; memory?: string; gpu?: string } | undefined, gpu: boolean) {
  const out: Record<string, string> = {};
  if (q?.cpu) out.cpu = q.cpu;
  if (q?.memory) out.memory = q.memory;
  if (gpu && q?.gpu && q.gpu !== '0') out['nvidia.com/gpu'] = q.gpu;
  return out;
}

export function renderRunManifests(spec: KubernetesRunSpec, config: KubernetesJobConfig): RunManifests {
  const name = jobName(spec.runId);
  const ns = config.namespace;
  const labels: Record<string, string> = {
    [LABELS.managedBy]: 'gangplank',
    [LABELS.component]: 'training',
    [LABELS.trainingId]: labelValue(spec.trainingId),
    [LABELS.runId]: labelValue(spec.runId),
    [LABELS.modelName]: labelValue(spec.model.name),
    [LABELS.modelVersion]: labelValue(spec.model.version),
  };
  const gatewayName = `${name}-metrics-gateway`;
  const gatewayOn = (config.gatewayPerJob ?? false) && spec.metrics.enabled;
  const pushgatewayAddr = gatewayOn ? `${gatewayName}.${ns}.svc:9091` : spec.metrics.pushgatewayAddr;

  const env: V1EnvVar[] = [];
  const set = (n: string, v: string) => {
    const existing = env.find((e) => e.name === n);
    if (existing) existing.value = v;
    else env.push({ name: n, value: v });
  };
  set(RUN_ENV.job, spec.metrics.job);
  set(RUN_ENV.grouping, formatGrouping(spec.metrics.grouping));
  set(RUN_ENV.metricsEnabled, spec.metrics.enabled ? 'true' : 'false');
  if (spec.metrics.enabled && pushgatewayAddr) set(RUN_ENV.pushgatewayAddr, pushgatewayAddr);
  if (spec.metrics.enabled && spec.metrics.historyUrl) set(RUN_ENV.historyUrl, spec.metrics.historyUrl);
  if (spec.metrics.enabled && spec.metrics.historyToken) set(RUN_ENV.historyToken, spec.metrics.historyToken);
  set(RUN_ENV.runId, spec.runId);
  set(RUN_ENV.trainingId, spec.trainingId);
  set(RUN_ENV.outputDir, POD_PATHS.output);
  set(RUN_ENV.workspace, POD_PATHS.workspace);
  set(RUN_ENV.modelName, spec.model.name);
  set(RUN_ENV.modelVersion, spec.model.version);
  // Odahu's order: toolchain additionalEnvironments, then the training's envs (later wins).
  for (const [n, v] of Object.entries(spec.toolchain.additionalEnvironments ?? {})) set(n, v);
  for (const { name: n, value } of spec.envs ?? []) set(n, value);

  const limits = quantities(spec.resources?.limits, true);
  const requests = quantities(spec.resources?.requests, false);
  const gpus = Number(spec.resources?.limits?.gpu ?? spec.resources?.requests?.gpu ?? 0) > 0;
  if (!limits['nvidia.com/gpu'] && spec.resources?.requests?.gpu && spec.resources.requests.gpu !== '0') {
    // Kubernetes takes extended resources from limits; a GPU asked only as a request goes there too.
    limits['nvidia.com/gpu'] = spec.resources.requests.gpu;
  }
  // Small requests so helper steps do not reserve what the training needs; limits high enough for a zip of a large model.
  const helper = config.helperResources ?? {
    limits: { cpu: '500m', memory: '512Mi' },
    requests: { cpu: '50m', memory: '128Mi' },
  };
  const step = config.stepCommand ?? DEFAULT_STEP;
  const mounts = [
    { name: 'work', mountPath: POD_PATHS.root },
    { name: 'run-spec', mountPath: POD_PATHS.specDir, readOnly: true },
  ];
  const helperEnv: V1EnvVar[] = [{ name: 'GANGPLANK_POD_ROOT', value: POD_PATHS.root }];
  // The steps before and after the training are one image, named by the step they run.
  const stepContainer = (name: 'setup' | 'result'): V1Container => ({
    name,
    image: config.gangplankImage,
    command: [...step, name, POD_PATHS.specFile],
    env: helperEnv,
    resources: helper,
    volumeMounts: mounts,
    terminationMessagePolicy: 'File',
  });
  const setup = stepContainer('setup');
  const train: V1Container = {
    name: 'train',
    image: trainImage(spec, config),
    command: ['/bin/sh', POD_PATHS.entryScript],
    env,
    resources: {
      ...(Object.keys(limits).length ? { limits } : {}),
      ...(Object.keys(requests).length ? { requests } : {}),
    },
    volumeMounts: [{ name: 'work', mountPath: POD_PATHS.root }],
    workingDir: POD_PATHS.workspace,
  };
  const result = stepContainer('result');
  const tolerations = [...(config.tolerations ?? []), ...(gpus ? (config.gpuTolerations ?? []) : [])];
  // The training wins on a shared key: the API only accepts selectors equal to a configured node pool.
  const nodeSelector = { ...(config.nodeSelector ?? {}), ...(spec.nodeSelector ?? {}) };
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: ns,
      labels,
      annotations: { 'gangplank.io/run-id': spec.runId, 'gangplank.io/training-id': spec.trainingId },
      ...(config.ownerReference ? { ownerReferences: [config.ownerReference] } : {}),
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished ?? 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(config.serviceAccountName ? { serviceAccountName: config.serviceAccountName } : {}),
          automountServiceAccountToken: false,
          ...(config.imagePullSecrets?.length
            ? { imagePullSecrets: config.imagePullSecrets.map((n) => ({ name: n })) }
            : {}),
          ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
          ...(tolerations.length ? { tolerations } : {}),
          initContainers: [setup],
          containers: [train, result],
          volumes: [
            { name: 'work', emptyDir: {} },
            { name: 'run-spec', secret: { secretName: `${name}-spec`, defaultMode: 0o400 } },
          ],
        },
      },
    },
  };
  const secret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${name}-spec`, namespace: ns, labels },
    type: 'Opaque',
    stringData: { 'run.json': JSON.stringify(spec) },
  };
  const manifests: RunManifests = { job, secret };
  if (gatewayOn) {
    const gwLabels = { ...labels, [LABELS.component]: 'metrics-gateway', [LABELS.gateway]: gatewayName };
    manifests.gateway = {
      pod: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: gatewayName,
          namespace: ns,
          labels: gwLabels,
          // Read by the Prometheus in deploy/kubernetes (pod discovery), which keeps the gateway's labels.
          annotations: { 'gangplank.io/scrape': 'true', 'gangplank.io/scrape-port': '9091' },
        },
        spec: {
          restartPolicy: 'Always',
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'pushgateway',
              image: config.pushgatewayImage ?? 'prom/pushgateway:v1.11.1',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 9091 }],
              readinessProbe: { httpGet: { path: '/-/ready', port: 9091 }, periodSeconds: 2 },
              resources: {
                limits: { cpu: '200m', memory: '128Mi' },
                requests: { cpu: '50m', memory: '32Mi' },
              },
            },
          ],
        },
      },
      service: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: gatewayName, namespace: ns, labels: gwLabels },
        spec: {
          selector: { [LABELS.gateway]: gatewayName },
          ports: [{ name: 'http', port: 9091, targetPort: 9091 }],
        },
      },
    };
  }
  return manifests;
}

/** Owner reference pointing at a created Job (for its Secret and gateway). */
export function ownedByJob(job: V1Job): V1OwnerReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: job.metadata?.name ?? '',
    uid: job.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
