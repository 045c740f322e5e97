import { createWriteStream, lstatSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface ZipSummary {
  files: number;
  bytes: number;
}

/**
 * Zips the contents of `folder` (not the folder itself) into `zipFile`: files in sorted order with their paths
 * relative to the folder, empty folders kept; symbolic links are skipped so nothing outside the folder gets in.
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
        zip.addFile(full, toZipPath(folder, full));
        files++;
        bytes += lstatSync(full).size;
      }
    }
  };
  walk(folder);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipFile));
  return { files, bytes };
}

function toZipPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}
