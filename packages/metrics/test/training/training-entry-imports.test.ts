/** The main entry never loads TF.js: only the `./tfjs` subpath does (checked on the built module graph). */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../../dist');

/** Every bare specifier reachable through static and dynamic imports from `entry`. */
function externalImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s*|import\s*\(?\s*)['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else external.add(spec);
    }
  };
  visit(join(dist, entry));
  return external;
}

describe('entry points', () => {
  it('the main entry reaches no @tensorflow module; ./tfjs reaches tfjs-layers', () => {
    const main = [...externalImports('index.js')];
    expect(main.filter((s) => s.startsWith('@tensorflow/'))).toEqual([]);
    expect(main).toContain('prom-client');
    expect([...externalImports('tfjs.js')]).toContain('@tensorflow/tfjs-layers');
  });
});
