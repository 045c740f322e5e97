import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { ObjectEntry, ObjectStore } from './object-store.js';
import { resolveInside } from './safe-path.js';

/** A folder on this machine seen as an object store (`local` connections, and `local` output for artifacts). */
export class LocalFolderObjectStore implements ObjectStore {
  readonly label: string;

  constructor(private readonly root: string) {
    this.label = root;
  }

  list(prefix: string): Promise<ObjectEntry[]> {
    const out: ObjectEntry[] = [];
    if (!existsSync(this.root)) return Promise.resolve(out);
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) {
          const key = relative(this.root, full).split(sep).join('/');
          if (key.startsWith(prefix)) out.push({ key, size: statSync(full).size });
        }
      }
    };
    walk(this.root);
    out.sort((a, b) => (a.key < b.key ? -1 : 1));
    return Promise.resolve(out);
  }

  exists(key: string): Promise<boolean> {
    const path = key === '' ? undefined : resolveInside(this.root, key);
    return Promise.resolve(path !== undefined && existsSync(path) && statSync(path).isFile());
  }

  download(key: string, file: string): Promise<void> {
    copyFileSync(this.path(key), file);
    return Promise.resolve();
  }

  upload(file: string, key: string): Promise<void> {
    const target = this.path(key);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    return Promise.resolve();
  }

  private path(key: string): string {
    const path = resolveInside(this.root, key);
    if (!path) throw new Error(`key "${key}" escapes ${this.root}`);
    return path;
  }
}
