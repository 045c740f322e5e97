import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** The three services of the monitoring stack, by the name Gangplank uses for them. */
export type ServiceName = 'prometheus' | 'pushgateway' | 'alertmanager';

/** Where each service's binary comes from: the names it goes by on PATH and the Debian package that ships it. */
export const SERVICE_BINARIES = {
  prometheus: { commands: ['prometheus'], debianPackage: 'prometheus' },
  // Debian renames the upstream binaries; the upstream names are tried too for users with release tarballs.
  pushgateway: { commands: ['prometheus-pushgateway', 'pushgateway'], debianPackage: 'prometheus-pushgateway' },
  alertmanager: { commands: ['prometheus-alertmanager', 'alertmanager'], debianPackage: 'prometheus-alertmanager' },
} as const satisfies Record<ServiceName, { commands: readonly string[]; debianPackage: string }>;

/** Extra tools the rule checks need; they come with the service packages. */
export const TOOL_BINARIES = {
  promtool: { commands: ['promtool'], debianPackage: 'prometheus' },
  amtool: { commands: ['amtool'], debianPackage: 'prometheus-alertmanager' },
} as const;

/** Thrown when a binary is missing and cannot be installed here; the message says exactly what to run. */
export class MissingBinaryError extends Error {
  constructor(
    readonly packages: readonly string[],
    reason: string,
  ) {
    super(
      `${reason}: install the Debian/Ubuntu package(s) ${packages.join(', ')} ` +
        `(sudo apt-get install -y ${packages.join(' ')}), or put the binaries on PATH.`,
    );
    this.name = 'MissingBinaryError';
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds the first of `commands` on PATH (and in /usr/sbin, /usr/bin, which root's PATH may lack). */
export function findOnPath(commands: readonly string[], pathEnv = process.env.PATH ?? ''): string | undefined {
  const dirs = [...pathEnv.split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const command of commands) {
    for (const dir of dirs) {
      const candidate = join(dir, command);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

export function findBinary(name: ServiceName | keyof typeof TOOL_BINARIES): string | undefined {
  const entry = name in SERVICE_BINARIES ? SERVICE_BINARIES[name as ServiceName] : TOOL_BINARIES[name as keyof typeof TOOL_BINARIES];
  return findOnPath(entry.commands);
}

export interface EnsureOptions {
  /** Install missing packages with apt-get when running as root. @default true */
  install?: boolean;
  /** Where progress lines go. @default process.stderr */
  log?: (line: string) => void;
}

/**
 * Makes sure the binaries of `names` are on this machine. Missing ones are installed with apt-get when running as
 * root (Debian's postinst starts nothing where policy-rc.d forbids it, and we never rely on it starting anything);
 * otherwise a {@link MissingBinaryError} says what to install.
 */
export function ensureBinaries(
  names: readonly (ServiceName | keyof typeof TOOL_BINARIES)[],
  options: EnsureOptions = {},
): Record<string, string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const missing = names.filter((n) => findBinary(n) === undefined);
  if (missing.length > 0) {
    const packages = [
      ...new Set(
        missing.map((n) =>
          n in SERVICE_BINARIES
            ? SERVICE_BINARIES[n as ServiceName].debianPackage
            : TOOL_BINARIES[n as keyof typeof TOOL_BINARIES].debianPackage,
        ),
      ),
    ];
    installDebianPackages(packages, { ...options, log });
  }
  const found: Record<string, string> = {};
  for (const n of names) {
    const path = findBinary(n);
    if (path === undefined) throw new MissingBinaryError([], `${n} is still missing after installation`);
    found[n] = path;
  }
  return found;
}

/** Installs Debian packages with apt-get (root only), or throws a {@link MissingBinaryError} naming them. */
export function installDebianPackages(packages: readonly string[], options: EnsureOptions = {}): void {
  if (packages.length === 0) return;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (options.install === false || !isRoot) {
    throw new MissingBinaryError(packages, isRoot ? 'missing binaries' : 'missing binaries and not running as root');
  }
  if (findOnPath(['apt-get']) === undefined) {
    throw new MissingBinaryError(packages, 'missing binaries and apt-get is not available');
  }
  log(`gangplank: installing ${packages.join(' ')} with apt-get …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // A fresh machine may have no package lists yet; one update before the install is enough.
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) log('gangplank: apt-get update failed; trying the install anyway');
  const result = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
  if (result.status !== 0) throw new MissingBinaryError(packages, `apt-get install exited with ${result.status}`);
}
