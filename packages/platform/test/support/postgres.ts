/**
 * A fresh PostgreSQL database per test file. Uses `GANGPLANK_TEST_PG_URL` when set, else the local server at
 * `postgres://postgres@127.0.0.1:5432/postgres`; when nothing answers, installs Debian `postgresql` (when root)
 * and starts a private cluster on a free port in a temporary folder, stopped again by `drop()`.
 *
 * @example
 * ```ts
 * let db: TestDatabase;
 * beforeAll(async () => { db = await createTestDatabase(); });
 * afterAll(() => db.drop());
 * ```
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '@gangplank/stack';

export interface TestDatabase {
  /** URL of the new, empty database. */
  url: string;
  /** Drops the database (and stops the private cluster if one was started). */
  drop(): Promise<void>;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

interface PrivateCluster {
  adminUrl: string;
  stop(): void;
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const isRoot = process.getuid?.() === 0;
  let bin = postgresBinDir();
  if (!bin && isRoot) {
    const apt = (args: string[]): void => {
      execFileSync('apt-get', args, {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    };
    try {
      apt(['install', '-y', '--no-install-recommends', 'postgresql']);
    } catch {
      // A fresh machine may have no package lists yet.
      apt(['update']);
      apt(['install', '-y', '--no-install-recommends', 'postgresql']);
    }
    bin = postgresBinDir();
  }
  if (!bin) {
    throw new Error(
      'no PostgreSQL answers and none is installed: set GANGPLANK_TEST_PG_URL or install Debian postgresql',
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'gangplank-pg-'));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: run the cluster as the `postgres` user then.
  const asUser = (command: string, args: string[]): ReturnType<typeof spawnSync> =>
    isRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' })
      : spawnSync(command, args, { encoding: 'utf8' });
  if (isRoot) {
    chmodSync(dir, 0o755);
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const init = asUser(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust']);
  if (init.status !== 0) throw new Error(`initdb failed: ${String(init.stderr)}`);
  const start = asUser(path.join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-w',
    '-l',
    path.join(dir, 'log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${String(start.stderr)}`);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      asUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a fresh database; see the module comment. */
export async function createTestDatabase(): Promise<TestDatabase> {
  let adminUrl = process.env.GANGPLANK_TEST_PG_URL ?? DEFAULT_ADMIN_URL;
  let cluster: PrivateCluster | undefined;
  if (!(await answers(adminUrl))) {
    if (process.env.GANGPLANK_TEST_PG_URL)
      throw new Error(`GANGPLANK_TEST_PG_URL=${adminUrl} does not answer`);
    cluster = await startPrivateCluster();
    adminUrl = cluster.adminUrl;
  }
  const name = `gangplank_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await client.end();
      cluster?.stop();
    },
  };
}
