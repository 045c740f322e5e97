/**
 * The executor conformance suite on the Kubernetes executor, against the FAKE API server with a fake Job controller
 * and kubelet (`fake-kubelet.ts`) that run the pod's steps on this machine. No real cluster runs here.
 */
import { afterAll, beforeAll } from 'vitest';
import { KubernetesExecutor } from '../../../src/executors/kubernetes/kubernetes-executor.js';
import { FakeKubeApi } from '../../support/fake-kube-api.js';
import { describeExecutorConformance } from '../conformance.js';
import { FakeKubelet } from './fake-kubelet.js';

const NS = 'conformance';
const api = new FakeKubeApi();
const kubelet = new FakeKubelet(api, NS);
beforeAll(async () => {
  await api.start();
  kubelet.start();
});
afterAll(async () => {
  kubelet.stop();
  await api.stop();
});

describeExecutorConformance('kubernetes (fake API server and kubelet)', {
  make: () =>
    new KubernetesExecutor({ kubeConfig: api.kubeConfig(), namespace: NS, gangplankImage: 'gangplank:test' }),
});
