#!/usr/bin/env node
// `npm test`'s package checks: packs each published workspace once (its prepack runs, as on `npm publish`) and
// runs publint (strict: warnings fail) and arethetypeswrong on the tarball. attw uses its `esm-only` profile: the
// packages are ES modules only, and CommonJS callers `require()` them on the Node versions `engines` allows
// (^20.19.0 || >=22.12.0, where require(esm) is on by default), so attw's node10 and CJS-resolution rows do not apply.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, runOrExit } from './lib/prepare.mjs';

const PACKAGES = ['@gangplank/metrics', '@gangplank/stack', '@gangplank/platform'];
const bin = (name) => join(root, 'node_modules', '.bin', name);

const dir = mkdtempSync(join(tmpdir(), 'gangplank-check-packages-'));
try {
  runOrExit('npm', ['pack', '--silent', '--pack-destination', dir, ...PACKAGES.flatMap((p) => ['-w', p])], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== PACKAGES.length) {
    console.error(
      `gangplank: npm pack made ${tarballs.join(', ')}; expected one tarball per ${PACKAGES.join(', ')}`,
    );
    process.exit(1);
  }
  for (const tarball of tarballs) {
    const file = join(dir, tarball);
    runOrExit(bin('publint'), ['run', file, '--strict']);
    runOrExit(bin('attw'), [file, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji']);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
