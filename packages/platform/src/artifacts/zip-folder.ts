import { constants, createReadStream, createWriteStream, lstatSync, openSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface ZipSummary {
  files: number;
  bytes: number;
}

/**
 * Zips the contents of `folder` (not the folder itself) into `zipFile`: files in sorted order with their paths
 * relative to the folder, empty folders kept; symbolic links are skipped (and files opened without following one)
 * so nothing outside the folder gets in.
 */
export async function zipFolder(folder: string, zipFile: string): Promise<ZipSummary> {
  const zip = new ZipFile();
  let files = 0;
  let bytes = 0;
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (entries.length === 0 && dir !== folder) zip.addEmptyDirectory(toZipPath(folder, dir));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const stat = lstatSync(full);
        // Opened without following links: a file the training swaps for a link after the walk fails the zip.
        zip.addReadStreamLazy(
          toZipPath(folder, full),
          { mtime: stat.mtime, mode: stat.mode, size: stat.size },
          (done) => {
            try {
              const fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW);
              done(null, createReadStream(full, { fd }));
            } catch (error) {
              done(error, undefined as never);
            }
          },
        );
        files++;
        bytes += stat.size;
      }
    }
  };
  // The training owns the output folder and could have replaced it by a link to anywhere the server can read.
  if (lstatSync(folder).isSymbolicLink())
    throw new Error(`the output folder ${folder} is a symbolic link; refused`);
  walk(folder);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipFile));
  return { files, bytes };
}

function toZipPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}
