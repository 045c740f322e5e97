import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandTemplate } from '../../src/toolchains/command-template.js';
import { MLprojectError, parseMLproject, renderEntryPoint } from '../../src/toolchains/mlproject.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-cmdtpl-'));
const marker = join(dir, 'pwned');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An MLproject whose entry point `main` has the string parameters a, b and the given command. */
function project(command: string) {
  return parseMLproject(
    `entry_points:\n  main:\n    parameters: {a: string, b: {type: string, default: "B"}}\n    command: ${JSON.stringify(command)}\n`,
  );
}

/** Runs the rendered command through /bin/sh in `dir`; returns the words `printf` received after its format. */
function argvOf(command: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', command], { cwd: dir, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** Prints each argument followed by NUL, so the exact words reach the test. */
const PRINT_ARGV = `printf '%s\\0'`;

/** Values a hostile user would try, each aimed at creating the marker file. */
const HOSTILE = [
  '$(touch pwned)',
  '`touch pwned`',
  'x" ; touch pwned ; "',
  "x' ; touch pwned ; '",
  '$(touch${IFS}pwned)',
  '\'"$(touch pwned)"\'',
  '\\"; touch pwned; echo \\"',
  '\\',
  '\\\\',
  '$HOME',
  '${HOME}',
  '\n touch pwned \n',
  'a=b',
  'if',
  '; touch pwned #',
  '*',
  '~',
  '',
  '-n',
  "'",
  '"',
  '{a}',
  '$((1+1))',
];

/** Positions MLflow allows, each with the argv it must produce for a value `v`. */
const POSITIONS: { template: string; expected: (v: string) => string[] }[] = [
  { template: `${PRINT_ARGV} {a}`, expected: (v) => [v] },
  { template: `${PRINT_ARGV} '{a}'`, expected: (v) => [v] },
  { template: `${PRINT_ARGV} "{a}"`, expected: (v) => [v] },
  { template: `${PRINT_ARGV} --a={a}x`, expected: (v) => [`--a=${v}x`] },
  { template: `${PRINT_ARGV} "alpha={a}"`, expected: (v) => [`alpha=${v}`] },
  { template: `${PRINT_ARGV} 'alpha={a} it'"s"`, expected: (v) => [`alpha=${v} its`] },
  { template: `${PRINT_ARGV} "x{a}y{a}" '{a}'{a}"{a}"`, expected: (v) => [`x${v}y${v}`, `${v}${v}${v}`] },
  { template: `${PRINT_ARGV} "$(echo hi)" "{a}" # a comment`, expected: (v) => ['hi', v] },
  { template: `X={a}; ${PRINT_ARGV} "$X"`, expected: (v) => [v] },
  { template: `${PRINT_ARGV} \\\n  --a {a} \\\n  "{a}"`, expected: (v) => ['--a', v, v] },
  { template: `(cd . && true) && ${PRINT_ARGV} {a} "{b}"`, expected: (v) => [v, 'B'] },
  {
    template: `cat <<'EOF' >/dev/null\n{{text}} $(touch pwned)\nEOF\n${PRINT_ARGV} "{a}"`,
    expected: (v) => [v],
  },
];

describe('command templates', () => {
  it.each(POSITIONS)('keeps every hostile value one literal word: $template', ({ template, expected }) => {
    const p = project(template);
    for (const value of HOSTILE) {
      const argv = argvOf(renderEntryPoint(p, 'main', { a: value }, { projectDir: dir }));
      expect(argv).toEqual(expected(value));
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('keeps any string one literal word in each position (property, through /bin/sh)', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(...HOSTILE),
      fc
        .array(
          fc.constantFrom('$', '(', ')', '`', '"', "'", '\\', ';', ' ', '\n', '{', '}', 'touch pwned', '#'),
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(fc.constantFrom(...POSITIONS), value, ({ template, expected }, raw) => {
        const v = raw.replace(/\0/g, '');
        // Undeclared parameters are appended (MLflow's rule) except after a here-document or a trailing comment.
        const appended = !template.includes('<<') && !template.includes('#');
        const values: Record<string, string> = appended ? { a: v, extra: v } : { a: v };
        const command = renderEntryPoint(project(template), 'main', values, { projectDir: dir });
        expect(argvOf(command)).toEqual([...expected(v), ...(appended ? ['--extra', v] : [])]);
        expect(existsSync(marker)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('never runs a hostile value, whatever the template (property over random templates, through /bin/sh)', () => {
    const pieces = [
      '{a}',
      ' ',
      "'",
      '"',
      '\\',
      '$',
      '(',
      ')',
      '`',
      '#',
      '\n',
      '<<',
      'EOF',
      '-',
      ';',
      '{{',
      '}}',
      'x',
      '=',
      '[[',
      ']]',
      '|',
      '$(',
      '${{',
      '\t',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 14 }),
        fc.constantFrom(...HOSTILE, 'EOF\ntouch pwned\nEOF', ')\ntouch pwned\n(', '}; touch pwned; {'),
        (parts, value) => {
          let command: string;
          try {
            command = renderEntryPoint(
              project(`echo ${parts.join('')}`),
              'main',
              { a: value, x: value },
              { projectDir: dir },
            );
          } catch (error) {
            expect(error).toBeInstanceOf(MLprojectError);
            return;
          }
          try {
            execFileSync('/bin/sh', ['-c', command], { cwd: dir, stdio: 'ignore' });
          } catch {
            // A template that is not valid shell fails; what matters is that the value never ran.
          }
          expect(existsSync(marker), command).toBe(false);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('refuses placeholders that no quoting can keep literal, naming where they stand', () => {
    const refused: [string, string][] = [
      ['echo "$(echo {a})"', 'inside $(…)'],
      ['echo $(echo {a})', 'inside $(…)'],
      ['echo `echo {a}`', 'inside backticks'],
      ['echo "`echo {a}`"', 'inside backticks'],
      ['echo ${{X:-{a}}}', 'inside ${…}'],
      ['echo $(( {a} + 1 ))', 'arithmetic'],
      ['(( {a} > 1 ))', 'arithmetic'],
      ['[[ {a} -eq 1 ]]', '[[ … ]]'],
      ['cat <<EOF\n{a}\nEOF', 'here-document'],
      ['cat <<{a}\nx\n', 'here-document delimiter'],
      ['echo x # {a}', 'comment'],
      ['echo \\{a}', 'backslash'],
      ['echo "\\{a}"', 'backslash'],
      ['echo ${a}', 'right after "$"'],
      ['echo "${a}"', 'right after "$"'],
      ['echo "{a}', 'do not balance'],
      ["echo '{a}", 'do not balance'],
      ['echo {a} $(echo x', 'do not balance'],
      ["echo $'x' {a}", "$'…'"],
      ['case x in x) echo {a};; esac', 'case pattern'],
      ['cat <<EOF\nx\n{a}', 'here-document'],
      ['echo "${{X:-"a"}}" {a}', 'quotes inside ${…}'],
      ['cat <<EOF\nx\\\nEOF\necho {a}\nEOF', 'ends with a backslash'],
      ['cat <<EOF $(echo\n)\nx\nEOF\necho {a}', 'continues inside brackets'],
      ['echo \\\n# {a}', 'inside a comment'],
      ['echo "$\\\n(echo {a})"', 'inside $(…)'],
    ];
    for (const [template, message] of refused) {
      const render = () => renderEntryPoint(project(template), 'main', { a: 'v' }, { projectDir: dir });
      expect(render, template).toThrow(MLprojectError);
      expect(render, template).toThrow(message);
    }
  });

  it('refuses to append undeclared parameters after a here-document or a comment, and NUL characters', () => {
    const p = project('cat <<EOF\nhello\nEOF');
    expect(renderEntryPoint(p, 'main', { a: 'v' }, { projectDir: dir })).toBe('cat <<EOF\nhello\nEOF');
    expect(() => renderEntryPoint(p, 'main', { a: 'v', x: '$(touch pwned)' }, { projectDir: dir })).toThrow(
      'here-document',
    );
    const commented = project('echo {a} # note');
    expect(() =>
      renderEntryPoint(commented, 'main', { a: 'v', x: '\n touch pwned \n' }, { projectDir: dir }),
    ).toThrow('ends with a comment');
    expect(() => renderEntryPoint(project('echo {a}'), 'main', { a: 'x\0y' }, { projectDir: dir })).toThrow(
      'NUL',
    );
  });

  it('leaves templates without placeholders as MLflow runs them, even when they cannot be read safely', () => {
    const p = parseMLproject('entry_points:\n  main:\n    command: "echo \\"$(echo \'a\')"\n');
    expect(renderEntryPoint(p, 'main', {}, { projectDir: dir })).toBe(`echo "$(echo 'a')`);
  });

  it('lexes quote contexts', () => {
    const { parts } = parseCommandTemplate(`a {x} '{y}' "{z}" "$(b)"{w} \\\\{v}`);
    expect(parts.filter((p) => p.kind === 'param')).toEqual([
      { kind: 'param', name: 'x', context: 'unquoted' },
      { kind: 'param', name: 'y', context: 'single' },
      { kind: 'param', name: 'z', context: 'double' },
      { kind: 'param', name: 'w', context: 'unquoted' },
      { kind: 'param', name: 'v', context: 'unquoted' },
    ]);
  });
});
