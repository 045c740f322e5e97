/**
 * End to end (issue 15): the built `gangplank serve` (local executor, PGlite data folder, concurrency 1) is killed
 * with SIGKILL while a training runs. The run's process tree outlives it; a new `serve` on the same data folder,
 * listening on another port, re-attaches the run (same run, same processes, its log continues without a line
 * stored twice) and keeps the queued second training waiting until the first has ended.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@gangplank/stack';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  GangplankClient,
  type WireConnection,
  type WireModelTraining,
  type WireToolchainIntegration,
  type WireTrainingRun,
} from '../../src/index.js';
import { isAlive } from '../../src/executors/process-tree.js';
import { spawnServe, type ServedChild } from '../cli/support/spawn-serve.js';

const dir = mkdtempSync(join(tmpdir(), 'gp-orphan-restart-'));
const dataDir = join(dir, 'data');
const marks = join(dir, 'marks');
const served: ServedChild[] = [];
/** Process groups of the runs (the shim leads one), stopped after the test whatever happened. */
const groups = new Set<number>();

/**
 * The training: writes its pid, prints `started`, then a `tick` every 250 ms until the test writes its release
 * file; then `released`, exit 0. `OTHER` names another training's pid file: whether that process was alive when
 * this one started is written down, so the test can see two runs overlap (concurrency 1 broken).
 */
const SCRIPT = `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const mark = process.env.MARK;
const other = process.env.OTHER;
let otherAlive = false;
if (other && existsSync(other)) {
  try { process.kill(Number(readFileSync(other, 'utf8')), 0); otherAlive = true; } catch {}
}
writeFileSync(mark + '.start.json', JSON.stringify({ otherAlive }));
writeFileSync(mark + '.pid', String(process.pid));
console.log('started');
let tick = 0;
const timer = setInterval(() => {
  if (existsSync(mark + '.release')) {
    clearInterval(timer);
    console.log('released');
    return;
  }
  console.log('tick ' + ++tick);
}, 250);
// A guard against a test that died before releasing it: never outlive the suite by much.
setTimeout(() => process.exit(9), 120_000).unref();
`;

interface Manifests {
  toolchain: WireToolchainIntegration;
  connection: WireConnection;
  training: (id: string, other?: string) => WireModelTraining;
}

function manifests(): Manifests {
  const code = join(dir, 'code');
  mkdirSync(code, { recursive: true });
  writeFileSync(join(code, 'train.mjs'), SCRIPT);
  return {
    toolchain: {
      kind: 'ToolchainIntegration',
      id: 'node',
      spec: { entrypoint: 'node', defaultImage: 'none', kind: 'command', command: [process.execPath] },
    },
    connection: { kind: 'Connection', id: 'code', spec: { type: 'local', uri: code } },
    training: (id, other) => ({
      kind: 'ModelTraining',
      id,
      spec: {
        model: { name: id, version: '1' },
        toolchain: 'node',
        entrypoint: 'train.mjs',
        algorithmSource: { objectStorage: { connection: 'code' } },
        envs: [
          { name: 'MARK', value: join(marks, id) },
          ...(other ? [{ name: 'OTHER', value: `${join(marks, other)}.pid` }] : []),
        ],
      },
    }),
  };
}

async function serve(port: number): Promise<{ url: string; child: ServedChild }> {
  const child = await spawnServe({
    // Runs keep the server's user, so they can write the marks into this (private) test folder.
    args: ['--data-dir', dataDir, '--run-as-user', '', '--port', String(port)],
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, GANGPLANK_CONCURRENCY: '1' },
  });
  served.push(child);
  return { url: child.url, child };
}

async function logText(client: GangplankClient, id: string): Promise<string> {
  return (await client.trainings.logs(id)).text();
}

