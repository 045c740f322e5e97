/**
 * Permissions of the server's data folder. It holds the connections' key (`secret.key`) and the embedded database
 * (`pglite/`), which only the server's user may read; and the run folders (`runs/`) and the dependency cache
 * (`cache/`), which a root server's run user must be able to reach. So the folder itself is `0711` (others may pass
 * through to a name they know but not list it), the key `0600` and the database folder `0700`.
 *
 * Modes are tightened only on what the server's user owns: a folder someone shared on purpose (a group-owned
 * mount) is left as it is.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Mode of the data folder: searchable by the run user, listable by nobody else. */
export const DATA_FOLDER_MODE = 0o711;
/** Mode of the key file. */
export const SECRET_FILE_MODE = 0o600;
/** Mode of the embedded database's folder. */
export const DATABASE_FOLDER_MODE = 0o700;

/** Creates `dir` (and its database folder) with the modes above, and tightens them when they are looser. */
export function secureDataFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_FOLDER_MODE });
  tighten(dir, DATA_FOLDER_MODE);
  const database = path.join(dir, 'pglite');
  mkdirSync(database, { recursive: true, mode: DATABASE_FOLDER_MODE });
  tighten(database, DATABASE_FOLDER_MODE);
}

/**
 * Removes from `file`'s mode every bit `mode` lacks, when the server's user owns it (a key file someone made
 * readable to all is made private again). Missing files are left alone.
 */
export function tighten(file: string, mode: number): void {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return;
  const current = stats.mode & 0o7777;
  const wanted = current & mode;
  if (wanted !== current) chmodSync(file, wanted);
}
