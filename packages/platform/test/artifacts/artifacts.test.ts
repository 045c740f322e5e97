import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderArtifactName, validateArtifactNameTemplate } from '../../src/artifacts/name-template.js';
import { publishArtifact } from '../../src/artifacts/publish-artifact.js';
import { zipFolder } from '../../src/artifacts/zip-folder.js';
import { failure, nodeSpec, tempDir } from '../fixtures/specs.js';

const root = tempDir('gp-art-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fields = {
  Name: 'wine',
  Version: '1.0',
  RandomUUID: 'be17d12d-df43-4588-99e7-56a0db3cad77',
  CommitID: 'd3d6e8ed',
};

describe('artifact name template', () => {
  it('fills Name, Version, RandomUUID and CommitID', () => {
    expect(renderArtifactName('{{ .Name }}-{{ .Version }}-{{ .RandomUUID }}.zip', fields)).toBe(
      'wine-1.0-be17d12d-df43-4588-99e7-56a0db3cad77.zip',
    );
    expect(renderArtifactName('{{.Name}}/{{ .CommitID }}.zip', fields)).toBe('wine/d3d6e8ed.zip');
  });

  it('finds bad templates before a run starts', () => {
    expect(validateArtifactNameTemplate('{{ .Name }}.zip')).toEqual([]);
    expect(validateArtifactNameTemplate('{{ .Foo }}.zip')[0]).toContain('"{{ .Foo }}" is not one of');
    expect(validateArtifactNameTemplate('{{ .Name }.zip')).toHaveLength(1);
    expect(validateArtifactNameTemplate('')).toHaveLength(1);
  });

  it('refuses names that would climb out of the artifact folder', () => {
    expect(() => renderArtifactName('../{{ .Name }}.zip', fields)).toThrow('without empty or ".." parts');
    expect(() => renderArtifactName('/abs.zip', fields)).toThrow();
  });
});

describe('zip and publish', () => {
  it('zips the output folder with relative paths and empty folders', async () => {
    const out = join(root, 'out');
    mkdirSync(join(out, 'model', 'empty'), { recursive: true });
    writeFileSync(join(out, 'model', 'w.bin'), Buffer.alloc(1000, 1));
    writeFileSync(join(out, 'README'), 'hi');
    const zip = join(root, 'a.zip');
    const summary = await zipFolder(out, zip);
    expect(summary).toEqual({ files: 2, bytes: 1002 });
    const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(['README', 'model/empty/', 'model/w.bin']);
    execFileSync('unzip', ['-tq', zip]);
  });

  it('uploads to a local output connection under <path>/<artifact name> and records commitID', async () => {
    const out = join(root, 'out2');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'model.json'), '{}');
    const bucket = join(root, 'bucket');
    const spec = nodeSpec('succeed.mjs', {
      model: { name: 'wine', version: '2.0', artifactNameTemplate: 'models/{{ .Name }}-{{ .CommitID }}.zip' },
      output: { connection: { id: 'out', type: 'local', uri: bucket } },
    });
    const artifact = await publishArtifact({
      spec,
      outputDir: out,
      artifactDir: join(root, 'artifacts'),
      commitId: 'abc123',
      log: () => {},
    });
    expect(artifact).toMatchObject({
      runId: spec.runId,
      artifactName: 'models/wine-abc123.zip',
      commitID: 'abc123',
    });
    expect(
      execFileSync('unzip', ['-Z1', join(bucket, 'models', 'wine-abc123.zip')], { encoding: 'utf8' }).trim(),
    ).toBe('model.json');
  });

  it('fails with an ArtifactError naming the output connection when the upload fails', async () => {
    const out = join(root, 'out3');
    mkdirSync(out, { recursive: true });
    const spec = nodeSpec('succeed.mjs', {
      output: {
        connection: {
          id: 'broken-out',
          type: 's3',
          uri: 's3://b/',
          endpoint: 'http://127.0.0.1:1',
          keyID: 'a',
          keySecret: 'b',
        },
      },
    });
    const error = await failure(
      publishArtifact({
        spec,
        outputDir: out,
        artifactDir: join(root, 'art3'),
        commitId: '',
        log: () => {},
      }),
    );
    expect(error.reason).toBe('ArtifactError');
    expect(error.message).toContain('output connection "broken-out"');
  });
});
