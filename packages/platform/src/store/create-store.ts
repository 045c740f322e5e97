/** Opens the configured store adapter, applies migrations and checks the secret key. */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { migrate } from './migrate.js';
import { openPgliteDriver } from './pglite-driver.js';
import { SECRET_FILE_MODE, secureDataFolder, tighten } from './data-folder.js';
import { createSecretBox, parseSecretKey, type SecretBox } from './secret-box.js';
import type { SqlDriver } from './sql-driver.js';
import { SqlStore } from './sql-store.js';
import type { Store } from './store.js';

export interface StoreConfig {
  /** `postgres://…` (or `postgresql://…`): the PostgreSQL adapter. Wins over `dataDir`. */
  databaseUrl?: string;
  /** PGlite data folder (the database lives in `<dataDir>/pglite`). Unset with no URL: PGlite in memory. */
  dataDir?: string;
  /**
   * AES-256-GCM key for connection secrets, 32 bytes as base64 or hex.
   * @default process.env.GANGPLANK_SECRET_KEY; for an on-disk PGlite without one, a key generated once into
   * `<dataDir>/secret.key` (mode 0600); in memory, a random key for the process.
   */
  secretKey?: string;
  /** @default () => new Date() */
  clock?: () => Date;
  /** pg pool size. @default 10 */
  maxConnections?: number;
  /** Cache trainings read by id (coherent across servers through LISTEN/NOTIFY). @default true */
  cache?: boolean;
}

async function pgliteKeyFile(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'secret.key');
  try {
    const text = await readFile(file, 'utf8');
    tighten(file, SECRET_FILE_MODE);
    return text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64');
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

async function resolveSecretBox(
  config: StoreConfig,
  kind: SqlDriver['kind'],
): Promise<SecretBox | undefined> {
  const text = config.secretKey ?? process.env.GANGPLANK_SECRET_KEY;
  if (text !== undefined && text !== '') return createSecretBox(parseSecretKey(text));
  if (kind === 'postgres') return undefined;
  if (config.dataDir === undefined) return createSecretBox(randomBytes(32));
  return createSecretBox(parseSecretKey(await pgliteKeyFile(config.dataDir)));
}

/**
 * The store for a configuration: PostgreSQL when `databaseUrl` is a `postgres://` URL, else PGlite (on disk in
 * `dataDir`, or in memory). Migrations run before it is returned. Throws when stored secrets exist and no key (or
 * a wrong key) is configured.
 */
export async function createStore(config: StoreConfig = {}): Promise<Store> {
  return openSqlStore(config);
}

/** As {@link createStore}, but the SQL adapter itself, whose driver gives raw SQL access (tests, benchmarks). */
export async function openSqlStore(config: StoreConfig = {}): Promise<SqlStore> {
  let driver: SqlDriver;
  if (config.databaseUrl !== undefined && /^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    // Imported here: a PGlite server never loads pg (~15 MiB).
    const { openPgDriver } = await import('./pg-driver.js');
    driver = await openPgDriver({ url: config.databaseUrl, maxConnections: config.maxConnections ?? 10 });
  } else if (config.databaseUrl !== undefined && config.databaseUrl !== '') {
    throw new Error(
      `unsupported database URL "${config.databaseUrl}": use postgres://user@host:port/database`,
    );
  } else {
    if (config.dataDir !== undefined) secureDataFolder(config.dataDir);
    driver = await openPgliteDriver(
      config.dataDir === undefined ? undefined : path.join(config.dataDir, 'pglite'),
    );
  }
  try {
    await migrate(driver);
    const secretBox = await resolveSecretBox(config, driver.kind);
    const store = new SqlStore(driver, {
      ...(secretBox ? { secretBox } : {}),
      ...(config.clock ? { clock: config.clock } : {}),
      ...(config.cache === false ? { cache: false } : {}),
    });
    await store.checkSecrets();
    await store.startSharing();
    return store;
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
}
