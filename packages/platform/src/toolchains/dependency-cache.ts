/**
 * The dependency cache (Odahu's "Model Dependencies Cache", without Docker images): a run's environment is built
 * once per lockfile hash and reused by every later run with the same lockfile.
 *
 * - `package-lock.json` → `npm ci` into `<cache>/npm/<hash>/`, linked into the project as `node_modules`.
 * - `requirements.txt` → a Python virtual environment `<cache>/venv/<hash>/` with `pip install -r`; its `bin/` goes
 *   first on PATH and `VIRTUAL_ENV` is set.
 *
 * The hash covers the lockfile, `package.json` and the runtime version (`node -v` / `python3 --version`). A build
 * happens in place under a lock folder (virtual environments cannot be moved: their scripts hold absolute paths) and
 * only a `.ready` marker makes it usable, so a build that crashed is redone, and two runs needing the same
 * environment build it once.
 *
 * The build runs a training's own code (npm scripts, setup.py), so it gets the run's built environment, never the
 * server's, and runs as the run's user when the server has one (`builder`): the folder is lent to that user for
 * the build and taken back afterwards, so a later training reads the environment but cannot alter it for others.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { RunError } from '../domain/run-error.js';

export interface DependencyOptions {
  projectDir: string;
  cacheDir: string;
  /** PATH the tools are looked up in. */
  path: string;
  log: (text: string) => void;
  signal?: AbortSignal;
  /** Give up waiting for another run's build after this long. @default 1_800_000 */
  lockTimeoutMs?: number;
  /** Environment of the build tools (PATH is set from `path`). @default PATH, HOME and the locale only */
  env?: Record<string, string>;
  /** The user builds run as (a root server's run user); absent: the server's own user. */
  builder?: DependencyBuilder;
}

/** Who builds, and how a cache folder is handed to them and back (the executor owns the chown). */
export interface DependencyBuilder {
  uid: number;
  gid: number;
  /** Makes `dir` writable by the builder before its build. */
  lend(dir: string): void;
  /** Gives `dir` back to the server's user once built (read-only for runs). */
  takeBack(dir: string): void;
}

/** Variables to add to the run's environment (PATH with the environment first, VIRTUAL_ENV). */
export type DependencyEnv = Record<string, string>;

export async function prepareDependencies(options: DependencyOptions): Promise<DependencyEnv> {
  const env: DependencyEnv = {};
  let path = options.path;
  const lock = join(options.projectDir, 'package-lock.json');
  if (existsSync(lock)) {
    const pkg = join(options.projectDir, 'package.json');
    const hash = digest([readFileSync(lock), existsSync(pkg) ? readFileSync(pkg) : '', process.version]);
    const dir = join(options.cacheDir, 'npm', hash);
    await buildOnce(dir, options, `npm ci for package-lock.json (${hash.slice(0, 12)})`, async () => {
      copyFileSync(lock, join(dir, 'package-lock.json'));
      if (existsSync(pkg)) copyFileSync(pkg, join(dir, 'package.json'));
      const npmrc = join(options.projectDir, '.npmrc');
      if (existsSync(npmrc)) copyFileSync(npmrc, join(dir, '.npmrc'));
      await tool('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], dir, path, options);
    });
    const link = join(options.projectDir, 'node_modules');
    if (!exists(link)) symlinkSync(join(dir, 'node_modules'), link, 'dir');
    path = `${join(options.projectDir, 'node_modules', '.bin')}:${path}`;
  }
  const requirements = join(options.projectDir, 'requirements.txt');
  if (existsSync(requirements)) {
    const python = (await tool('python3', ['--version'], options.projectDir, path, options)).trim();
    const hash = digest([readFileSync(requirements), python]);
    const dir = join(options.cacheDir, 'venv', hash);
    await buildOnce(dir, options, `Python venv for requirements.txt (${hash.slice(0, 12)})`, async () => {
      const needed = hasRequirements(readFileSync(requirements, 'utf8'));
      // Without packages to install, skip ensurepip: 0.1 s instead of ~10 s on this 2-core machine.
      await tool(
        'python3',
        ['-m', 'venv', ...(needed ? [] : ['--without-pip']), dir],
        options.projectDir,
        path,
        options,
      );
      if (needed) {
        await tool(
          join(dir, 'bin', 'pip'),
          ['install', '--disable-pip-version-check', '--no-input', '-q', '-r', requirements],
          options.projectDir,
          path,
          options,
        );
      }
    });
    path = `${join(dir, 'bin')}:${path}`;
    env.VIRTUAL_ENV = dir;
  }
  if (path !== options.path) env.PATH = path;
  return env;
}

function hasRequirements(text: string): boolean {
  return text.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

function digest(parts: (Buffer | string)[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex');
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

async function buildOnce(
  dir: string,
  options: DependencyOptions,
  what: string,
  build: () => Promise<void>,
): Promise<void> {
  const ready = join(dir, '.ready');
  if (existsSync(ready)) {
    options.log(`dependencies: reused ${what} from the cache`);
    return;
  }
  mkdirSync(join(dir, '..'), { recursive: true });
  const lockDir = `${dir}.lock`;
  const deadline = Date.now() + (options.lockTimeoutMs ?? 1_800_000);
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      if (existsSync(ready)) {
        options.log(`dependencies: reused ${what} from the cache (built by another run)`);
        return;
      }
      // A lock older than the timeout belongs to a build that died with its server.
      const age = Date.now() - (statSafe(lockDir) ?? Date.now());
      if (age > (options.lockTimeoutMs ?? 1_800_000)) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline || options.signal?.aborted) {
        throw new RunError('DependencyError', `dependencies: gave up waiting for another build of ${what}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (existsSync(ready)) return;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    options.builder?.lend(dir);
    const started = Date.now();
    options.log(`dependencies: building ${what}`);
    await build();
    options.builder?.takeBack(dir);
    writeFileSync(ready, new Date().toISOString());
    options.log(`dependencies: built ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (error instanceof RunError) throw error;
    throw new RunError('DependencyError', `dependencies: ${what} failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function statSafe(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** What a build gets when the executor hands no environment: enough to find the tools and speak the locale. */
function minimalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['HOME', 'LANG', 'LC_ALL', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function tool(
  command: string,
  args: string[],
  cwd: string,
  path: string,
  options: Pick<DependencyOptions, 'signal' | 'env' | 'builder'>,
): Promise<string> {
  const { signal, builder } = options;
  const user = builder ? { uid: builder.uid, gid: builder.gid } : {};
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd,
        env: { ...(options.env ?? minimalEnv()), PATH: path },
        ...user,
        ...(signal ? { signal } : {}),
        maxBuffer: 64 << 20,
        timeout: 1_800_000,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout || stderr);
        const tail = (stderr || stdout || error.message).trim().split('\n').slice(-5).join(' | ');
        reject(new RunError('DependencyError', `dependencies: ${command} ${args[0] ?? ''} failed: ${tail}`));
      },
    );
  });
}
