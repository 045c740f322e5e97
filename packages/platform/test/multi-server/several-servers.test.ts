/**
 * Issue 8 §3 with real servers: three `gangplank serve` processes (the built CLI, default lease identity
 * `<hostname>:<port>/local`, default 30 s lease) on one real PostgreSQL database, 200 short trainings submitted
 * round-robin through the HTTP API, one server SIGKILLed once a third of the runs started.
 *
 * What the dispatcher guarantees, and so what is asserted (each start appends `<run id> <server>` to a file):
 * every training ends final with one run, and no run ever starts twice. A run the dead server had begun handing to
 * its executor (its `startedAt` is recorded before the hand-over) is failed with reason `Lost` by a survivor once
 * the lease expired, whether or not its process started; a run it had only claimed is started exactly once by a
 * survivor; both survivors keep working after the kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '@gangplank/stack';
import { tempDir } from '../fixtures/specs.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import {
  allRuns,
  setUpTrainings,
  startedLines,
  startedTwice,
  submitRoundRobin,
  trainingBody,
  waitForFinal,
} from './shared-work.js';

const BIN = fileURLToPath(new URL('../../bin/gangplank.js', import.meta.url));
const TRAININGS = 200;
const root = tempDir('gp-servers-');
const recordFile = join(root, 'started.txt');
/**
 * The servers pass no variable of their own to runs, so the run tells its server by its work folder
 * (`<data dir>/runs/<run id>/workspace`, the data dir named after the server) before running the fixture.
 */
const COMMAND = [
  '/bin/sh',
  '-c',
  'd="${GANGPLANK_WORKSPACE%/runs/*}"; GP_SERVER="${d##*/}"; export GP_SERVER; exec /bin/sh "$0"',
];

interface Server {
  name: string;
  url: string;
  workerId: string;
  child: ChildProcess;
  stderr: string[];
}

let db: TestDatabase;
const servers: Server[] = [];

const alive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

async function startServer(name: string): Promise<Server> {
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GANGPLANK_')));
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      String(port),
      '--database-url',
      db.url,
      '--data-dir',
      join(root, name),
      '--log-level',
      'silent',
    ],
    {
      // HOME: no server config file of the machine's user is read.
      env: {
        ...env,
        HOME: root,
        GANGPLANK_CONCURRENCY: '3',
        GANGPLANK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const server: Server = { name, url: '', workerId: `${hostname()}:${port}/local`, child, stderr: [] };
  servers.push(server);
  child.stderr?.setEncoding('utf8').on('data', (d: string) => server.stderr.push(d));
  server.url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start: ${server.stderr.join('')}`)),
      30_000,
    );
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const match = /listening on (http:\/\/\S+) /.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${server.stderr.join('')}`));
    });
  });
  return server;
}

