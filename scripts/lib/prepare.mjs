// Shared first steps of the README commands, in plain JavaScript because they run before `npm ci`:
// install npm packages when missing or stale, build the workspaces, and install the Debian packages the
// project needs (with apt-get when root; otherwise say exactly what to install).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

export function runOrExit(command, args, options = {}) {
  const status = run(command, args, options);
  if (status !== 0) {
    console.error(`gangplank: \`${command} ${args.join(' ')}\` failed with exit code ${status}`);
    process.exit(status);
  }
}

/** `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureNpmPackages() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error('gangplank: installing npm packages (npm ci) …');
  runOrExit('npm', ['ci', '--no-audit', '--no-fund']);
}

export function build() {
  runOrExit('npx', ['tsc', '-b']);
  // tsc never deletes the outputs of a removed source; they would be packed (scripts/prune-dist.mjs).
  runOrExit('node', ['scripts/prune-dist.mjs']);
  // The web app's bundle (esbuild; tsc -b has type-checked it as a project reference).
  runOrExit('npm', ['run', 'build', '-w', '@gangplank/platform']);
}

/**
 * Debian packages by the binary that tells they are present. Installed in one apt-get call when root.
 * @param {Record<string, string>} needed binary → package
 */
export async function ensureDebianPackages(needed) {
  const stack = await import(join(root, 'packages/stack/dist/index.js'));
  const missing = Object.entries(needed).filter(([bin]) => stack.findOnPath([bin]) === undefined);
  if (missing.length === 0) return;
  try {
    stack.installDebianPackages([...new Set(missing.map(([, pkg]) => pkg))]);
  } catch (error) {
    console.error(`gangplank: ${error.message}`);
    process.exit(1);
  }
}
