/**
 * A pre-initialised PGlite data folder, shipped in the package (`dist/store/pglite-template.tar.gz`, written by
 * `scripts/pglite-template.mjs` at build and pack time): a fresh data folder is unpacked from it instead of running
 * initdb, which on 2 vCPU takes 2.5–20 s and peaks at ~790 MiB (PGlite runs initdb in a second WebAssembly
 * instance). The tarball is PGlite's own `dumpDataDir` of a database with the migrations applied; it is used only
 * by the PGlite version that wrote it (the on-disk format is PostgreSQL's), and `migrate()` still applies any
 * migration newer than the template.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
 * Unpacks the template into `folder`, which must not exist yet: first into a sibling, then renamed, so a crash
 * half-way leaves no half-made data folder that PGlite would take for a database. Inflating (40 MB) and writing
 * run on libuv's threads, so the server loads its modules meanwhile (start.ts).
 */
/**
 * zlib inflates in 16 KiB pieces by default, each handed back to the main thread before the next: 2,500 round
 * trips for the 40 MB that waited on the server's module loading (0.5 s of a fresh start instead of 0.1 s).
 */
const INFLATE_CHUNK = 4 * 1024 * 1024;

export async function unpackTemplate(folder: string): Promise<void> {
  const staging = `${folder}.unpacking-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    // The folders first, then the files all at once.
    const files: TarEntry[] = [];
    const folders = new Set<string>();
    for (const entry of readTar(await gunzipAsync(await readFile(TEMPLATE), { chunkSize: INFLATE_CHUNK }))) {
      const dir = entry.directory ? entry.path : dirname(entry.path);
      if (!folders.has(dir)) {
        mkdirSync(join(staging, dir), { recursive: true, mode: 0o700 });
        folders.add(dir);
      }
      if (!entry.directory) files.push(entry);
    }
    await Promise.all(
      files.map((entry) => writeFile(join(staging, entry.path), entry.data, { mode: 0o600 })),
    );
    await rename(staging, folder);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
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
