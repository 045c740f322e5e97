import { describe, expect, it } from 'vitest';
import { connectionColumns, formatElapsed, trainingColumns } from '../../src/cli/columns.js';
import { UsageError } from '../../src/cli/errors.js';
import { evaluateJsonPath, normalizeJsonPath } from '../../src/cli/jsonpath.js';
import { parseOutputFormat, renderObject, renderOutput } from '../../src/cli/output.js';
import { age } from '../../src/cli/table.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const trainings = [
  {
    id: 'wine',
    updatedAt: '2026-01-01T11:57:00Z',
    spec: { toolchain: 'mlflow', model: { name: 'wine', version: '1.0' } },
    status: { state: 'succeeded', artifacts: [{ runId: 'r-1', artifactName: 'wine-1.0-abc.zip' }] },
  },
  {
    id: 'mnist',
    spec: { toolchain: 'command', model: { name: 'mnist', version: '2' } },
    status: { state: 'running' },
  },
];

describe('jsonpath', () => {
  it("evaluates Odahu's documented forms over the list", () => {
    expect(evaluateJsonPath('$[0].status.artifacts[0].runId', trainings)).toEqual(['r-1']);
    expect(evaluateJsonPath('[*].spec.model.name', trainings)).toEqual(['wine', 'mnist']);
    expect(evaluateJsonPath('{[*].id}', trainings)).toEqual(['wine', 'mnist']);
    expect(evaluateJsonPath("$[?(@.status.state=='running')].id", trainings)).toEqual(['mnist']);
  });

  it('normalises missing $ and kubectl braces', () => {
    expect(normalizeJsonPath('[*].id')).toBe('$[*].id');
    expect(normalizeJsonPath('.id')).toBe('$.id');
    expect(normalizeJsonPath('id')).toBe('$.id');
    expect(normalizeJsonPath('{.id}')).toBe('$.id');
  });

  it('never runs code from a filter expression', () => {
    expect(() =>
      evaluateJsonPath("$[?(@.constructor.constructor('return process')().exit(7))]", trainings),
    ).toThrow(UsageError);
  });

  it('rejects empty and unbalanced expressions as usage errors', () => {
    expect(() => evaluateJsonPath('', trainings)).toThrow(UsageError);
    expect(() => evaluateJsonPath('$[[[', trainings)).toThrow(/unbalanced/);
    expect(() => evaluateJsonPath("$[?(@.id=='x)]", trainings)).toThrow(/unbalanced/);
  });
});

describe('output formats', () => {
  it('parses -o values and refuses unknown ones', () => {
    expect(parseOutputFormat(undefined)).toEqual({ kind: 'yaml' });
    expect(parseOutputFormat('json')).toEqual({ kind: 'json' });
    expect(parseOutputFormat('table')).toEqual({ kind: 'table' });
    expect(parseOutputFormat('jsonpath=$[0].id')).toEqual({ kind: 'jsonpath', expr: '$[0].id' });
    expect(() => parseOutputFormat('xml')).toThrow(/unknown output format "xml"/);
  });

  it('prints a list in YAML and JSON, and matches bare in jsonpath', () => {
    const cols = trainingColumns(NOW);
    expect(renderOutput(trainings, { kind: 'yaml' }, cols)).toMatch(/^- id: wine\n/);
    expect(JSON.parse(renderOutput(trainings, { kind: 'json' }, cols))).toEqual(trainings);
    expect(renderOutput(trainings, { kind: 'jsonpath', expr: '$[0].status.artifacts[0].runId' }, cols)).toBe(
      'r-1',
    );
    expect(renderOutput(trainings, { kind: 'jsonpath', expr: '$[0].status' }, cols)).toBe(
      JSON.stringify(trainings[0]!.status),
    );
    expect(renderOutput([], { kind: 'yaml' }, cols)).toBe('[]');
  });

  it('draws tables with padded columns and dashes for missing cells', () => {
    expect(renderOutput(trainings, { kind: 'table' }, trainingColumns(NOW))).toBe(
      [
        'ID      STATE       TOOLCHAIN   MODEL   VERSION   ARTIFACT           AGE',
        'wine    succeeded   mlflow      wine    1.0       wine-1.0-abc.zip   3m',
        'mnist   running     command     mnist   2         -                  -',
      ].join('\n'),
    );
    const conn = [
      { id: 'c', spec: { type: 'git', uri: 'https://example.com/r.git', description: 'line one\nline two' } },
    ];
    expect(renderOutput(conn, { kind: 'table' }, connectionColumns(NOW)).split('\n')[1]).toContain(
      'line one line two',
    );
  });

  it('renders single objects', () => {
    expect(renderObject({ url: 'http://x' }, { kind: 'yaml' })).toBe('url: http://x');
    expect(renderObject({ url: 'http://x' }, { kind: 'jsonpath', expr: '$.url' })).toBe('http://x');
  });

  it('formats ages and durations', () => {
    expect(age('2026-01-01T11:59:30Z', NOW)).toBe('30s');
    expect(age('2025-12-30T12:00:00Z', NOW)).toBe('2d');
    expect(age('0001-01-01T00:00:00Z', NOW)).toBe('-');
    expect(formatElapsed(65_000)).toBe('1m05s');
    expect(formatElapsed(3_720_000)).toBe('1h02m');
  });
});
