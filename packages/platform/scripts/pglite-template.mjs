#!/usr/bin/env node
// Writes dist/store/pglite-template.tar.gz (see src/store/pglite-template.ts): PGlite initialised in memory, the
// migrations applied, dumped with PGlite's own dumpDataDir. Skipped when the template present was made by this
// PGlite version with these migrations. Run after `tsc -b` (the package's build and prepack scripts do).
import { PGlite } from '@electric-sql/pglite';
import { migrate } from '../dist/store/migrate.js';
import { MIGRATIONS } from '../dist/store/migrations/index.js';
import { pgliteVersion, usableTemplate, writeTemplate } from '../dist/store/pglite-template.js';

const migrations = MIGRATIONS.map((m) => m.version);
const present = usableTemplate();
if (present?.postgres && JSON.stringify(present.migrations) === JSON.stringify(migrations)) process.exit(0);

const db = new PGlite();
await db.waitReady;
const executor = (target) => ({ query: async (text, params) => (await target.query(text, params)).rows });
await migrate({
  kind: 'pglite',
  ...executor(db),
  transaction: (work) => db.transaction((tx) => work(executor(tx))),
  close: () => db.close(),
});
// PG_VERSION's major version, so a folder is only completed from a template of its own PostgreSQL.
const { rows } = await db.query('SHOW server_version_num');
const postgres = String(Math.floor(Number(rows[0].server_version_num) / 10000));
const dump = await db.dumpDataDir('gzip');
await db.close();
writeTemplate(new Uint8Array(await dump.arrayBuffer()), { pglite: pgliteVersion(), migrations, postgres });
console.log(`PGlite template: dist/store/pglite-template.tar.gz (${(dump.size / 2 ** 20).toFixed(1)} MiB)`);
