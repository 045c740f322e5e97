/**
 * The Kubernetes manifests of a run, as data: golden files under `golden/` (review a change there like code), plus
 * the properties that matter whatever the layout.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dnsLabel,
  jobName,
  labelValue,
  renderRunManifests,
  trainImage,
} from '../../../src/executors/kubernetes/manifests.js';
import type { KubernetesJobConfig, KubernetesRunSpec } from '../../../src/executors/kubernetes/manifests.js';

const spec: KubernetesRunSpec = {
  runId: 'wine-12-3f9a',
  trainingId: 'wine-12',
  model: { name: 'wine', version: '1.0' },
  toolchain: {
    id: 'mlflow',
    kind: 'mlflow',
    additionalEnvironments: { MLFLOW_TRACKING_URI: 'http://mlflow:5000', SHARED: 'toolchain' },
  },
  entrypoint: 'main',
  hyperParameters: { alpha: '0.5' },
  envs: [{ name: 'SHARED', value: 'training' }],
  workDir: 'mlflow/sklearn/wine',
  resources: { limits: { cpu: '2', memory: '4Gi' }, requests: { cpu: '1', memory: '2Gi' } },
  timeoutMs: 90 * 60_000,
  metrics: {
    enabled: true,
    job: 'wine',
    grouping: { training: 'wine-12' },
    pushgatewayAddr: 'pushgateway:9091',
  },
};

const config: KubernetesJobConfig = {
  namespace: 'gangplank-training',
  gangplankImage: 'ghcr.io/example/gangplank:0.1.0',
  toolchainImage: 'ghcr.io/example/mlflow-toolchain:1.0',
  serviceAccountName: 'gangplank-run',
  nodeSelector: { 'gangplank.io/pool': 'training' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'training', effect: 'NoSchedule' }],
  gpuTolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
};

/**
 * Compares with a golden file as data (so `prettier --write` on the file changes nothing); writes it when missing
 * or when GANGPLANK_UPDATE_GOLDEN=1 (then review the diff like code).
 */
