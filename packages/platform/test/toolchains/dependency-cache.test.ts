import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDependencies } from '../../src/toolchains/dependency-cache.js';
import { tempDir } from '../fixtures/specs.js';

const root = tempDir('gp-deps-');
// Debian splits the venv module into python3-venv (listed in scripts/test.mjs); without it the venv test cannot run.
const hasVenv = spawnSync('python3', ['-m', 'venv', '--help'], { stdio: 'ignore' }).status === 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

// A package with a lockfile and no dependencies: `npm ci` works offline.
const pkg = JSON.stringify({ name: 'fixture-training', version: '1.0.0', private: true });
const lock = JSON.stringify({
  name: 'fixture-training',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: { '': { name: 'fixture-training', version: '1.0.0' } },
});

describe('dependency cache', () => {
  const cacheDir = join(root, 'cache');

  it('builds an npm environment once per lockfile hash and links it into later runs', async () => {
    const logs: string[] = [];
    const a = project('a', { 'package.json': pkg, 'package-lock.json': lock });
    const b = project('b', { 'package.json': pkg, 'package-lock.json': lock });
    const envA = await prepareDependencies({
      projectDir: a,
      cacheDir,
      path: process.env.PATH!,
      log: (t) => logs.push(t),
    });
    const built = readFileSync(join(cacheDir, 'npm', readdirHash(cacheDir, 'npm'), '.ready'), 'utf8');
    const envB = await prepareDependencies({
      projectDir: b,
      cacheDir,
      path: process.env.PATH!,
      log: (t) => logs.push(t),
    });
    expect(logs.filter((l) => l.includes('building'))).toHaveLength(1);
    expect(logs.some((l) => l.includes('reused npm ci'))).toBe(true);
    expect(readFileSync(join(cacheDir, 'npm', readdirHash(cacheDir, 'npm'), '.ready'), 'utf8')).toBe(built);
    expect(lstatSync(join(b, 'node_modules')).isSymbolicLink()).toBe(true);
    expect(envA.PATH?.startsWith(join(a, 'node_modules', '.bin'))).toBe(true);
    expect(envB.PATH?.startsWith(join(b, 'node_modules', '.bin'))).toBe(true);
  });

  it('builds a new environment when the lockfile changes', async () => {
    const logs: string[] = [];
    const changed = lock.replace('"1.0.0"', '"1.0.1"').replace('"1.0.0"', '"1.0.1"');
    const c = project('c', { 'package.json': pkg.replace('1.0.0', '1.0.1'), 'package-lock.json': changed });
    await prepareDependencies({ projectDir: c, cacheDir, path: process.env.PATH!, log: (t) => logs.push(t) });
    expect(logs.some((l) => l.includes('building'))).toBe(true);
  });

  it.skipIf(!hasVenv)(
    'builds a Python virtual environment for requirements.txt once and puts it first on PATH',
    async () => {
      const logs: string[] = [];
      const p1 = project('p1', { 'requirements.txt': '# no packages: works offline\n' });
      const p2 = project('p2', { 'requirements.txt': '# no packages: works offline\n' });
      // two runs at once: one builds, the other waits for it
      const [e1, e2] = await Promise.all([
        prepareDependencies({ projectDir: p1, cacheDir, path: process.env.PATH!, log: (t) => logs.push(t) }),
        prepareDependencies({ projectDir: p2, cacheDir, path: process.env.PATH!, log: (t) => logs.push(t) }),
      ]);
      expect(logs.filter((l) => l.includes('building'))).toHaveLength(1);
      expect(e1.VIRTUAL_ENV).toBe(e2.VIRTUAL_ENV);
      expect(existsSync(join(e1.VIRTUAL_ENV!, 'bin', 'python'))).toBe(true);
      expect(e1.PATH?.split(':')[0]).toBe(join(e1.VIRTUAL_ENV!, 'bin'));
      expect(statSync(join(e1.VIRTUAL_ENV!, '.ready')).isFile()).toBe(true);
    },
  );

  it('fails with a DependencyError naming the tool when a build fails', async () => {
    const broken = project('broken', { 'package.json': pkg, 'package-lock.json': '{ not json' });
    const error = await prepareDependencies({
      projectDir: broken,
      cacheDir,
      path: process.env.PATH!,
      log: () => {},
    }).catch((e: unknown) => e as Error & { reason: string });
    expect(error.reason).toBe('DependencyError');
    expect(error.message).toContain('npm ci');
  });
});

function readdirHash(cacheDir: string, kind: string): string {
  return readdirSync(join(cacheDir, kind)).find((n) => !n.endsWith('.lock'))!;
}
