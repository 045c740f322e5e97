/**
 * The run-history routes in-process on a real PGlite store: recording (idempotent, bounded, validated), reading one
 * run as JSON and CSV, several runs at once, and the run credential's single door with auth on.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunCredentials } from '../../src/server/run-credential.js';
import type { Store } from '../../src/store/store.js';
import { ADMIN, buildApp, call, closeApp, openStore, STATIC_TOKENS, VIEWER } from './helpers.js';

const credentials = createRunCredentials(randomBytes(32));

let store: Store;
let app: FastifyInstance;
let open: FastifyInstance;

async function newRun(id: string): Promise<{ id: string; runId: string; url: string }> {
  const { run } = await store.createTraining(id, {
    model: { name: 'm', version: '1' },
    toolchain: 'mlflow',
    entrypoint: 'main',
    algorithmSource: { vcs: { connection: 'repo' } },
  });
  return { id, runId: run.id, url: `/api/v1/model/training/${id}/runs/${run.id}/history` };
}

/** One weights histogram point, as recorded and as served back. */
const weights = {
  step: 1,
  time: 1733090001,
  buckets: [
    { le: 0, count: 2 },
    { le: '+Inf', count: 5 },
  ],
  sum: 1.5,
  count: 5,
};

const epoch = (step: number, value: number | string) => ({
  phase: 'train',
  name: 'loss',
  step,
  time: 1733090000 + step,
  value,
});

beforeAll(async () => {
  store = await openStore();
  app = await buildApp(store, {
    auth: { tokens: STATIC_TOKENS },
    runCredentials: credentials,
    maxHistoryPointsPerRun: 50,
  });
  open = await buildApp(store);
});
afterAll(async () => {
  await open.close();
  await closeApp(app, store);
});

