/**
 * Fetches an algorithm source with the `git` command: https with or without a token, ssh with the connection's
 * private key, or a local repository; a branch, tag or commit; returns the commit id.
 *
 * Secrets never appear in a process argument or a log: an https token reaches git through `GIT_ASKPASS` (a script
 * that echoes an environment variable of the git process only), an ssh key through a 0600 file named in
 * `GIT_SSH_COMMAND`, and both files are deleted afterwards. URLs are shown with their user info removed.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError } from '../domain/run-error.js';
import { shellQuote } from '../toolchains/shell-quote.js';
import type { TransferConnection } from '../domain/transfer-connection.js';

export interface GitFetchOptions {
  connection: TransferConnection;
  /** Branch, tag or (short) commit; falls back to the connection's reference, then the remote default branch. */
  reference?: string;
  /** Empty folder to clone into. */
  target: string;
  /** Private folder for the askpass script, the key and known_hosts (deleted afterwards). */
  secretsDir: string;
  log: (text: string) => void;
  signal?: AbortSignal;
  /** Environment git runs with. @default process.env (PATH, HOME …) */
  env?: NodeJS.ProcessEnv;
}

export interface GitFetchResult {
  commitId: string;
  /** What `reference` resolved to, e.g. `refs/remotes/origin/main`. */
  resolved: string;
}

/** URL without user info, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

export async function fetchGitSource(options: GitFetchOptions): Promise<GitFetchResult> {
  const { connection, target, secretsDir } = options;
  // Credentials written into an https URL move to the askpass variables: in the URL they would reach git's argv
  // (visible in `ps`) and `.git/config`.
  const inline = /^(https?:\/\/)([^@/]*)@/i.exec(connection.uri.trim());
  const [inlineUser, inlinePassword] = inline ? inline[2]!.split(':').map((p) => decodeURIComponent(p)) : [];
  const url = inline ? connection.uri.trim().replace(/^(https?:\/\/)[^@/]*@/i, '$1') : connection.uri.trim();
  const username = connection.username || inlineUser;
  const password = connection.password || connection.keySecret || inlinePassword;
  const shown = redactUrl(url);
  if (!url) throw new RunError('SourceError', `git connection "${connection.id}" has an empty uri`);
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    LC_ALL: 'C',
  };
  const cleanup: string[] = [];
  try {
    const isSsh = /^ssh:\/\//.test(url) || /^[^/:@]+@[^/:]+:/.test(url);
    if (/^https?:\/\//.test(url) && password) {
      const askpass = join(secretsDir, 'askpass.sh');
      // The script holds no secret: it prints variables that only the git process has.
      writeFileSync(
        askpass,
        '#!/bin/sh\ncase "$1" in\n  Username*) printf \'%s\\n\' "$GANGPLANK_GIT_USERNAME" ;;\n  *) printf \'%s\\n\' "$GANGPLANK_GIT_PASSWORD" ;;\nesac\n',
        { mode: 0o700 },
      );
      cleanup.push(askpass);
      env.GIT_ASKPASS = askpass;
      env.GANGPLANK_GIT_USERNAME = username || 'x-access-token';
      env.GANGPLANK_GIT_PASSWORD = password;
    } else if (isSsh) {
      const sshArgs = ['ssh', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes'];
      if (connection.keySecret) {
        const key = join(secretsDir, 'id_key');
        writeFileSync(
          key,
          connection.keySecret.endsWith('\n') ? connection.keySecret : `${connection.keySecret}\n`,
          {
            mode: 0o600,
          },
        );
        chmodSync(key, 0o600);
        cleanup.push(key);
        sshArgs.push('-i', key);
      }
      const knownHosts = join(secretsDir, 'known_hosts');
      cleanup.push(knownHosts);
      if (connection.publicKey) {
        writeFileSync(knownHosts, knownHostsLines(connection.publicKey, url), { mode: 0o600 });
        sshArgs.push('-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes');
      } else {
        // No host key in the connection: trust on first use, like Odahu's ssh-keyscan, and say so in the log.
        options.log(
          `git: connection "${connection.id}" has no publicKey; accepting the host key of ${shown} on first use`,
        );
        sshArgs.push('-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=accept-new');
      }
      env.GIT_SSH_COMMAND = sshArgs.map(shellQuote).join(' ');
    }
    const git = (args: string[], cwd?: string) =>
      run('git', args, { env, cwd, signal: options.signal }, shown, url);
    options.log(`git: cloning ${shown}`);
    await git(['-c', 'credential.helper=', 'clone', '--quiet', '--no-checkout', '--', url, target]);
    const reference = options.reference || connection.reference || '';
    let resolved = 'HEAD';
    if (reference) {
      const candidates = [
        `refs/remotes/origin/${reference}`,
        `refs/tags/${reference}`,
        reference.startsWith('origin/') ? `refs/remotes/${reference}` : undefined,
        reference,
      ].filter((c): c is string => c !== undefined);
      let found: string | undefined;
      for (const candidate of candidates) {
        try {
          await git(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`], target);
          found = candidate;
          break;
        } catch {
          /* try the next form */
        }
      }
      if (!found) {
        throw new RunError(
          'SourceError',
          `git: reference "${reference}" is neither a branch, a tag nor a commit of ${shown}`,
        );
      }
      resolved = found;
    }
    await git(
      ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', `${resolved}^{commit}`],
      target,
    );
    const commitId = (await git(['rev-parse', 'HEAD'], target)).trim();
    options.log(`git: checked out ${reference || 'the default branch'} at commit ${commitId}`);
    return { commitId, resolved };
  } finally {
    for (const file of cleanup) rmSync(file, { force: true });
  }
}

/** `publicKey` may be a bare key (`ssh-ed25519 AAAA…`) or full known_hosts lines. */
function knownHostsLines(publicKey: string, url: string): string {
  const host = /^ssh:\/\/(?:[^@/]*@)?([^/:]+)(?::(\d+))?/.exec(url) ?? /^[^@]+@([^:]+):/.exec(url);
  const hostName = host?.[2] ? `[${host[1]}]:${host[2]}` : (host?.[1] ?? '*');
  return publicKey
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => (/^(ssh-|ecdsa-|sk-)/.test(line) ? `${hostName} ${line}` : line))
    .join('\n')
    .concat('\n');
}

function run(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal },
  shown: string,
  url: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: options.env, cwd: options.cwd, signal: options.signal, maxBuffer: 16 << 20, timeout: 600_000 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const detail = (stderr || error.message)
          .split(url)
          .join(shown)
          .trim()
          .split('\n')
          .slice(-3)
          .join(' ');
        reject(
          new RunError(
            'SourceError',
            `git ${args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? ''} of ${shown} failed: ${detail}`,
          ),
        );
      },
    );
  });
}
