import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MLprojectError, parseMLproject, renderEntryPoint } from '../../src/toolchains/mlproject.js';
import { shellQuote } from '../../src/toolchains/shell-quote.js';
import { MLPROJECT } from '../fixtures/specs.js';

const project = parseMLproject(readFileSync(join(MLPROJECT, 'MLproject'), 'utf8'));
const opts = { projectDir: '/proj' };

describe('MLproject', () => {
  it('parses typed parameters, shorthand types and defaults', () => {
    expect(project.name).toBe('fixture-project');
    expect(project.entryPoints.main?.parameters).toEqual({
      alpha: { type: 'float', default: '0.5' },
      epochs: { type: 'int', default: '2' },
      label: { type: 'string' },
      data_file: { type: 'path', default: 'data/train.csv' },
    });
  });

  it('renders with defaults, absolute paths and extra parameters as --name value', () => {
    const command = renderEntryPoint(project, 'main', { label: 'red', alpha: '0.1', extra: 'x y' }, opts);
    expect(command).toBe(
      "node train.mjs --alpha 0.1 --epochs 2 --label red --data /proj/data/train.csv --extra 'x y'",
    );
  });

  it('reports missing parameters, bad numbers and unknown entry points as Odahu/MLflow do', () => {
    expect(() => renderEntryPoint(project, 'main', {}, opts)).toThrow(
      "No value given for missing parameters: 'label'",
    );
    expect(() => renderEntryPoint(project, 'main', { label: 'a', alpha: 'abc' }, opts)).toThrow(
      'must be a float',
    );
    expect(() => renderEntryPoint(project, 'main', { label: 'a', epochs: '1.5' }, opts)).toThrow(
      'must be an int',
    );
    expect(() => renderEntryPoint(project, 'nope', {}, opts)).toThrow(
      'entry point "nope" is not in MLproject (it has: main, echo)',
    );
  });

  it('rejects malformed files with the offending field', () => {
    expect(() => parseMLproject('name: x')).toThrow(MLprojectError);
    expect(() => parseMLproject('entry_points:\n  main:\n    parameters: {}\n')).toThrow(
      '"main" has no command',
    );
    expect(() =>
      parseMLproject('entry_points:\n  main:\n    parameters: {a: weird}\n    command: x\n'),
    ).toThrow('unknown type "weird"');
    expect(() => parseMLproject('entry_points: [')).toThrow('not valid YAML');
    const bad = parseMLproject('entry_points:\n  main:\n    command: "run {nope}"\n');
    expect(() => renderEntryPoint(bad, 'main', {}, opts)).toThrow('uses {nope}');
  });

  it('keeps {{ }} as literal braces', () => {
    const p = parseMLproject(
      'entry_points:\n  main:\n    parameters: {a: string}\n    command: "echo {{x}} {a}"\n',
    );
    expect(renderEntryPoint(p, 'main', { a: 'v' }, opts)).toBe('echo {x} v');
  });

  it('never lets a hyperparameter inject a shell command (property, run through /bin/sh)', () => {
    const echo = parseMLproject(
      'entry_points:\n  main:\n    parameters: {m: string}\n    command: "printf %s {m}"\n',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom(
            "'; touch /tmp/pwned; '",
            '$(id)',
            '`id`',
            '"; id; "',
            'a\'b"c',
            '\\',
            '$HOME',
            '&&',
            '\n id',
          ),
        ),
        (value) => {
          const clean = value.replace(/\0/g, '');
          const command = renderEntryPoint(echo, 'main', { m: clean }, opts);
          const out = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
          expect(out).toBe(clean);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('quotes words for the shell', () => {
    expect(shellQuote('plain-1.0')).toBe('plain-1.0');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});
