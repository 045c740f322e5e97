import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * `path` (relative, as in a manifest) joined to `root` by text alone, or undefined when it would escape it: NUL
 * characters, absolute paths, `..` segments that climb out, and the root's parent are all refused. Pure.
 */
export function resolveLexically(root: string, path: string): string | undefined {
  if (path.includes('\0')) return undefined;
  if (isAbsolute(path)) return undefined;
  const base = resolve(root);
  const target = resolve(base, path);
  return isWithin(base, target) ? target : undefined;
}

/**
 * Resolves `path` (relative, as in a manifest) inside `root` after following the symbolic links on the way, or
 * returns undefined when it escapes: lexically (see `resolveLexically`), or through a link — in a git source or a
 * local folder — that points outside the root, nowhere, or round in a loop. The answer is written under `root` as
 * given, with the links below it replaced by where they lead, so writing to it never follows a link out; the parts
 * that do not exist yet are left for the caller to create (`mkdirInside`).
 */
export function resolveInside(root: string, path: string): string | undefined {
  const lexical = resolveLexically(root, path);
  if (lexical === undefined) return undefined;
  const base = resolve(root);
  let realBase: string;
  try {
    realBase = realpathSync(base);
  } catch {
    // Nothing exists under a root that does not exist, so there is no link to follow.
    return lexical;
  }
  const parts = relative(base, lexical)
    .split(sep)
    .filter((p) => p !== '');
  let current = realBase;
  for (const [index, part] of parts.entries()) {
    const next = join(current, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // What does not exist yet holds no link; a file in the middle makes the later parts fail when used.
      if (code === 'ENOENT' || code === 'ENOTDIR') return rebase(join(next, ...parts.slice(index + 1)));
      return undefined;
    }
    if (isLink) {
      try {
        current = realpathSync(next);
      } catch {
        return undefined;
      }
      if (!isWithin(realBase, current)) return undefined;
    } else current = next;
  }
  return rebase(current);

  function rebase(real: string): string {
    return join(base, relative(realBase, real));
  }
}

/**
 * Creates the folder `path` inside `root` one part at a time, refusing any part that is (or becomes) a link out of
 * the root; returns the folder, or throws naming the part.
 */
export function mkdirInside(root: string, path: string): string {
  const target = resolveInside(root, path);
  if (target === undefined) throw new Error(`"${path}" leads outside ${root}; refused`);
  const base = resolve(root);
  let current = base;
  for (const part of relative(base, target)
    .split(sep)
    .filter((p) => p !== '')) {
    current = join(current, part);
    try {
      mkdirSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A link created under us between the check and the mkdir is caught here, before anything is written.
    if (lstatSync(current).isSymbolicLink()) throw new Error(`"${path}" passes through a link; refused`);
  }
  return target;
}

function isWithin(base: string, target: string): boolean {
  const rel = relative(base, target);
  if (rel === '') return true;
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** True when a manifest path names a folder explicitly (trailing slash, `.` or empty). */
export function namesFolder(path: string): boolean {
  return path === '' || path === '.' || path === './' || path.endsWith('/');
}
