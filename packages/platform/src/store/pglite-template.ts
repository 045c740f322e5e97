/**
 * A pre-initialised PGlite data folder, shipped in the package (`dist/store/pglite-template.tar.gz`, written by
 * `scripts/pglite-template.mjs` at build and pack time): a fresh data folder is unpacked from it instead of running
 * initdb, which on 2 vCPU takes 2.5–20 s and peaks at ~790 MiB (PGlite runs initdb in a second WebAssembly
 * instance). The tarball is PGlite's own `dumpDataDir` of a database with the migrations applied; it is used only
 * by the PGlite version that wrote it (the on-disk format is PostgreSQL's), and `migrate()` still applies any
 * migration newer than the template.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

const TEMPLATE = fileURLToPath(new URL('./pglite-template.tar.gz', import.meta.url));
const TEMPLATE_INFO = fileURLToPath(new URL('./pglite-template.json', import.meta.url));

/** What the tarball was made with, written next to it. */
export interface PgliteTemplateInfo {
  /** npm version of `@electric-sql/pglite` that initialised it. */
  pglite: string;
  /** Migration versions applied in it. */
  migrations: number[];
  /** PostgreSQL's major version in it (its `PG_VERSION`), e.g. `"18"`. */
  postgres?: string;
}

/** The npm version of the installed `@electric-sql/pglite` (its package.json is not an export: found by path). */
export function pgliteVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const pkg = join(entry.slice(0, entry.lastIndexOf(`${sep}dist${sep}`)), 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** The shipped template's info, or undefined when there is none or another PGlite version made it. */
export function usableTemplate(): PgliteTemplateInfo | undefined {
  let info: PgliteTemplateInfo;
  try {
    info = JSON.parse(readFileSync(TEMPLATE_INFO, 'utf8')) as PgliteTemplateInfo;
  } catch {
    return undefined;
  }
  return info.pglite === pgliteVersion() ? info : undefined;
}

/** Writes the template files (tarball, info) where `usableTemplate` looks: for the build script. */
export function writeTemplate(tarGz: Uint8Array, info: PgliteTemplateInfo): void {
  writeFileSync(TEMPLATE, tarGz);
  writeFileSync(TEMPLATE_INFO, `${JSON.stringify(info)}\n`);
}

/**
 * zlib inflates in 16 KiB pieces by default, each handed back to the main thread before the next: 2,500 round
 * trips for the 40 MB that waited on the server's module loading (0.5 s of a fresh start instead of 0.1 s).
 */
const INFLATE_CHUNK = 4 * 1024 * 1024;

/**
 * The template databases, template1 and template0 (OIDs 1 and 4, fixed since PostgreSQL 15): 600 of the archive's
 * 1,030 files, and creating files is what a fresh start waits on (0.3–1 ms each on this project's ext4 VMs).
 * PostgreSQL reads them only to create a database, which the platform never does, so a fresh folder opens without
 * them and `completeTemplate` writes them once the store is open.
 */
const DEFERRED = ['base/1', 'base/4'];

/** `base/1/1259` → `base/1`: the deferred database folder an archive path belongs to, if any. */
function deferredFolder(path: string): string | undefined {
  const top = path.split(sep).slice(0, 2).join('/');
  return DEFERRED.includes(top) ? top : undefined;
}

async function templateEntries(): Promise<TarEntry[]> {
  return [...readTar(await gunzipAsync(await readFile(TEMPLATE), { chunkSize: INFLATE_CHUNK }))];
}

/** Writes `entries` under `root`: the folders first, then the files all at once (on libuv's threads). */
async function writeEntries(root: string, entries: readonly TarEntry[]): Promise<void> {
  const folders = new Set<string>();
  const files: TarEntry[] = [];
  for (const entry of entries) {
    const dir = entry.directory ? entry.path : dirname(entry.path);
    if (!folders.has(dir)) {
      mkdirSync(join(root, dir), { recursive: true, mode: 0o700 });
      folders.add(dir);
    }
    if (!entry.directory) files.push(entry);
  }
  await Promise.all(files.map((entry) => writeFile(join(root, entry.path), entry.data, { mode: 0o600 })));
}

/**
 * Unpacks the template, but for its template databases, into `folder`, which must not exist yet: first into a
 * sibling, then renamed, so a crash half-way leaves no half-made data folder that PGlite would take for a
 * database. Inflating (40 MB) and writing run on libuv's threads, so the server loads its modules meanwhile.
 */
export async function unpackTemplate(folder: string): Promise<void> {
  const staging = `${folder}.unpacking-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const entries = await templateEntries();
    await writeEntries(
      staging,
      entries.filter((entry) => deferredFolder(entry.path) === undefined),
    );
    await rename(staging, folder);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Writes the template databases `unpackTemplate` left out into `folder`, each into a sibling first and then renamed
 * into place, so a crash leaves each either whole or missing (and the next open writes it). Only into a folder of
 * the template's PostgreSQL version; nothing to do in a folder made by initdb or completed already.
 */
export async function completeTemplate(folder: string): Promise<void> {
  const missing = templateDatabasesToWrite(folder);
  if (missing.length === 0) return;
  const entries = await templateEntries();
  for (const dir of missing) {
    const staging = `${folder}.${dir.replace('/', '-')}.unpacking-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    try {
      await writeEntries(
        staging,
        entries.filter((entry) => deferredFolder(entry.path) === dir),
      );
      await rename(join(staging, dir), join(folder, dir));
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/**
 * The template databases `completeTemplate` would write into `folder`: those it lacks, when the shipped template
 * is of its PostgreSQL (none in a folder made by initdb, completed already, or of another version).
 */
export function templateDatabasesToWrite(folder: string): string[] {
  const missing = DEFERRED.filter((dir) => !existsSync(join(folder, dir)));
  return missing.length > 0 && sameVersion(folder) ? missing : [];
}

/** Whether `folder` holds the PostgreSQL major version the template was made with (its info records it). */
function sameVersion(folder: string): boolean {
  const info = usableTemplate();
  try {
    return (
      info?.postgres !== undefined &&
      readFileSync(join(folder, 'PG_VERSION'), 'utf8').trim() === info.postgres
    );
  } catch {
    return false;
  }
}

interface TarEntry {
  /** Relative, normalised, never leaving the archive's root. */
  path: string;
  directory: boolean;
  data: Uint8Array;
}

const BLOCK = 512;

function field(header: Uint8Array, offset: number, length: number): string {
  const bytes = header.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** The regular files and folders of a ustar archive (what `dumpDataDir` writes); anything else is refused. */
function* readTar(archive: Uint8Array): Generator<TarEntry> {
  for (let offset = 0; offset + BLOCK <= archive.length;) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return; // end-of-archive blocks
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const path = normalize(`${prefix ? `${prefix}/` : ''}${name}`.replace(/^\/+/, ''));
    if (path === '..' || path.startsWith(`..${sep}`) || path === '.' || !Number.isFinite(size)) {
      throw new Error(`PGlite template: unexpected tar entry "${name}"`);
    }
    const data = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    if (type === '5') yield { path, directory: true, data };
    else if (type === '0' || type === '\0') yield { path, directory: false, data };
    else throw new Error(`PGlite template: tar entry "${path}" of type "${type}" is not a file or folder`);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
}