async function stopServer(server: Server): Promise<void> {
  if (!alive(server.child)) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  db = await createTestDatabase();
  // All three at once: the migrations run under the store's advisory lock.
  await Promise.all(['server-a', 'server-b', 'server-c'].map(startServer));
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map(stopServer));
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('three `gangplank serve` processes on one PostgreSQL', () => {
  it('run 200 trainings, each exactly once, while one server is SIGKILLed', async () => {
    const byName = new Map(servers.map((s) => [s.name, s]));
    const [a, b, c] = ['server-a', 'server-b', 'server-c'].map((n) => byName.get(n)!) as [
      Server,
      Server,
      Server,
    ];
    await setUpTrainings(a, root, COMMAND);
    const envs = [{ name: 'GP_RECORD_FILE', value: recordFile }];
    const bodies = Array.from({ length: TRAININGS }, (_, i) => trainingBody(`servers-${i}`, envs));
    await submitRoundRobin([a, b, c], bodies);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const heldBy = async (server: Server) =>
        (
          await client.query<{ id: string; state: string }>(
            `SELECT id, state FROM training_runs WHERE claimed_by = $1 AND state IN ('scheduling', 'running')`,
            [server.workerId],
          )
        ).rows;
      // Kill server-b once a third of the runs started and it holds some: mid-way, with work in its hands.
      await vi.waitFor(
        async () => {
          expect(startedLines(recordFile).length).toBeGreaterThanOrEqual(TRAININGS / 3);
          expect((await heldBy(b)).length).toBeGreaterThan(0);
        },
        { timeout: 60_000, interval: 50 },
      );
      b.child.kill('SIGKILL');
      await new Promise((r) => b.child.once('exit', r));
      // Dead now: what it held stays as it is until its lease expires (30 s).
      const held = await heldBy(b);
      const heldRunning = new Set(held.filter((r) => r.state === 'running').map((r) => r.id));
      const heldScheduling = new Set(held.filter((r) => r.state === 'scheduling').map((r) => r.id));
      // A run server-b spawned just before dying writes its line a moment later (its process outlives the
      // server): count lines only after that settles (the fixture writes first thing).
      await sleep(2000);
      const killedAt = startedLines(recordFile).length;

      // Lost runs are noticed when the lease (30 s) expired, by the survivors' orphan check (every 30 s).
      const counts = await waitForFinal(client, TRAININGS, 100_000);
      const runs = await allRuns(client);
      const lines = startedLines(recordFile);
      const startsOf = new Map<string, string[]>();
      for (const line of lines) {
        const [id = '', server = ''] = line.split(' ');
        startsOf.set(id, [...(startsOf.get(id) ?? []), server]);
      }

      // One run per training, all final.
      expect(runs).toHaveLength(TRAININGS);
      expect(new Set(runs.map((r) => r.training_id)).size).toBe(TRAININGS);
      expect(runs.filter((r) => r.state !== 'succeeded' && r.state !== 'failed')).toEqual([]);
      // No start from anything but our three servers; no run started twice but in the gap described above.
      expect([...new Set(lines.map((l) => l.split(' ')[1]))].sort()).toEqual([
        'server-a',
        'server-b',
        'server-c',
      ]);
      // No run ever started twice: a run server-b had begun handing to its executor is failed, not re-run.
      const twice = startedTwice(lines);
      expect(twice).toEqual([]);
      const failed = runs.filter((r) => r.state === 'failed');
      for (const run of failed) {
        // Only what server-b held when it died can fail, always as Lost, started by server-b at most.
        expect(heldRunning.has(run.id) || heldScheduling.has(run.id)).toBe(true);
        expect(run.reason).toBe('Lost');
        expect((startsOf.get(run.id) ?? []).every((s) => s === 'server-b')).toBe(true);
      }
      // What server-b was running when it died is Lost, never re-run.
      for (const id of heldRunning) expect(failed.map((r) => r.id)).toContain(id);
      // Every succeeded run started exactly once; one server-b had only claimed was started by a survivor.
      for (const run of runs.filter((r) => r.state === 'succeeded')) {
        const starts = startsOf.get(run.id) ?? [];
        expect(starts).toHaveLength(1);
        if (heldScheduling.has(run.id)) expect(starts[0]).not.toBe('server-b');
      }
      // Both survivors worked after the kill; server-b did not.
      const after = lines.slice(killedAt).map((l) => l.split(' ')[1]);
      expect(after.filter((s) => s === 'server-b')).toEqual([]);
      expect(after.filter((s) => s === 'server-a').length).toBeGreaterThan(0);
      expect(after.filter((s) => s === 'server-c').length).toBeGreaterThan(0);
      const per = (name: string) => lines.filter((l) => l.endsWith(` ${name}`)).length;
      console.log(
        `several servers: ${runs.length} runs, ${counts.succeeded ?? 0} succeeded, ${failed.length} Lost; ` +
          `server-b killed after ${killedAt} starts holding ${heldRunning.size} running + ${heldScheduling.size} ` +
          `claimed; starts a/b/c ${per('server-a')}/${per('server-b')}/${per('server-c')}, after the kill ` +
          `a ${after.filter((s) => s === 'server-a').length}, c ${after.filter((s) => s === 'server-c').length}`,
      );
    } finally {
      await client.end();
    }
  }, 180_000);
});
