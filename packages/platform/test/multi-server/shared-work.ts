/**
 * What the tests of several servers on one PostgreSQL share: the trainings they submit (each run appends
 * `<run id> <server>` to a file when it starts, `record-run.sh`), their toolchain and source connection, the
 * round-robin submission, and the reading of the outcome (runs in the database, starts in the file).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { vi } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The fixture every training runs: records its start, then works 0.3 s. */
export const RECORD_RUN = join(HERE, 'record-run.sh');

export interface ApiServer {
  name: string;
  url: string;
}

export interface RunRow {
  id: string;
  training_id: string;
  state: string;
  reason: string | null;
}

/** POSTs a resource; anything but 201 throws. */
export async function post(server: ApiServer, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201)
    throw new Error(`POST ${path} on ${server.name}: ${res.status} ${await res.text()}`);
}

/**
 * Registers the toolchain `sh` (running `command` followed by the entry point) and the connection `src` (a
 * local folder under `root`) the trainings use.
 */
export async function setUpTrainings(
  server: ApiServer,
  root: string,
  command: string[] = ['/bin/sh'],
): Promise<void> {
  const source = join(root, 'source');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'README'), 'source of the several-servers test\n');
  await post(server, '/api/v1/toolchain/integration', {
    id: 'sh',
    spec: { entrypoint: 'sh', defaultImage: 'none', kind: 'command', command },
  });
  await post(server, '/api/v1/connection', { id: 'src', spec: { type: 'local', uri: source } });
}

/** A short training running {@link RECORD_RUN}, with extra environment variables. */
export function trainingBody(id: string, envs: { name: string; value: string }[] = []) {
  return {
    kind: 'ModelTraining',
    id,
    spec: {
      model: { name: 'multi', version: '1.0' },
      toolchain: 'sh',
      entrypoint: RECORD_RUN,
      algorithmSource: { objectStorage: { connection: 'src' } },
      resources: { limits: { cpu: '1', memory: '256Mi' }, requests: { cpu: '1', memory: '64Mi' } },
      ...(envs.length > 0 ? { envs } : {}),
    },
  };
}

/**
 * Submits the trainings round-robin to the servers, all at once. Should `flaky` refuse one (it is being killed),
 * that training goes to `fallback`; any other refusal throws.
 */
export async function submitRoundRobin(
  servers: readonly ApiServer[],
  bodies: readonly unknown[],
  flaky?: ApiServer,
  fallback?: ApiServer,
): Promise<void> {
  await Promise.all(
    servers.map(async (server, k) => {
      for (let i = k; i < bodies.length; i += servers.length) {
        const body = bodies[i];
        await post(server, '/api/v1/model/training', body).catch((error: unknown) => {
          if (server !== flaky || !fallback) throw error;
          return post(fallback, '/api/v1/model/training', body);
        });
      }
    }),
  );
}

/** Lines of the fixture's file, one per run start: `<run id> <server>`. */
export function startedLines(recordFile: string): string[] {
  return existsSync(recordFile) ? readFileSync(recordFile, 'utf8').split('\n').filter(Boolean) : [];
}

/** Run ids that appear more than once among the lines. */
export function startedTwice(lines: readonly string[]): string[] {
  const ids = lines.map((l) => l.split(' ')[0] ?? '');
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

/** Waits until `total` runs are final (succeeded or failed); returns the count per state. */
export function waitForFinal(
  client: pg.Client,
  total: number,
  timeoutMs: number,
): Promise<Record<string, number>> {
  return vi.waitFor(
    async () => {
      const res = await client.query<{ state: string; n: string }>(
        'SELECT state, count(*) AS n FROM training_runs GROUP BY state',
      );
      const counts: Record<string, number> = Object.fromEntries(res.rows.map((r) => [r.state, Number(r.n)]));
      if ((counts.succeeded ?? 0) + (counts.failed ?? 0) !== total) {
        throw new Error(`not all ${total} runs are final: ${JSON.stringify(counts)}`);
      }
      return counts;
    },
    { timeout: timeoutMs, interval: 250 },
  );
}

/** Every run of the database. */
export async function allRuns(client: pg.Client): Promise<RunRow[]> {
  return (await client.query<RunRow>('SELECT id, training_id, state, reason FROM training_runs')).rows;
}