async function onlyRun(client: GangplankClient, id: string): Promise<WireTrainingRun> {
  const runs = await client.trainings.runs(id);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

function pidOf(name: string): number {
  return Number(readFileSync(join(marks, `${name}.pid`), 'utf8'));
}

afterAll(async () => {
  for (const s of served) s.child.kill('SIGKILL');
  await Promise.all(served.map((s) => s.exited));
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('a server killed while a training runs', () => {
  it('leaves the run alive; the next server on the data folder re-attaches it and keeps concurrency 1', async () => {
    mkdirSync(marks, { recursive: true });
    const m = manifests();
    const port = await freePort();
    const first = await serve(port);
    const before = new GangplankClient({ url: first.url });
    await before.toolchains.create(m.toolchain);
    await before.connections.create(m.connection);
    await before.trainings.create(m.training('long'));
    await vi.waitFor(async () => expect(await logText(before, 'long')).toContain('tick 1\n'), {
      timeout: 20_000,
      interval: 100,
    });
    // Queued behind it: concurrency 1.
    await before.trainings.create(m.training('next', 'long'));
    const run = await onlyRun(before, 'long');
    expect(run.state).toBe('running');
    const state = JSON.parse(
      readFileSync(join(dataDir, 'runs', run.id, '.gangplank', 'state.json'), 'utf8'),
    ) as { shimPid: number };
    const shim = state.shimPid;
    groups.add(shim);
    const script = pidOf('long');

    first.child.child.kill('SIGKILL');
    await first.child.exited;
    // The process tree does not depend on the server: the shim and the training both live on.
    expect(isAlive(shim)).toBe(true);
    expect(isAlive(script)).toBe(true);

    // Another port, named as a person would: the lease identity must not change with it.
    let otherPort = await freePort();
    while (otherPort === port) otherPort = await freePort();
    const second = await serve(otherPort);
    const after = new GangplankClient({ url: second.url });
    // Re-attached: the same run keeps running, followed by the new server, which says so in its log.
    let ticksAtAttach = 0;
    await vi.waitFor(
      async () => {
        const log = await logText(after, 'long');
        expect(log).toContain(`re-attached to process ${shim} after a restart of the server`);
        expect(log).toMatch(/dispatcher \S+ restarted; run re-attached\n/);
        ticksAtAttach = log.match(/^tick \d+$/gm)!.length;
      },
      { timeout: 20_000, interval: 100 },
    );
    // Its log goes on under the new server: a second of new lines (two of its 500 ms claim polls).
    await vi.waitFor(
      async () =>
        expect((await logText(after, 'long')).match(/^tick \d+$/gm)!.length).toBeGreaterThanOrEqual(
          ticksAtAttach + 4,
        ),
      { timeout: 20_000, interval: 100 },
    );
    expect(isAlive(script)).toBe(true);
    expect(await onlyRun(after, 'long')).toMatchObject({ id: run.id, state: 'running' });
    // Concurrency 1 held across the restart: the queued training has not started.
    expect(await onlyRun(after, 'next')).toMatchObject({ state: 'scheduling' });
    expect(existsSync(join(marks, 'next.start.json'))).toBe(false);

    writeFileSync(join(marks, 'long.release'), '');
    await vi.waitFor(
      async () => expect((await after.trainings.get('long')).status?.state).toBe('succeeded'),
      { timeout: 20_000, interval: 100 },
    );
    const log = await logText(after, 'long');
    // One run, each line stored once: the ticks count up without a gap or a repeat across the restart.
    expect(log.match(/^started$/gm)).toHaveLength(1);
    const ticks = log.match(/^tick (\d+)$/gm)!.map((l) => Number(l.slice(5)));
    expect(ticks).toEqual(ticks.map((_, i) => i + 1));
    expect(log).toMatch(/\nreleased\n/);
    const ended = await onlyRun(after, 'long');
    expect(ended).toMatchObject({ id: run.id, state: 'succeeded', exitCode: 0 });
    expect(isAlive(shim)).toBe(false);

    // The slot is free: the queued training starts now, and did not see the first one alive.
    writeFileSync(join(marks, 'next.release'), '');
    await vi.waitFor(
      async () => expect((await after.trainings.get('next')).status?.state).toBe('succeeded'),
      { timeout: 20_000, interval: 100 },
    );
    expect(JSON.parse(readFileSync(join(marks, 'next.start.json'), 'utf8'))).toEqual({ otherAlive: false });
    const next = await onlyRun(after, 'next');
    expect(Date.parse(next.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ended.finishedAt!));
  });
});