describe('run history routes', () => {
  it('records once per step whatever the retries, and serves JSON, CSV and several runs', async () => {
    const a = await newRun('hist-a');
    const b = await newRun('hist-b');
    const batch = { points: [epoch(1, 0.5), epoch(2, 'NaN'), { ...epoch(1, 0.5), name: 'val_loss' }] };
    expect((await call(open, 'POST', a.url, batch)).data).toEqual({ stored: 3, total: 3 });
    expect((await call(open, 'POST', a.url, batch)).data).toEqual({ stored: 0, total: 3 });
    await call(open, 'POST', a.url, {
      points: [{ phase: 'train', name: 'model_weights', kind: 'histogram', ...weights }],
    });
    await call(open, 'POST', b.url, { points: [epoch(1, 0.75)] });
    const json = await call(open, 'GET', a.url);
    expect(json.statusCode).toBe(200);
    expect(json.data).toEqual({
      series: [
        {
          name: 'loss',
          phase: 'train',
          points: [
            { step: 1, time: 1733090001, value: 0.5 },
            { step: 2, time: 1733090002, value: null },
          ],
        },
        {
          name: 'model_weights',
          phase: 'train',
          kind: 'histogram',
          points: [weights],
        },
        { name: 'val_loss', phase: 'train', points: [{ step: 1, time: 1733090001, value: 0.5 }] },
      ],
    });
    const csv = await call(open, 'GET', `${a.url}?format=csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toContain('attachment; filename="hist-a-');
    expect(csv.body).toBe(
      'phase,name,step,time,value\ntrain,loss,1,1733090001,0.5\ntrain,loss,2,1733090002,NaN\ntrain,val_loss,1,1733090001,0.5\n',
    );
    const both = await call(
      open,
      'GET',
      `/api/v1/model/training-history?runs=${a.id}/${a.runId},${b.id}/${b.runId}`,
    );
    expect(
      (both.data as { runs: { id: string; series: unknown[] }[] }).runs.map((r) => [r.id, r.series.length]),
    ).toEqual([
      ['hist-a', 3],
      ['hist-b', 1],
    ]);
    // A run that is gone (or of another training) is named in `missing`; the others are still answered.
    const gone = await call(
      open,
      'GET',
      `/api/v1/model/training-history?runs=${a.id}/nope,${b.id}/${b.runId},${b.id}/${a.runId}`,
    );
    expect(gone.statusCode).toBe(200);
    const partial = gone.data as { runs: { id: string; runId: string }[]; missing: unknown[] };
    expect(partial.runs.map((r) => [r.id, r.runId])).toEqual([[b.id, b.runId]]);
    expect(partial.missing).toEqual([
      { id: a.id, runId: 'nope' },
      { id: b.id, runId: a.runId },
    ]);
    expect((both.data as { missing: unknown[] }).missing).toEqual([]);
    const many = Array.from({ length: 51 }, () => `${a.id}/${a.runId}`).join(',');
    expect((await call(open, 'GET', `/api/v1/model/training-history?runs=${many}`)).statusCode).toBe(400);
    expect(
      (await call(open, 'GET', `/api/v1/model/training/${b.id}/runs/${a.runId}/history`)).statusCode,
    ).toBe(404);
  });

  it('refuses bad points and, past the bound, answers 413 and stores nothing of the batch', async () => {
    const r = await newRun('hist-bound');
    const bad = await call(open, 'POST', r.url, { points: [{ ...epoch(1, 1), phase: 'eval' }] });
    expect(bad.statusCode).toBe(400);
    const unordered = await call(open, 'POST', r.url, {
      points: [
        {
          phase: 'train',
          name: 'w',
          kind: 'histogram',
          step: 1,
          time: 1,
          buckets: [{ le: 1, count: 3 }],
          sum: 0,
          count: 3,
        },
      ],
    });
    expect(unordered.data).toEqual({ message: 'invalid body: points[0].buckets must end with le "+Inf"' });
    const fill = { points: Array.from({ length: 40 }, (_, i) => epoch(i, i)) };
    expect((await call(app, 'POST', r.url, fill, ADMIN)).data).toEqual({ stored: 40, total: 40 });
    const over = await call(
      app,
      'POST',
      r.url,
      { points: Array.from({ length: 20 }, (_, i) => epoch(100 + i, i)) },
      ADMIN,
    );
    expect(over.statusCode).toBe(413);
    expect(over.data).toEqual({
      message: `run "${r.runId}" history is full: it holds 40 of at most 50 points and the batch adds 20 new ones`,
    });
    expect((await store.readHistory(r.runId))[0]?.points).toHaveLength(40);
  });

  it('lets a run credential record its own run while it runs, and nothing else', async () => {
    const mine = await newRun('hist-cred');
    const other = await newRun('hist-other');
    const token = { authorization: `Bearer ${credentials.issue(mine.id, mine.runId)}` };
    expect((await call(app, 'POST', mine.url, { points: [epoch(1, 1)] }, token)).statusCode).toBe(200);
    const elsewhere = await call(app, 'POST', other.url, { points: [epoch(1, 1)] }, token);
    expect(elsewhere.statusCode).toBe(403);
    expect((await call(app, 'GET', mine.url, undefined, token)).statusCode).toBe(403);
    expect((await call(app, 'GET', '/api/v1/model/training', undefined, token)).statusCode).toBe(403);
    expect(
      (await call(app, 'DELETE', `/api/v1/model/training/${mine.id}`, undefined, token)).statusCode,
    ).toBe(403);
    const forged = {
      authorization: `Bearer ${createRunCredentials(randomBytes(32)).issue(mine.id, mine.runId)}`,
    };
    expect((await call(app, 'POST', mine.url, { points: [epoch(2, 1)] }, forged)).statusCode).toBe(401);
    // Viewers read history, and may not record it.
    expect((await call(app, 'GET', mine.url, undefined, VIEWER)).statusCode).toBe(200);
    expect((await call(app, 'POST', mine.url, { points: [epoch(3, 1)] }, VIEWER)).statusCode).toBe(403);
    expect((await call(app, 'GET', mine.url)).statusCode).toBe(401);
    await store.updateRun(mine.runId, { state: 'succeeded', finishedAt: new Date().toISOString() });
    const ended = await call(app, 'POST', mine.url, { points: [epoch(4, 1)] }, token);
    expect(ended.statusCode).toBe(403);
    expect(ended.data).toEqual({
      message: `run ${mine.runId} has ended (succeeded): its credential no longer records`,
    });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call(open, 'GET', '/swagger/json')).data as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/v1/model/training/{id}/runs/{runId}/history'] ?? {}).sort()).toEqual([
      'get',
      'post',
    ]);
    expect(doc.paths['/api/v1/model/training-history']).toHaveProperty('get');
  });
});
