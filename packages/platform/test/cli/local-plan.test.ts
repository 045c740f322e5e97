import { describe, expect, it } from 'vitest';
import { referencedConnections, resolveLocalPlan, resolveLocalUris } from '../../src/cli/local-plan.js';
import { parseManifests } from '../../src/cli/manifest.js';

const FILES = parseManifests(
  `kind: ModelTraining
id: wine
spec:
  toolchain: mlflow
  algorithmSource: {objectStorage: {connection: code}}
  data: [{connection: data, localPath: d/}, {connName: old-style, localPath: e/}]
  outputConnection: out
---
kind: ModelTraining
id: other
spec: {toolchain: command, vcsName: repo}
---
kind: ToolchainIntegration
id: mlflow
spec: {entrypoint: main, defaultImage: x}
---
kind: Connection
id: code
spec: {type: local, uri: /src}
---
kind: Connection
id: data
spec: {type: local, uri: /data}
`,
  'all.yaml',
);

describe('resolveLocalPlan', () => {
  it('finds the training, its toolchain and the connections the files hold, and names the missing ones', () => {
    const plan = resolveLocalPlan(FILES, 'wine');
    expect(plan.training['id']).toBe('wine');
    expect(plan.toolchain?.['id']).toBe('mlflow');
    expect(plan.connections.map((c) => c['id'])).toEqual(['code', 'data']);
    expect(plan.missingConnections).toEqual(['out', 'old-style']);
  });

  it('reads pre-1.5 fields and leaves an absent toolchain to the executor', () => {
    const plan = resolveLocalPlan(FILES, 'other');
    expect(plan.toolchainId).toBe('command');
    expect(plan.toolchain).toBeUndefined();
    expect(plan.missingConnections).toEqual(['repo']);
  });

  it('needs --id only when several trainings are given', () => {
    expect(() => resolveLocalPlan(FILES, undefined)).toThrow(
      /several trainings \(wine, other\); pick one with --id/,
    );
    expect(() => resolveLocalPlan(FILES, 'nope')).toThrow(/no ModelTraining with id nope; found wine, other/);
    expect(resolveLocalPlan(FILES.slice(1), undefined).training['id']).toBe('other');
    expect(() => resolveLocalPlan(FILES.slice(2), undefined)).toThrow(/no ModelTraining document/);
  });

  it('lists each referenced connection once', () => {
    expect(
      referencedConnections({
        algorithmSource: { vcs: { connection: 'a' } },
        data: [{ connection: 'a' }, 'junk', null],
      }),
    ).toEqual(['a']);
  });
});

describe('resolveLocalUris', () => {
  it("reads a local connection's relative uri from its file's folder, and leaves the rest alone", () => {
    const docs = parseManifests(
      'kind: Connection\nid: a\nspec: {type: local, uri: data}\n---\nkind: Connection\nid: b\nspec: {type: local, uri: /abs}\n---\nkind: Connection\nid: c\nspec: {type: git, uri: repo}\n',
      'project/manifests/all.yaml',
    );
    const uris = resolveLocalUris(docs, '/work').map((m) => (m.body['spec'] as { uri: string }).uri);
    expect(uris).toEqual(['/work/project/manifests/data', '/abs', 'repo']);
  });
});
