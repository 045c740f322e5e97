import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { APPLY_ORDER, manifestKind, parseManifests, type Manifest, type ManifestKind } from './manifest.js';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** Reads manifest files (`-` is standard input); a folder contributes its `.yaml`, `.yml` and `.json` files. */
export function readManifestFiles(paths: readonly string[], cwd: string, stdin?: () => string): Manifest[] {
  const out: Manifest[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push(...parseManifests(stdin ? stdin() : readFileSync(0, 'utf8'), 'stdin'));
      continue;
    }
    const full = resolve(cwd, path);
    let isDir: boolean;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      throw new UsageError(`cannot read ${path}: no such file or folder`);
    }
    const files = isDir
      ? readdirSync(full)
          .filter((name) => MANIFEST_EXT.test(name))
          .sort()
          .map((name) => join(full, name))
      : [full];
    if (isDir && files.length === 0)
      throw new UsageError(`the folder ${path} holds no .yaml, .yml or .json file`);
    for (const file of files) out.push(...parseManifests(readFileSync(file, 'utf8'), isDir ? file : path));
  }
  return out;
}

/**
 * The documents of `bulk` files with their kinds, each with an id, sorted so that what a training uses comes first
 * (`apply`) or last (`delete`). Throws {@link UsageError} on no file or a document without an id.
 */
export function readBulkManifests(
  files: readonly string[],
  cwd: string,
  stdin: (() => string) | undefined,
  order: 'apply' | 'delete',
): { m: Manifest; kind: ManifestKind }[] {
  if (files.length === 0) throw new UsageError('pass at least one file');
  const manifests = readManifestFiles(files, cwd, stdin).map((m) => ({ m, kind: manifestKind(m) }));
  for (const { m } of manifests) if (!m.id) throw new UsageError(`${m.source}: the document has no id`);
  const sign = order === 'apply' ? 1 : -1;
  return manifests.sort((a, b) => sign * (APPLY_ORDER[a.kind] - APPLY_ORDER[b.kind]));
}
