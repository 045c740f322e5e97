/**
 * Several API servers on one real PostgreSQL database share the work: three server processes (API + dispatcher +
 * local executor each, `server-child.ts`), 200 short trainings submitted round-robin to them, one server killed
 * (SIGKILL) mid-way. Every training must end in a final state, no run may start twice (each run appends its id to
 * a file when it starts), the runs the dead server was holding are reported `Lost` by the survivors once its
 * leases expire, and the runs it had claimed but not started are run by the others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/specs.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import {
  allRuns,
  setUpTrainings,
  startedLines as linesOf,
  startedTwice,
  submitRoundRobin,
  trainingBody,
  waitForFinal,
} from './shared-work.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const KEY = Buffer.alloc(32, 7).toString('base64');
const TRAININGS = 200;
const root = tempDir('gp-multi-');
const recordFile = join(root, 'started.txt');

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  stderr: string[];
}

let db: TestDatabase;
const servers: Server[] = [];

async function startServer(name: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', tsx, join(HERE, 'server-child.ts')], {
    env: {
      ...process.env,
      GP_DATABASE_URL: db.url,
      GP_SECRET_KEY: KEY,
      GP_WORKER: name,
      GP_DATA_DIR: join(root, name),
      GP_LEASE_MS: '3000',
      GP_CONCURRENCY: '3',
      GP_SERVER: name,
      GP_RECORD_FILE: recordFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr.join('')}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const match = /\{"url":"([^"]+)"\}/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr.join('')}`)));
  });
  const server = { name, child, url, stderr };
  servers.push(server);
  return server;
}

const startedLines = () => linesOf(recordFile);

beforeAll(async () => {
  db = await createTestDatabase();
  // Servers one after the other: the first runs the migrations (under the store's advisory lock anyway).
  for (const name of ['server-a', 'server-b', 'server-c']) await startServer(name);
}, 90_000);

afterAll(async () => {
  for (const s of servers) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => {
          s.child.kill('SIGKILL');
          r(undefined);
        }, 5000);
        s.child.once('exit', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    }
  }
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('three API servers on one PostgreSQL', () => {
  it('run 200 trainings, each exactly once, while one server is killed', async () => {
    const [a, b, c] = servers as [Server, Server, Server];
    await setUpTrainings(a, root);
    const ids = Array.from({ length: TRAININGS }, (_, i) => `multi-${i}`);
    // Only the server we kill may refuse (connection reset); its share goes to a survivor.
    await submitRoundRobin(
      [a, b, c],
      ids.map((id) => trainingBody(id)),
      b,
      a,
    );
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // Kill server-b once a fair share of the work is done: it holds runs then.
      await expect
        .poll(() => startedLines().length, { timeout: 60_000, interval: 100 })
        .toBeGreaterThanOrEqual(TRAININGS / 3);
      const held = await client.query<{ id: string; state: string }>(
        `SELECT id, state FROM training_runs WHERE claimed_by = 'server-b'`,
      );
      b.child.kill('SIGKILL');
      // A run server-b spawned just before dying writes its line a moment later (its process outlives the
      // server): count lines only after that settles.
      await new Promise((r) => setTimeout(r, 2000));
      const killedAt = startedLines().length;
      expect(killedAt).toBeGreaterThan(0);

      const counts = await waitForFinal(client, TRAININGS, 120_000);
      const runs = { rows: await allRuns(client) };
      // One run per training, all final.
      expect(runs.rows).toHaveLength(TRAININGS);
      expect(new Set(runs.rows.map((r) => r.training_id)).size).toBe(TRAININGS);
      expect(runs.rows.filter((r) => r.state !== 'succeeded' && r.state !== 'failed')).toEqual([]);

      // No run started twice.
      const lines = startedLines();
      const started = lines.map((l) => l.split(' ')[0] ?? '');
      expect(startedTwice(lines)).toEqual([]);
      // Every succeeded run started exactly once; every failure is a run the dead server was running.
      const startedSet = new Set(started);
      for (const run of runs.rows.filter((r) => r.state === 'succeeded'))
        expect(startedSet.has(run.id)).toBe(true);
      const failed = runs.rows.filter((r) => r.state === 'failed');
      const heldIds = new Set(held.rows.map((r) => r.id));
      for (const run of failed) {
        expect(run.reason).toBe('Lost');
        expect(heldIds.has(run.id) || lines.some((l) => l === `${run.id} server-b`)).toBe(true);
      }
      // A dispatcher holds at most `concurrency` (3) runs: only those can be lost with it.
      expect(failed.length).toBeLessThanOrEqual(3);
      // The survivors took over: runs started by server-a and server-c after the kill.
      const after = lines.slice(killedAt).map((l) => l.split(' ')[1]);
      expect(after.filter((s) => s === 'server-b')).toEqual([]);
      expect(new Set(after).size).toBeGreaterThan(0);
      console.log(
        `several servers: ${runs.rows.length} runs, ${counts.succeeded ?? 0} succeeded, ${failed.length} lost ` +
          `with server-b (held ${held.rows.length} when killed, after ${killedAt} starts)`,
      );
    } finally {
      await client.end();
    }
  }, 240_000);
});
