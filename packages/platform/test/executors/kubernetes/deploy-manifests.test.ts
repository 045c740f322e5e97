/**
 * deploy/kubernetes as data: every document parses, the executor's Role grants each call the executor makes (the
 * same list the fake API server sees), bindings point at accounts that exist, and the Prometheus configuration in
 * the ConfigMap passes `promtool check config` (skipped with a reason when promtool is missing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '@gangplank/stack';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const dir = new URL('../../../../../deploy/kubernetes/', import.meta.url).pathname;

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

const docs: Doc[] = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
      if (d.errors.length) throw new Error(`${f}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as Doc;
    }),
  )
  .filter((d) => d.kind !== 'Kustomization');

const find = (kind: string, name: string, namespace?: string) =>
  docs.find(
    (d) => d.kind === kind && d.metadata.name === name && (!namespace || d.metadata.namespace === namespace),
  );

/** Calls of KubernetesExecutor: [apiGroup, resource, verb]. */
const EXECUTOR_CALLS: [string, string, string][] = [
  ['batch', 'jobs', 'create'],
  ['batch', 'jobs', 'get'],
  ['batch', 'jobs', 'patch'],
  ['batch', 'jobs', 'delete'],
  ['', 'pods', 'list'],
  ['', 'pods', 'create'],
  ['', 'pods/log', 'get'],
  ['', 'secrets', 'create'],
  ['', 'services', 'create'],
];

describe('deploy/kubernetes', () => {
  it('lists every file in the kustomization', () => {
    const k = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as {
      resources: string[];
    };
    expect(k.resources.sort()).toEqual(
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
  });

  it("grants the executor's service account what the executor calls, in the training namespace only", () => {
    const role = find('Role', 'gangplank-executor', 'gangplank-training') as Doc & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    for (const [group, resource, verb] of EXECUTOR_CALLS) {
      const ok = role.rules.some(
        (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
      );
      expect(ok, `${group}/${resource} ${verb}`).toBe(true);
    }
    expect(docs.some((d) => d.kind === 'ClusterRole')).toBe(false);
    const binding = find('RoleBinding', 'gangplank-executor', 'gangplank-training') as Doc & {
      subjects: { name: string; namespace: string }[];
    };
    const subject = binding.subjects[0];
    expect(find('ServiceAccount', subject?.name ?? '', subject?.namespace)).toBeDefined();
    const deployment = find('Deployment', 'gangplank', 'gangplank') as Doc & {
      spec: { template: { spec: { serviceAccountName: string } } };
    };
    expect(deployment.spec.template.spec.serviceAccountName).toBe(subject?.name);
    expect(find('ServiceAccount', 'gangplank-run', 'gangplank-training')).toBeDefined();
  });

  const promtool = findOnPath(['promtool']);
  it.skipIf(!promtool)(
    'ships a Prometheus configuration promtool accepts (skipped: promtool not installed)',
    () => {
      const cm = find('ConfigMap', 'prometheus', 'gangplank') as Doc & { data: Record<string, string> };
      const tmp = mkdtempSync(join(tmpdir(), 'gp-k8s-prom-'));
      try {
        const text = cm.data['prometheus.yml'] ?? '';
        const config = parseAllDocuments(text)[0]?.toJS() as {
          scrape_configs: { job_name: string; honor_labels?: boolean; kubernetes_sd_configs?: unknown[] }[];
        };
        // Debian's Prometheus (2.42) is built without Kubernetes discovery, so its promtool rejects
        // kubernetes_sd_configs: check the discovered job's shape here and the rest with promtool.
        const discovered = config.scrape_configs.filter((j) => j.kubernetes_sd_configs);
        expect(discovered.map((j) => [j.job_name, j.honor_labels])).toEqual([['run-pushgateways', true]]);
        const file = join(tmp, 'prometheus.yml');
        writeFileSync(
          file,
          JSON.stringify({
            ...config,
            scrape_configs: config.scrape_configs.filter((j) => !j.kubernetes_sd_configs),
          }),
        );
        const check = spawnSync(promtool ?? 'promtool', ['check', 'config', file], { encoding: 'utf8' });
        expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
        expect(config.scrape_configs.find((j) => j.job_name === 'pushgateway')?.honor_labels).toBe(true);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    },
  );
});
