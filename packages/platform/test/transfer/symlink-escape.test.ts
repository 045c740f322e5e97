import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { zipFolder } from '../../src/artifacts/zip-folder.js';
import { prepareRun } from '../../src/executors/pipeline.js';
import { downloadDataBinding } from '../../src/transfer/data-binding.js';
import { mkdirInside, resolveInside } from '../../src/transfer/safe-path.js';
import { git } from '../fixtures/git.js';
import { nodeSpec, tempDir } from '../fixtures/specs.js';

const base = tempDir('gp-links-');
const outside = join(base, 'outside');
mkdirSync(outside, { recursive: true });
writeFileSync(join(outside, 'secret.txt'), 'secret\n');
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A run folder full of links: inside, outside, chained, looping, dangling, climbing. */
function linkedRoot(): string {
  const root = join(tempDir('gp-root-'), 'run');
  mkdirSync(join(root, 'sub', 'deep'), { recursive: true });
  symlinkSync(join(root, 'sub'), join(root, 'in'));
  symlinkSync(outside, join(root, 'out'));
  symlinkSync('out', join(root, 'chain2'));
  symlinkSync('chain2', join(root, 'chain1'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  symlinkSync('/nonexistent/gp/x', join(root, 'dangling'));
  symlinkSync('../..', join(root, 'sub', 'up'));
  symlinkSync('../deep', join(root, 'sub', 'deep', 'self'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'sub', 'file-out'));
  return root;
}

/** Where a path really lands: the real path of its deepest existing ancestor, plus the rest. */
function landing(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch {
      rest.unshift(existing.slice(dirname(existing).length + 1));
      existing = dirname(existing);
    }
  }
  return join(realpathSync(existing), ...rest);
}

function within(root: string, path: string): boolean {
  const rel = relative(realpathSync(root), path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

describe('resolveInside follows links and stays inside', () => {
  const root = linkedRoot();

  it('refuses links out, loops, dangling links, NUL and climbing; keeps links that stay inside', () => {
    for (const path of [
      'out',
      'out/secret.txt',
      'chain1/x',
      'loop1',
      'dangling/a',
      'sub/up',
      'sub/file-out',
    ]) {
      expect(resolveInside(root, path), path).toBeUndefined();
    }
    for (const path of ['../run2', '/etc', 'a\0b', 'sub/../../x'])
      expect(resolveInside(root, path)).toBeUndefined();
    expect(resolveInside(root, 'in/deep/new.csv')).toBe(join(root, 'sub', 'deep', 'new.csv'));
    expect(resolveInside(root, 'sub/deep/self/self/x')).toBe(join(root, 'sub', 'deep', 'x'));
    expect(resolveInside(root, '.')).toBe(root);
  });

  it('never resolves hostile paths outside the root (property)', () => {
    const segment = fc.constantFrom(
      '..',
      '.',
      '',
      'in',
      'out',
      'chain1',
      'loop1',
      'dangling',
      'sub',
      'up',
      'deep',
      'self',
      'file-out',
      'new',
      'a\0b',
      'x'.repeat(300),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 12 }), fc.boolean(), (segments, absolute) => {
        const path = (absolute ? '/' : '') + segments.join('/');
        const resolved = resolveInside(root, path);
        if (resolved === undefined) return;
        expect(within(root, landing(resolved)), `${path} → ${resolved}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('mkdirInside creates folders part by part and refuses links out', () => {
    expect(mkdirInside(root, 'in/made/here')).toBe(join(root, 'sub', 'made', 'here'));
    expect(lstatSync(join(root, 'sub', 'made', 'here')).isDirectory()).toBe(true);
    expect(() => mkdirInside(root, 'chain1/made')).toThrow('leads outside');
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });
});

describe('a git source with links out of the run', () => {
  const repo = join(base, 'repo');
  mkdirSync(join(repo, 'project'), { recursive: true });
  writeFileSync(join(repo, 'project', 'MLproject'), 'entry_points:\n  main:\n    command: "true"\n');
  symlinkSync(outside, join(repo, 'escape'));
  symlinkSync('/etc', join(repo, 'etc'));
  mkdirSync(join(repo, 'data'));
  symlinkSync(join(outside, 'secret.txt'), join(repo, 'data', 'train.csv'));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'links');
  const bucket = join(base, 'bucket');
  mkdirSync(join(bucket, 'set'), { recursive: true });
  writeFileSync(join(bucket, 'set', 'train.csv'), 'a,b\n');
  writeFileSync(join(bucket, 'single.csv'), 'c\n');

  const prepare = (overrides: Parameters<typeof nodeSpec>[1]) => {
    const runDir = tempDir('gp-run-');
    const workspace = join(runDir, 'workspace');
    mkdirSync(workspace);
    return prepareRun({
      spec: nodeSpec('unused', {
        toolchain: { id: 'mlflow', kind: 'mlflow' },
        entrypoint: 'main',
        source: { kind: 'git', connection: { id: 'repo', type: 'git', uri: repo } },
        ...overrides,
      }),
      workspace,
      outputDir: join(runDir, 'output'),
      cacheDir: join(runDir, 'cache'),
      signal: new AbortController().signal,
      log: () => {},
    });
  };
  const local = { id: 'bucket', type: 'local' as const, uri: bucket };

  it('refuses a data binding whose localPath goes through a link out, and writes nothing outside', async () => {
    for (const [localPath, remotePath] of [
      ['escape/copied', 'set/'],
      ['escape/', 'single.csv'],
      ['data/train.csv', 'single.csv'],
      ['data/', 'set/train.csv'],
      ['data', 'set/'],
    ] as const) {
      await expect(
        prepare({ workDir: 'project', data: [{ connection: local, localPath, remotePath }] }),
        localPath,
      ).rejects.toThrow(/escapes the work folder|leads outside|written outside/);
    }
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });

  it('refuses a workDir through a link (to /etc), before anything runs', async () => {
    await expect(prepare({ workDir: 'etc' })).rejects.toThrow('workDir "etc" escapes the work folder');
    await expect(prepare({ workDir: 'project' })).resolves.toBeDefined();
  });

  it('refuses a remotePath through a link out of a local-folder connection', async () => {
    symlinkSync(outside, join(bucket, 'leak'));
    const ws = tempDir('gp-ws-');
    await expect(
      downloadDataBinding(
        { connection: local, localPath: 'got/', remotePath: 'leak/secret.txt' },
        0,
        ws,
        () => {},
      ),
    ).rejects.toThrow('does not exist');
    expect(existsSync(join(ws, 'got', 'secret.txt'))).toBe(false);
  });

  it('does not zip an output folder replaced by a link', async () => {
    const runDir = tempDir('gp-zip-');
    symlinkSync(outside, join(runDir, 'output'));
    await expect(zipFolder(join(runDir, 'output'), join(runDir, 'a.zip'))).rejects.toThrow('symbolic link');
  });
});
