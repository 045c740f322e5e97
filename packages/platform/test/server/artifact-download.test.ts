/**
 * The artifact download route in-process on a real PGlite store and a real run folder: the training's read
 * permission (viewer yes, no token no), only names recorded on its runs, nothing outside the run's artifacts folder
 * (traversal names, a recorded name holding a path), and a streamed body equal to the file.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { ADMIN, buildApp, call, closeApp, openStore, STATIC_TOKENS, VIEWER } from './helpers.js';

const NAME = 'wine-1.0-5b8f.zip';

let store: Store;
let app: FastifyInstance;
let root: string;
const zip = randomBytes(300_000);

/** A succeeded run whose executor recorded `dir` and whose publish step recorded `names`. */
async function finishedTraining(id: string, names: string[], withFolder = true): Promise<string> {
  const { run } = await store.createTraining(id, {
    model: { name: 'wine', version: '1.0' },
    toolchain: 'mlflow',
    entrypoint: 'main',
    algorithmSource: { vcs: { connection: 'repo' } },
  });
  const dir = join(root, run.id);
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  await store.updateRun(run.id, {
    state: 'succeeded',
    finishedAt: new Date().toISOString(),
    artifacts: names.map((artifactName) => ({ runId: run.id, artifactName, commitID: 'abc' })),
    ...(withFolder ? { executorHandle: { executor: 'local', runId: run.id, dir } } : {}),
  });
  return dir;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gangplank-artifact-'));
  store = await openStore();
  app = await buildApp(store, { auth: { tokens: STATIC_TOKENS } });
  const dir = await finishedTraining('art-a', [NAME, '../outside.zip']);
  writeFileSync(join(dir, 'artifacts', NAME), zip);
  writeFileSync(join(dir, 'outside.zip'), 'not an artifact');
  writeFileSync(join(dir, 'artifacts', 'unrecorded.zip'), 'on disk but never recorded');
  await finishedTraining('art-remote', [NAME], false);
  await finishedTraining('art-gone', [NAME]);
});
afterAll(async () => {
  await closeApp(app, store);
  rmSync(root, { recursive: true, force: true });
});

describe('GET /api/v1/model/training/{id}/artifact/{artifactName}', () => {
  it('streams the recorded zip to a viewer with its type and file name', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/model/training/art-a/artifact/${NAME}`,
      headers: VIEWER,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toBe(`attachment; filename=${NAME}`);
    expect(Number(response.headers['content-length'])).toBe(zip.length);
    expect(response.rawPayload.equals(zip)).toBe(true);
  });

  it('asks for a token like GET training does', async () => {
    const response = await call(app, 'GET', `/api/v1/model/training/art-a/artifact/${NAME}`);
    expect(response.statusCode).toBe(401);
    expect(
      (await call(app, 'GET', `/api/v1/model/training/art-a/artifact/${NAME}`, undefined, ADMIN)).statusCode,
    ).toBe(200);
  });

  it('answers 404 with a message for an unknown training, an unrecorded name, a remote run and a gone file', async () => {
    for (const url of [
      `/api/v1/model/training/nope/artifact/${NAME}`,
      '/api/v1/model/training/art-a/artifact/unrecorded.zip',
      `/api/v1/model/training/art-remote/artifact/${NAME}`,
      `/api/v1/model/training/art-gone/artifact/${NAME}`,
    ]) {
      const response = await call(app, 'GET', url, undefined, VIEWER);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toContain('application/json');
      expect(typeof (response.data as { message?: unknown }).message).toBe('string');
    }
  });

  it('serves nothing outside the run artifacts folder, even for a recorded name holding a path', async () => {
    for (const name of [
      '..%2Foutside.zip',
      '..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '%2Fetc%2Fpasswd',
      '%2E%2E',
      '%2E',
      'unrecorded.zip%00',
      encodeURIComponent(join(root, 'x', 'artifacts', NAME)),
    ]) {
      const response = await call(
        app,
        'GET',
        `/api/v1/model/training/art-a/artifact/${name}`,
        undefined,
        VIEWER,
      );
      // A URL whose dots the URL parser resolves lands on another route (GET training): never on a file.
      expect(response.headers['content-type'], name).not.toBe('application/zip');
      if (name.includes('%2F')) expect(response.statusCode, name).toBe(404);
      expect(response.body).not.toContain('not an artifact');
      expect(response.body).not.toContain('root:');
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call(app, 'GET', '/swagger/json')).data as {
      paths: Record<string, { get?: unknown }>;
    };
    expect(doc.paths['/api/v1/model/training/{id}/artifact/{artifactName}']?.get).toBeDefined();
  });
});
