/**
 * Run credentials: the bearer token a run's process records its history with, `gprun.<training>.<run>.<sig>`
 * (ids base64url-encoded, `sig` an HMAC-SHA256 of both under the server's run-credential key). It grants one
 * thing: adding points to that run's own history; the route also refuses it once the run has ended. It is never a
 * user's or the server's token, and it carries no expiry of its own: the run's state is its lifetime.
 *
 * The key: `GANGPLANK_RUN_CREDENTIAL_KEY` (32 bytes, base64 or hex; give every server sharing a database the same
 * one), else `<dataDir>/run-credential.key`, generated once with mode 0600 beside `secret.key`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const PREFIX = 'gprun.';

export interface RunCredentials {
  issue(trainingId: string, runId: string): string;
  /** The run a token grants, or undefined for anything that is not a valid run credential of this server. */
  verify(token: string): { trainingId: string; runId: string } | undefined;
}

export function isRunCredential(token: string): boolean {
  return token.startsWith(PREFIX);
}

export function createRunCredentials(key: Buffer): RunCredentials {
  if (key.length < 32) throw new Error('the run-credential key must be at least 32 bytes');
  const sign = (training: string, run: string): Buffer =>
    createHmac('sha256', key).update(`${training}.${run}`).digest();
  return {
    issue(trainingId, runId) {
      const training = Buffer.from(trainingId).toString('base64url');
      const run = Buffer.from(runId).toString('base64url');
      return `${PREFIX}${training}.${run}.${sign(training, run).toString('base64url')}`;
    },
    verify(token) {
      if (!isRunCredential(token)) return undefined;
      const parts = token.slice(PREFIX.length).split('.');
      if (parts.length !== 3) return undefined;
      const [training, run, sig] = parts as [string, string, string];
      const given = Buffer.from(sig, 'base64url');
      const expected = sign(training, run);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return {
        trainingId: Buffer.from(training, 'base64url').toString(),
        runId: Buffer.from(run, 'base64url').toString(),
      };
    },
  };
}

function parseKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length < 32) throw new Error('GANGPLANK_RUN_CREDENTIAL_KEY must hold 32 bytes (base64 or hex)');
  return key;
}

/** The configured key, else the data folder's (created on first use), else a random one for the process. */
export async function loadRunCredentialKey(options: {
  key?: string | undefined;
  dataDir?: string | undefined;
}): Promise<Buffer> {
  const text = options.key ?? process.env.GANGPLANK_RUN_CREDENTIAL_KEY;
  if (text !== undefined && text !== '') return parseKey(text);
  if (options.dataDir === undefined) return randomBytes(32);
  await mkdir(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'run-credential.key');
  try {
    return parseKey(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Another server on this folder wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseKey(await readFile(file, 'utf8'));
    throw error;
  }
}

/** The history endpoint path of a run (what `GANGPLANK_HISTORY_URL` points at, after the advertised URL). */
export function historyPath(trainingId: string, runId: string): string {
  return `/api/v1/model/training/${encodeURIComponent(trainingId)}/runs/${encodeURIComponent(runId)}/history`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the caller presented a valid run credential (it may then only record that run's history). */
    runGrant?: { trainingId: string; runId: string };
  }
}
