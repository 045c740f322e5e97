import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Resolves `path` (relative, as in a manifest) inside `root`, or returns undefined when it would escape it:
 * absolute paths, `..` segments that climb out, and the root's parent are all refused. Pure (no symlink lookup:
 * the workspace is filled by us, and `copyTree`/downloads never follow links out of it).
 */
export function resolveInside(root: string, path: string): string | undefined {
  if (path.includes('\0')) return undefined;
  if (isAbsolute(path)) return undefined;
  const base = resolve(root);
  const target = resolve(base, path);
  const rel = relative(base, target);
  if (rel === '') return target;
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return target;
}

/** True when a manifest path names a folder explicitly (trailing slash, `.` or empty). */
export function namesFolder(path: string): boolean {
  return path === '' || path === '.' || path === './' || path.endsWith('/');
}
