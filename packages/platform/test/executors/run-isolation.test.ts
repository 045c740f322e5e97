/**
 * Isolation of runs from a root server (issue 15, item 1), with real processes: the test process plays the server
 * (it runs the local executor and holds the store), the training and its dependency build are real children. They
 * run as root here and in CI, which is the case that matters; elsewhere the suite is skipped.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../src/executors/local.js';
import { DEFAULT_RUN_USER, lookupUser, type RunIdentity } from '../../src/executors/run-user.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { nodeSpec, tempDir } from '../fixtures/specs.js';
import { allLogs } from '../support/all-logs.js';

const isRoot = process.getuid?.() === 0;
const root = tempDir('gp-isolation-');
// mkdtemp makes a 0700 folder; a data folder must be searchable by the run user (see data-folder.ts).
chmodSync(root, 0o711);
const dataDir = join(root, 'data');
const ADMIN_TOKEN = 'admin:isolation-test-admin-token-5f1e';
const executors: LocalExecutor[] = [];
let store: Store | undefined;

// A package with a lockfile and no dependencies (npm ci works offline) whose preinstall writes its environment.
const pkg = {
  name: 'isolation-probe',
  version: '1.0.0',
  private: true,
  scripts: {
    preinstall:
      "node -e \"require('fs').writeFileSync(process.env.GANGPLANK_OUTPUT_DIR + '/preinstall.json', " +
      'JSON.stringify({ uid: process.getuid(), env: process.env }))"',
  },
};
const lock = {
  name: 'isolation-probe',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: { '': { name: 'isolation-probe', version: '1.0.0', hasInstallScript: true } },
};
// What a hostile training tries; each attempt reports `ok` or its error code.
const PROBE = String.raw`
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
const server = Number(process.env.SERVER_PID);
const attempt = (f) => { try { f(); return 'ok'; } catch (e) { return e.code ?? String(e); } };
console.log('PROBE ' + JSON.stringify({
  uid: process.getuid(),
  gid: process.getgid(),
  groups: process.getgroups(),
  home: process.env.HOME,
  env: process.env,
  environ: attempt(() => readFileSync('/proc/' + server + '/environ')),
  cmdlineOfServer: attempt(() => readFileSync('/proc/' + server + '/cmdline')),
  secretKey: attempt(() => readFileSync(process.env.DATA_DIR + '/secret.key')),
  database: attempt(() => readdirSync(process.env.DATA_DIR + '/pglite')),
  dataFolder: attempt(() => readdirSync(process.env.DATA_DIR)),
  state: attempt(() => readFileSync(process.env.RUN_DIR + '/.gangplank/state.json')),
  writeState: attempt(() => writeFileSync(process.env.RUN_DIR + '/.gangplank/state.json', '{}')),
  signal: attempt(() => process.kill(server, 0)),
  writeOutput: attempt(() => writeFileSync(process.env.GANGPLANK_OUTPUT_DIR + '/probe.txt', 'written by the run')),
  writeHome: attempt(() => writeFileSync(process.env.HOME + '/.probe', 'x')),
}));
`;

interface Probe {
  uid: number;
  gid: number;
  groups: number[];
  home: string;
  env: Record<string, string>;
  environ: string;
  cmdlineOfServer: string;
  secretKey: string;
  database: string;
  dataFolder: string;
  state: string;
  writeState: string;
  signal: string;
  writeOutput: string;
  writeHome: string;
}

function makeExecutor(options: Partial<ConstructorParameters<typeof LocalExecutor>[0]> = {}): LocalExecutor {
  const executor = new LocalExecutor({ root: join(dataDir, 'runs'), graceMs: 500, pollMs: 50, ...options });
  executors.push(executor);
  return executor;
}

function probeSpec(runId: string) {
  const source = join(root, `source-${runId}`);
  mkdirSync(source, { recursive: true });
  // A description of its own per run: its lockfile hash differs, so each run builds (and runs preinstall) afresh.
  writeFileSync(join(source, 'package.json'), JSON.stringify({ ...pkg, description: runId }));
  writeFileSync(join(source, 'package-lock.json'), JSON.stringify(lock));
  writeFileSync(join(source, 'probe.mjs'), PROBE);
  return nodeSpec('unused.mjs', {
    runId,
    source: { kind: 'objectStorage', connection: { id: 'code', type: 'local', uri: source } },
    entrypoint: 'probe.mjs',
    envs: [
      { name: 'SERVER_PID', value: String(process.pid) },
      { name: 'DATA_DIR', value: dataDir },
      { name: 'RUN_DIR', value: join(dataDir, 'runs', runId) },
    ],
  });
}

describe.runIf(isRoot)('runs of a root server are isolated from it', () => {
  let user: RunIdentity;
  const savedTokens = process.env.GANGPLANK_TOKENS;

  beforeAll(async () => {
    // The server's own environment holds the admin token, as `GANGPLANK_TOKENS=admin:… gangplank serve` does.
    process.env.GANGPLANK_TOKENS = ADMIN_TOKEN;
    store = await createStore({ dataDir });
  });

  afterAll(async () => {
    if (savedTokens === undefined) delete process.env.GANGPLANK_TOKENS;
    else process.env.GANGPLANK_TOKENS = savedTokens;
    await Promise.all(executors.map((e) => e.close()));
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps the key and the database readable by the server only', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o711);
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'pglite')).mode & 0o777).toBe(0o700);
  });

  it('creates the default run user when missing and runs the training as it', async () => {
    const executor = makeExecutor();
    user = executor.runIdentity!;
    expect(user).toMatchObject({ name: DEFAULT_RUN_USER });
    expect(user.uid).not.toBe(0);
    expect(lookupUser(DEFAULT_RUN_USER)).toEqual(user);
    const spec = probeSpec('isolated');
    const handle = await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    const logs = await allLogs(executor, handle);
    expect(status, logs.map((l) => l.text).join('\n')).toMatchObject({ phase: 'succeeded' });
    const line = logs.find((l) => l.stream === 'stdout' && l.text.startsWith('PROBE '));
    const probe = JSON.parse(line!.text.slice('PROBE '.length)) as Probe;

    // Who the training is: the run user, without root's supplementary groups, at home in its run folder.
    expect(probe.uid).toBe(user.uid);
    expect(probe.gid).toBe(user.gid);
    expect(probe.groups.filter((g) => g !== user.gid)).toEqual([]);
    expect(probe.home).toBe(join(dataDir, 'runs', spec.runId, 'home'));
    expect(logs.some((l) => l.stream === 'system' && l.text.includes(`runs as user ${user.name}`))).toBe(
      true,
    );

    // What it cannot reach: the server's environment, the key, the database, the run's own record, the server.
    expect(probe.environ).toBe('EACCES');
    expect(probe.secretKey).toBe('EACCES');
    expect(probe.database).toBe('EACCES');
    expect(probe.dataFolder).toBe('EACCES');
    expect(probe.state).toBe('EACCES');
    expect(probe.writeState).toBe('EACCES');
    expect(probe.signal).toBe('EPERM');
    expect(JSON.stringify(probe.env)).not.toContain(ADMIN_TOKEN);
    expect(probe.env.GANGPLANK_TOKENS).toBeUndefined();

    // What it can do: write its output (zipped into the artifact by the server) and its home.
    expect(probe.writeOutput).toBe('ok');
    expect(probe.writeHome).toBe('ok');
    expect(status?.artifacts).toHaveLength(1);
    expect(readFileSync(join(handle.dir as string, 'output', 'probe.txt'), 'utf8')).toBe(
      'written by the run',
    );
  });

  it('runs the dependency build as the run user with the run environment, not the server one', async () => {
    const executor = makeExecutor();
    const spec = probeSpec('preinstall');
    const handle = await executor.submit(spec);
    await executor.settled(spec.runId);
    const seen = JSON.parse(
      readFileSync(join(handle.dir as string, 'output', 'preinstall.json'), 'utf8'),
    ) as {
      uid: number;
      env: Record<string, string>;
    };
    expect(seen.uid).toBe(user.uid);
    expect(JSON.stringify(seen.env)).not.toContain(ADMIN_TOKEN);
    expect(seen.env.GANGPLANK_TOKENS).toBeUndefined();
    // The run's own variables do reach it.
    expect(seen.env.GANGPLANK_RUN_ID).toBe(spec.runId);
    expect(seen.env.SERVER_PID).toBe(String(process.pid));
    // The built environment is given back to the server's user: a later training cannot alter it for others.
    const cache = join(dataDir, 'cache', 'npm');
    const built = readdirSync(cache).filter((e) => !e.endsWith('.lock'));
    expect(built.length).toBeGreaterThan(0);
    for (const dir of built) expect(statSync(join(cache, dir, 'package.json')).uid).toBe(0);
  });

  it('keeps the server user, and says so, when the run folder lies where the run user cannot enter', async () => {
    const closed = join(root, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    const executor = makeExecutor({ root: join(closed, 'runs'), cacheDir: join(closed, 'cache') });
    const spec = probeSpec('closed');
    const handle = await executor.submit(spec);
    const status = await executor.settled(spec.runId);
    const logs = await allLogs(executor, handle);
    expect(status).toMatchObject({ phase: 'succeeded' });
    expect(logs.some((l) => l.stream === 'system' && l.text.includes(`cannot enter ${closed}`))).toBe(true);
    // Even then, the server's environment stays out.
    const line = logs.find((l) => l.stream === 'stdout' && l.text.startsWith('PROBE '));
    const probe = JSON.parse(line!.text.slice('PROBE '.length)) as Probe;
    expect(probe.uid).toBe(0);
    expect(JSON.stringify(probe.env)).not.toContain(ADMIN_TOKEN);
  });

  it('runs as root when told to (runAsUser "")', () => {
    expect(makeExecutor({ runAsUser: '' }).runIdentity).toBeUndefined();
  });
});