function expectGolden(name: string, value: unknown): void {
  const file = new URL(`./golden/${name}`, import.meta.url).pathname;
  const data = JSON.parse(JSON.stringify(value)) as unknown;
  if (process.env.GANGPLANK_UPDATE_GOLDEN === '1' || !existsSync(file)) {
    writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  }
  expect(data).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('Kubernetes manifests of a run', () => {
  it('renders the Job and Secret of a CPU run (golden)', () => {
    expectGolden('cpu-run.json', renderRunManifests(spec, config));
  });

  it('renders a GPU run with its own Pushgateway, owner and image (golden)', () => {
    const m = renderRunManifests(
      {
        ...spec,
        image: 'ghcr.io/example/wine-train:2',
        nodeSelector: { 'gangplank.io/pool': 'gpu' },
        resources: { limits: { cpu: '4', memory: '16Gi', gpu: '2' } },
      },
      {
        ...config,
        gatewayPerJob: true,
        ownerReference: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'gangplank',
          uid: 'uid-of-deployment',
        },
      },
    );
    expectGolden('gpu-run-with-gateway.json', m);
  });

  it("renders a training's own image and node selector merged over the configuration (golden)", () => {
    const m = renderRunManifests(
      {
        ...spec,
        toolchain: { ...spec.toolchain, defaultImage: 'odahu/mlflow-toolchain:1.7.0' },
        image: 'ghcr.io/example/wine-train:3',
        nodeSelector: { 'gangplank.io/pool': 'highmem', 'topology.kubernetes.io/zone': 'eu-west-1a' },
      },
      { ...config, toolchainImages: { mlflow: 'registry.local/mlflow-toolchain:1.7.0' } },
    );
    expectGolden('training-image-node-selector.json', m);
    const pod = m.job.spec?.template.spec;
    expect(pod?.containers.find((c) => c.name === 'train')?.image).toBe('ghcr.io/example/wine-train:3');
    // The training wins on the shared key; the configured keys it does not name stay.
    expect(pod?.nodeSelector).toEqual({
      'gangplank.io/pool': 'highmem',
      'topology.kubernetes.io/zone': 'eu-west-1a',
    });
    expect(pod?.tolerations?.map((t) => t.key)).toEqual(['dedicated']); // no GPU asked: no GPU tolerations
  });

  it('chooses the train image: training, toolchainImages, toolchain default, toolchainImage, gangplankImage', () => {
    const tc = { ...spec.toolchain, defaultImage: 'odahu/mlflow:1' };
    const cfg = { ...config, toolchainImages: { mlflow: 'mirror/mlflow:1' } };
    expect(trainImage({ ...spec, toolchain: tc, image: 'own:1' }, cfg)).toBe('own:1');
    // An image equal to the toolchain default was copied in by Odahu's validation: the configured override applies.
    expect(trainImage({ ...spec, toolchain: tc, image: 'odahu/mlflow:1' }, cfg)).toBe('mirror/mlflow:1');
    expect(trainImage({ ...spec, toolchain: tc }, cfg)).toBe('mirror/mlflow:1');
    expect(trainImage({ ...spec, toolchain: tc, image: 'odahu/mlflow:1' }, config)).toBe('odahu/mlflow:1');
    expect(trainImage({ ...spec, image: '' }, config)).toBe(config.toolchainImage);
    expect(trainImage(spec, { ...config, toolchainImage: undefined })).toBe(config.gangplankImage);
  });

  it('ties the pieces together: labels, deadline, env order, GPU limits, gateway address, no secret in train', () => {
    const m = renderRunManifests(
      { ...spec, resources: { limits: { gpu: '1' } } },
      { ...config, gatewayPerJob: true },
    );
    const pod = m.job.spec?.template.spec;
    const train = pod?.containers.find((c) => c.name === 'train');
    expect(m.job.metadata?.labels?.['gangplank.io/training-id']).toBe('wine-12');
    expect(m.job.spec?.template.metadata?.labels).toEqual(m.job.metadata?.labels);
    expect(m.job.spec?.activeDeadlineSeconds).toBe(5400);
    expect(m.job.spec?.backoffLimit).toBe(0);
    expect(train?.image).toBe(config.toolchainImage);
    expect(train?.resources?.limits?.['nvidia.com/gpu']).toBe('1');
    const env = Object.fromEntries((train?.env ?? []).map((e) => [e.name, e.value]));
    expect(env.SHARED).toBe('training'); // the training's envs win over the toolchain's
    expect(env.GANGPLANK_PUSHGATEWAY_ADDR).toBe(
      `${jobName(spec.runId)}-metrics-gateway.gangplank-training.svc:9091`,
    );
    expect(env.GANGPLANK_GROUPING).toBe('training=wine-12');
    expect(train?.volumeMounts?.map((v) => v.name)).toEqual(['work']); // the run spec (secrets) is not mounted
    expect(pod?.tolerations?.map((t) => t.key)).toEqual(['dedicated', 'nvidia.com/gpu']);
    expect(m.gateway?.service.spec?.selector).toEqual(
      m.gateway?.pod.metadata?.labels && {
        'gangplank.io/metrics-gateway': `${jobName(spec.runId)}-metrics-gateway`,
      },
    );
    expect(JSON.parse(m.secret.stringData?.['run.json'] ?? '{}')).toMatchObject({ runId: spec.runId });
  });

  it('uses the central gateway when per-job gateways are off, and none when metrics are off', () => {
    const train = (s: KubernetesRunSpec) =>
      renderRunManifests(s, config).job.spec?.template.spec?.containers.find((c) => c.name === 'train');
    expect(train(spec)?.env?.find((e) => e.name === 'GANGPLANK_PUSHGATEWAY_ADDR')?.value).toBe(
      'pushgateway:9091',
    );
    const off = train({ ...spec, metrics: { ...spec.metrics, enabled: false } });
    expect(off?.env?.find((e) => e.name === 'GANGPLANK_PUSHGATEWAY_ADDR')).toBeUndefined();
    expect(
      renderRunManifests(
        { ...spec, metrics: { ...spec.metrics, enabled: false } },
        { ...config, gatewayPerJob: true },
      ).gateway,
    ).toBeUndefined();
  });

  it('makes valid names and label values from any id', () => {
    expect(dnsLabel('Run_ID.With Caps')).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    expect(dnsLabel('a'.repeat(100))).toHaveLength(63);
    expect(dnsLabel('a'.repeat(100))).not.toBe(dnsLabel(`${'a'.repeat(99)}b`));
    expect(jobName('x'.repeat(80)).length).toBeLessThanOrEqual(52);
    expect(labelValue('-model name/with slash-')).toBe('model_name_with_slash');
  });
});
