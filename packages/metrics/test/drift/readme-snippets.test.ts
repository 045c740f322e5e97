/**
 * The README's drift-detector snippets run as written against the built package, and print what their comments
 * say (`console.log(…); // expected`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Drift detectors: what shape they expect'));
const snippets = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('README drift-detector snippets', () => {
  it('has some', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(3);
  });

  it.each(snippets.map((code, i) => [i, code] as const))(
    'snippet %i runs and prints its comments',
    (_, code) => {
      const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]!);
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: join(here, '../../../..'),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(expected);
    },
  );
});
