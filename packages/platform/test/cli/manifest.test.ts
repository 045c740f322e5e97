import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { manifestKind, parseManifests, selectManifests } from '../../src/cli/manifest.js';

const TRAINING = `kind: ModelTraining
id: wine
spec:
  model:
    name: wine
    version: 1.10
  toolchain: mlflow
  hyperParameters:
    alpha: 1.0
    fast: true
  resources:
    limits:
      cpu: 4
`;

describe('parseManifests', () => {
  it('reads every --- document and keeps numbers as written', () => {
    const docs = parseManifests(
      `${TRAINING}---\nkind: ToolchainIntegration\nid: mlflow\nspec:\n  defaultImage: x\n---\n`,
      'f.yaml',
    );
    expect(docs.map((d) => [d.kind, d.id, d.source])).toEqual([
      ['ModelTraining', 'wine', 'f.yaml#1'],
      ['ToolchainIntegration', 'mlflow', 'f.yaml#2'],
    ]);
    const spec = docs[0]!.body['spec'] as {
      model: { version: unknown };
      resources: { limits: { cpu: unknown } };
    };
    expect(spec.model.version).toBe('1.10');
    expect((spec as unknown as Record<string, unknown>)['hyperParameters']).toEqual({
      alpha: '1.0',
      fast: 'true',
    });
    expect(spec.resources.limits.cpu).toBe('4');
    expect(docs[0]!.body).not.toHaveProperty('kind');
  });

  it('reads a JSON array and a JSON object, and keeps vital a boolean', () => {
    const docs = parseManifests(
      JSON.stringify([
        { kind: 'Connection', id: 'a', spec: { type: 'git', uri: 'x', vital: true } },
        { kind: 'Connection', id: 'b', spec: { type: 'git', uri: 'y' } },
      ]),
      'c.json',
    );
    expect(docs.map((d) => d.id)).toEqual(['a', 'b']);
    expect((docs[0]!.body['spec'] as { vital: unknown }).vital).toBe(true);
    expect(parseManifests('{"id": "one", "spec": {"type": "local", "uri": "/tmp"}}', 'o.json')[0]!.kind).toBe(
      'Connection',
    );
  });

  it('infers a missing kind from the spec', () => {
    const [t, ti, c, other] = parseManifests(
      'id: a\nspec: {toolchain: x}\n---\nid: b\nspec: {defaultImage: i}\n---\nid: c\nspec: {type: s3, uri: s3://b}\n---\nid: d\nspec: {}\n',
      'x',
    );
    expect([t!.kind, ti!.kind, c!.kind, other!.kind]).toEqual([
      'ModelTraining',
      'ToolchainIntegration',
      'Connection',
      undefined,
    ]);
  });

  it('turns bad YAML and non-mappings into usage errors naming the document', () => {
    expect(() => parseManifests('a: [1, 2\n', 'bad.yaml')).toThrow(UsageError);
    expect(() => parseManifests('- just a string\n', 'list.yaml')).toThrow(
      /list.yaml#1: a manifest must be a mapping/,
    );
    expect(() => parseManifests('a: 1\na: 2\n', 'dup.yaml')).toThrow(/dup.yaml/);
  });

  it('treats an empty file as no documents', () => {
    expect(parseManifests('', 'e.yaml')).toEqual([]);
    expect(parseManifests('---\n---\n', 'e.yaml')).toEqual([]);
  });
});

describe('manifestKind', () => {
  it('names Odahu-only kinds and unknown kinds differently', () => {
    const [doc] = parseManifests('kind: ModelDeployment\nid: x\n', 'd.yaml');
    expect(() => manifestKind(doc!)).toThrow(/Odahu-flow kind that Gangplank does not serve/);
    const [bad] = parseManifests('kind: Banana\nid: x\n', 'd.yaml');
    expect(() => manifestKind(bad!)).toThrow(/unknown kind Banana/);
    const [none] = parseManifests('id: x\n', 'd.yaml');
    expect(() => manifestKind(none!)).toThrow(/no kind/);
    expect(manifestKind(none!, 'Connection')).toBe('Connection');
  });
});

describe('selectManifests', () => {
  const docs = parseManifests(
    `${TRAINING}---\nkind: ModelTraining\nid: wine-2\nspec: {toolchain: mlflow}\n---\nkind: Connection\nid: c\nspec: {type: git, uri: u}\n`,
    'all.yaml',
  );

  it('returns every document of the kind and skips the others', () => {
    expect(selectManifests(docs, 'ModelTraining').map((m) => m.id)).toEqual(['wine', 'wine-2']);
    expect(selectManifests(docs, 'Connection').map((m) => m.id)).toEqual(['c']);
  });

  it('renames a single document with --id, and picks by id among several', () => {
    const [renamed] = selectManifests(docs, 'Connection', 'c2');
    expect(renamed!.id).toBe('c2');
    expect(renamed!.body['id']).toBe('c2');
    expect(selectManifests(docs, 'ModelTraining', 'wine-2').map((m) => m.id)).toEqual(['wine-2']);
    expect(() => selectManifests(docs, 'ModelTraining', 'nope')).toThrow(
      /no ModelTraining with id nope among wine, wine-2/,
    );
  });

  it('fails clearly when the kind is absent or an id is missing', () => {
    expect(() => selectManifests(docs, 'ToolchainIntegration')).toThrow(
      /no ToolchainIntegration document in all.yaml/,
    );
    const noId = parseManifests('kind: Connection\nspec: {type: git, uri: u}\n', 'n.yaml');
    expect(() => selectManifests(noId, 'Connection')).toThrow(/has no id; add one or pass --id/);
    expect(selectManifests(noId, 'Connection', 'given')[0]!.id).toBe('given');
  });
});

describe('hostile input', () => {
  it('refuses alias cycles and alias bombs quickly instead of hanging', () => {
    expect(() => parseManifests('a: &a [*a]\n', 'cycle.yaml')).toThrow(
      /cycle.yaml: a YAML alias refers to itself/,
    );
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    expect(() => parseManifests(`${levels.join('\n')}\n`, 'lol.yaml')).toThrow(/more than 100 YAML aliases/);
    expect(
      parseManifests('base: &b {cpu: "1"}\nspec: {limits: *b, requests: *b}\n', 'ok.yaml')[0]!.body['spec'],
    ).toEqual({
      limits: { cpu: '1' },
      requests: { cpu: '1' },
    });
  });

  it('any text either parses into mappings or fails with a usage error, never anything else', () => {
    const tokens = [
      '-',
      ':',
      ' ',
      '\n',
      '[',
      ']',
      '{',
      '}',
      '"',
      "'",
      '&a',
      '*a',
      '---',
      '!!',
      'id',
      'kind',
      '1.0',
      '#',
      '|',
      '>',
    ];
    const yamlish = fc.array(fc.constantFrom(...tokens), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), yamlish), (text) => {
        try {
          for (const m of parseManifests(text, 'f')) expect(typeof m.body).toBe('object');
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
