import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { call, cliTraining, closeApp, openSeededApp } from './helpers.js';

let store: Store;
let app: FastifyInstance;
beforeAll(async () => {
  ({ store, app } = await openSeededApp());
});
afterAll(() => closeApp(app, store));

describe('ModelTraining routes', () => {
  it('creates what odahuflowctl sends: 201, defaults persisted, scheduling', async () => {
    const res = await call(app, 'POST', '/api/v1/model/training', cliTraining('wine'));
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({
      id: 'wine',
      spec: {
        image: 'toolchain:1',
        model: {
          artifactNameTemplate: '{{ .Name }}-{{ .Version }}-{{ .RandomUUID }}.zip',
          name: 'wine',
          version: '1.0',
        },
        algorithmSource: { vcs: { connection: 'repo', reference: 'origin/master' } },
        hyperParameters: { alpha: '1.0' },
      },
      status: { state: 'scheduling' },
    });
    const body = res.data as { createdAt: string; updatedAt: string };
    expect(body.createdAt).toBe(body.updatedAt);
    const again = await call(app, 'POST', '/api/v1/model/training', cliTraining('wine'));
    expect(again.statusCode).toBe(409);
    expect(again.data).toEqual({ message: 'entity "wine" already exists' });
  });

  it('accepts YAML bodies, numbers and pre-1.5 fields', async () => {
    const yaml = [
      'kind: ModelTraining',
      'id: wine-yaml',
      'spec:',
      '  model: {name: wine, version: 1.0}',
      '  toolchain: mlflow',
      '  entrypoint: main',
      '  vcsName: repo',
      '  reference: develop',
      '  data: [{connName: wine, localPath: data/}]',
      '  resources: {limits: {cpu: 1, memory: 1Gi}}',
    ].join('\n');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/model/training',
      headers: { 'content-type': 'application/yaml' },
      payload: yaml,
    });
    expect(res.json<unknown>()).toMatchObject({
      spec: {
        // YAML numbers keep their source text, as odahuflowctl sends them: 1.0 stays "1.0".
        model: { version: '1.0' },
        algorithmSource: { vcs: { connection: 'repo', reference: 'develop' } },
        data: [{ connection: 'wine', localPath: 'data/' }],
        resources: { limits: { cpu: '1', memory: '1Gi' } },
      },
    });
  });

  it('gets, lists with filters, paging, *, total, and refuses unknown parameters', async () => {
    expect((await call(app, 'GET', '/api/v1/model/training/wine')).statusCode).toBe(200);
    const missing = await call(app, 'GET', '/api/v1/model/training/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.data).toEqual({ message: 'entity "nope" is not found' });
    const list = await call(app, 'GET', '/api/v1/model/training?model_name=wine&model_version=*');
    expect((list.data as { id: string }[]).map((t) => t.id)).toEqual(['wine', 'wine-yaml']);
    expect(list.headers['x-total-count']).toBe('2');
    const page = await call(app, 'GET', '/api/v1/model/training?size=1&page=1');
    expect((page.data as { id: string }[]).map((t) => t.id)).toEqual(['wine-yaml']);
    expect((await call(app, 'GET', '/api/v1/model/training?size=1&page=2')).data).toEqual([]);
    const versions = await call(app, 'GET', '/api/v1/model/training?model_version=1.0&model_version=9');
    expect((versions.data as { id: string }[]).map((t) => t.id)).toEqual(['wine', 'wine-yaml']);
    expect((await call(app, 'GET', '/api/v1/model/training?toolchain=other')).data).toEqual([]);
    const sorted = await call(app, 'GET', '/api/v1/model/training?sort=-id&state=scheduling');
    expect((sorted.data as { id: string }[]).map((t) => t.id)).toEqual(['wine-yaml', 'wine']);
    expect((await call(app, 'GET', '/api/v1/model/training?name=x')).data).toEqual({
      message: 'cannot find name url parameter',
    });
    expect((await call(app, 'GET', '/api/v1/model/training?size=a')).data).toEqual({
      message: 'strconv.Atoi: parsing "a": invalid syntax',
    });
    expect((await call(app, 'GET', '/api/v1/model/training?size=1&size=2')).data).toEqual({
      message: 'the size URL parameter must be only one',
    });
    expect((await call(app, 'GET', '/api/v1/model/training?state=done')).statusCode).toBe(400);
  });

  it('reports every validation problem in one 400', async () => {
    const res = await call(app, 'POST', '/api/v1/model/training', { id: 'x', spec: {} });
    expect(res.statusCode).toBe(400);
    expect(res.data).toEqual({
      message:
        'Validation of model training is failed: empty model.name; empty model.version; both VCS and ObjectStorage names are empty; empty toolchain parameter',
    });
    // Odahu validates before looking the id up: an invalid PUT of a missing id is a 400.
    expect((await call(app, 'PUT', '/api/v1/model/training', { id: 'ghost', spec: {} })).statusCode).toBe(
      400,
    );
    const ghost = await call(app, 'PUT', '/api/v1/model/training', cliTraining('ghost'));
    expect(ghost.statusCode).toBe(404);
    expect(ghost.data).toEqual({ message: 'entity "ghost" is not found' });
  });

  it('reruns on PUT with an unchanged spec and keeps earlier runs readable', async () => {
    const before = (await call(app, 'GET', '/api/v1/model/training/wine')).data as {
      status: { runId: string };
    };
    const put = await call(app, 'PUT', '/api/v1/model/training', cliTraining('wine'));
    expect(put.statusCode).toBe(200);
    const after = put.data as {
      createdAt: string;
      updatedAt: string;
      status: { runId: string; state: string };
    };
    expect(after.status.state).toBe('scheduling');
    expect(after.status.runId).not.toBe(before.status.runId);
    const runs = (await call(app, 'GET', '/api/v1/model/training/wine/runs')).data as {
      id: string;
      seq: number;
      state: string;
    }[];
    expect(runs.map((r) => r.seq)).toEqual([1, 2]);
    expect(runs[0]?.state).toBe('failed');
    const one = await call(app, 'GET', `/api/v1/model/training/wine/runs/${runs[0]?.id ?? ''}`);
    expect(one.data).toMatchObject({ seq: 1, reason: 'Cancelled' });
    expect((await call(app, 'GET', '/api/v1/model/training/wine/runs/other-1-x')).statusCode).toBe(404);
    expect((await call(app, 'GET', '/api/v1/model/training/nope/runs')).statusCode).toBe(404);
  });

  it('streams logs as plain text, follows until the run ends, parses Go booleans', async () => {
    const training = (await call(app, 'GET', '/api/v1/model/training/wine')).data as {
      status: { runId: string };
    };
    const runId = training.status.runId;
    await store.appendLogs(runId, [{ stream: 'stdout', text: 'epoch 1\n' }]);
    const plain = await call(app, 'GET', '/api/v1/model/training/wine/log?follow=False');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toContain('text/plain');
    expect(plain.body).toBe('epoch 1\n');
    const bad = await call(app, 'GET', '/api/v1/model/training/wine/log?follow=yes');
    expect(bad.statusCode).toBe(400);
    expect(bad.data).toEqual({ message: 'Convert yes to bool' });
    expect((await call(app, 'GET', '/api/v1/model/training/nope/log')).data).toEqual({
      message: 'entity "nope" is not found',
    });
    const followed = call(app, 'GET', '/api/v1/model/training/wine/log?follow=T');
    setTimeout(() => {
      void (async () => {
        await store.appendLogs(runId, [{ stream: 'stdout', text: 'epoch 2\n' }]);
        await store.updateRun(runId, { state: 'succeeded', exitCode: 0 });
        await store.appendLogs(runId, [{ stream: 'system', text: 'done\n' }]);
      })();
    }, 100);
    expect((await followed).body).toBe('epoch 1\nepoch 2\ndone\n');
    const status = (await call(app, 'GET', '/api/v1/model/training/wine')).data;
    expect(status).toMatchObject({ status: { state: 'succeeded', exitCode: 0 } });
  });

  it('merges results like Odahu and cancels runs', async () => {
    const res = await call(app, 'PUT', '/api/v1/model/training/wine/result', {
      artifactName: 'wine-1.zip',
      runId: 'r1',
    });
    expect(res.statusCode).toBe(200);
    await call(app, 'PUT', '/api/v1/model/training/wine/result', { commitID: 'abc', artifactName: '' });
    const training = (await call(app, 'GET', '/api/v1/model/training/wine')).data;
    expect(training).toMatchObject({
      status: { artifacts: [{ artifactName: 'wine-1.zip', runId: 'r1', commitID: 'abc' }] },
    });
    expect((await call(app, 'PUT', '/api/v1/model/training/nope/result', {})).statusCode).toBe(404);

    await call(app, 'PUT', '/api/v1/model/training', cliTraining('wine'));
    const cancelled = await call(app, 'POST', '/api/v1/model/training/wine/cancel', { reason: 'enough' });
    expect(cancelled.data).toMatchObject({
      status: { state: 'failed', reason: 'Cancelled', message: 'enough' },
    });
  });

  it('deletes with Odahu message and 404 afterwards', async () => {
    const res = await call(app, 'DELETE', '/api/v1/model/training/wine-yaml');
    expect(res.data).toEqual({ message: 'Model training wine-yaml was deleted' });
    expect((await call(app, 'DELETE', '/api/v1/model/training/wine-yaml')).statusCode).toBe(404);
  });

  it('serves health, the OpenAPI document with the runs route, and Swagger UI', async () => {
    expect((await call(app, 'GET', '/health')).data).toEqual({});
    const doc = (await call(app, 'GET', '/swagger/json')).data as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/model/training/{id}/runs', '/api/v1/connection/{id}/decrypted']),
    );
    const ui = await call(app, 'GET', '/swagger/index.html');
    expect(ui.statusCode).toBe(302);
    expect((await call(app, 'GET', '/swagger')).statusCode).toBe(200);
  });
});
