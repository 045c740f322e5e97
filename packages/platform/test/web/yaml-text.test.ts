import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../webapp/src/yaml-text.js';

describe('toYaml', () => {
  it('writes a manifest that a YAML reader gives back unchanged, strings staying strings', () => {
    const manifest = {
      kind: 'ModelTraining',
      id: 'wine-12',
      spec: {
        model: { name: 'wine', version: '1.10', artifactNameTemplate: '{{ .Name }}-{{ .Version }}.zip' },
        toolchain: 'mlflow',
        args: ['--epochs', '3', 'a: b', '# not a comment', ''],
        envs: [{ name: 'FLAG', value: 'true' }],
        hyperParameters: { alpha: '0.5', 'odd key': 'null', yes: 'no' },
        algorithmSource: { vcs: { connection: 'repo', reference: 'origin/master' } },
        resources: { limits: { cpu: '4', memory: '4Gi' } },
        data: [],
        nodeSelector: {},
        text: 'line one\nline "two"',
      },
    };
    const text = toYaml(manifest);
    expect(parse(text)).toEqual(manifest);
    expect(text).toContain('version: "1.10"');
    expect(text).toContain('toolchain: mlflow');
  });
});
