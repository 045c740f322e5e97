/**
 * Downloads data bindings into the workspace with Odahu's rules (its rclone step): a remote *folder* (a prefix
 * with objects under it) goes into a local folder and may not land on an existing local file; a remote *file* goes to
 * the local path, or into it when the local path is a folder (trailing `/` or an existing folder). Every failure
 * names the binding (Odahu #615: there, bad paths only showed in raw pod logs as "failed").
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, posix, relative } from 'node:path';
import { RunError, errorText } from '../domain/run-error.js';
import type { TransferConnection } from '../domain/transfer-connection.js';
import { joinKey, type ObjectEntry, type ObjectStore } from './object-store.js';
import { openStore } from './open-store.js';
import { mkdirInside, namesFolder, resolveInside } from './safe-path.js';

export interface DataBinding {
  connection: TransferConnection;
  localPath: string;
  remotePath?: string;
}

export interface TransferSummary {
  objects: number;
  bytes: number;
}

/** Copies everything under `prefix` (a folder) or the single object `key` into `target`, refusing escapes. */
export async function copyFromStore(
  store: ObjectStore,
  remote: string,
  target: string,
  targetNamesFolder: boolean,
  describe: (message: string) => string,
): Promise<TransferSummary> {
  const key = joinKey(remote);
  const isFile = !remote.endsWith('/') && key !== '' && (await store.exists(key));
  if (isFile) {
    const intoFolder = targetNamesFolder || (existsSync(target) && statSync(target).isDirectory());
    // A file of that name already in the folder may be a link (from a git source): follow it only inside.
    const file = intoFolder ? resolveInside(target, posix.basename(key)) : target;
    if (!file)
      throw new Error(describe(`"${posix.basename(key)}" in the local path leads outside it; refused`));
    mkdirSync(dirname(file), { recursive: true });
    await store.download(key, file);
    return { objects: 1, bytes: statSync(file).size };
  }
  const prefix = key === '' ? '' : `${key}/`;
  const entries = (await store.list(prefix)).filter((e) => !e.key.endsWith('/'));
  if (entries.length === 0) {
    throw new Error(
      describe(`remote path (${remote || '/'}) does not exist in ${store.label} or holds no objects`),
    );
  }
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new Error(
      describe(`local path (${target}) points to a file, but remote path (${remote}) points to a dir`),
    );
  }
  mkdirSync(target, { recursive: true });
  let bytes = 0;
  await forEachLimit(entries, 8, async (entry: ObjectEntry) => {
    const rel = entry.key.slice(prefix.length);
    const file = resolveInside(target, rel);
    if (!file)
      throw new Error(describe(`object "${entry.key}" would be written outside the local path; refused`));
    mkdirInside(target, relative(target, dirname(file)));
    await store.download(entry.key, file);
    bytes += entry.size;
  });
  return { objects: entries.length, bytes };
}

/** Downloads one binding; throws a `DataError` RunError naming it. */
export async function downloadDataBinding(
  binding: DataBinding,
  index: number,
  workspace: string,
  log: (text: string) => void,
): Promise<TransferSummary> {
  const name = `data binding #${index + 1} (connection "${binding.connection.id}")`;
  const describe = (message: string) => `${name}: ${message}`;
  if (!binding.localPath) throw new RunError('DataError', describe('localPath is empty'));
  const target = resolveInside(workspace, binding.localPath);
  if (!target) {
    throw new RunError(
      'DataError',
      describe(
        `local path "${binding.localPath}" escapes the work folder (by "..", an absolute path or a symbolic link); use a relative path inside it`,
      ),
    );
  }
  try {
    const { store, basePath } = openStore(binding.connection);
    const remote = binding.remotePath ? binding.remotePath.replace(/^\/+/, '') : basePath;
    const summary = await copyFromStore(store, remote, target, namesFolder(binding.localPath), describe);
    log(
      `${name}: ${summary.objects} object(s), ${summary.bytes} bytes from ${store.label}/${remote} to ${binding.localPath}`,
    );
    return summary;
  } catch (error) {
    if (error instanceof RunError) throw error;
    const message = errorText(error);
    throw new RunError('DataError', message.startsWith(name) ? message : describe(message), { cause: error });
  }
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
