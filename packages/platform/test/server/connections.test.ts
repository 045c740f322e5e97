import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { b64, buildApp, call, openStore } from './helpers.js';

let store: Store;
let app: FastifyInstance;
beforeAll(async () => {
  store = await openStore();
  app = await buildApp(store);
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('Connection routes', () => {
  it('takes base64 secrets, masks them, decrypts on the decrypted route, keeps them on a ***** PUT', async () => {
    const created = await call(app, 'POST', '/api/v1/connection', {
      kind: 'Connection',
      id: 'docker-hub',
      spec: { type: 'docker', uri: 'docker.io/me', username: 'me', password: b64('s3cret'), vital: 'True' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.data).toMatchObject({ spec: { password: '*****', username: 'me', vital: true } });
    const got = (await call(app, 'GET', '/api/v1/connection/docker-hub')).data as {
      spec: Record<string, unknown>;
    };
    expect(got.spec.password).toBe('*****');
    expect((await call(app, 'GET', '/api/v1/connection/docker-hub/decrypted')).data).toMatchObject({
      spec: { password: b64('s3cret') },
    });
    // GET → PUT round trip: Odahu refused the mask; Gangplank keeps the stored secret.
    const put = await call(app, 'PUT', '/api/v1/connection', {
      id: 'docker-hub',
      spec: { ...got.spec, username: 'me2' },
    });
    expect(put.statusCode).toBe(200);
    expect((await call(app, 'GET', '/api/v1/connection/docker-hub/decrypted')).data).toMatchObject({
      spec: { password: b64('s3cret'), username: 'me2' },
    });
    const vital = await call(app, 'DELETE', '/api/v1/connection/docker-hub');
    expect(vital.statusCode).toBe(400);
    expect(vital.data).toEqual({ message: 'docker-hub connection is vital, it cannot be deleted' });
  });

  it('validates per type, filters by type with *, pages, and deletes', async () => {
    const bad = await call(app, 'POST', '/api/v1/connection', {
      id: 's3',
      spec: { type: 's3', uri: 's3://b', keySecret: 'no!' },
    });
    expect(bad.statusCode).toBe(400);
    expect((bad.data as { message: string }).message).toMatch(
      /^Validation of connection is failed: keySecret must be base64-encoded/,
    );
    for (const [id, spec] of [
      ['git-a', { type: 'git', uri: 'git@github.com:o/r.git', keySecret: b64('KEY') }],
      ['local-a', { type: 'local', uri: '/srv/data' }],
      ['s3-a', { type: 's3', uri: 's3://b/p', region: 'eu', keyID: b64('id'), keySecret: b64('k') }],
    ] as const) {
      expect((await call(app, 'POST', '/api/v1/connection', { id, spec })).statusCode).toBe(201);
    }
    const dup = await call(app, 'POST', '/api/v1/connection', {
      id: 'git-a',
      spec: { type: 'git', uri: 'https://x/y' },
    });
    expect(dup.data).toEqual({ message: 'entity "git-a" already exists' });
    const byType = await call(app, 'GET', '/api/v1/connection?type=git&type=local');
    expect((byType.data as { id: string }[]).map((c) => c.id)).toEqual(['git-a', 'local-a']);
    expect(((await call(app, 'GET', '/api/v1/connection?type=*')).data as unknown[]).length).toBe(4);
    expect((await call(app, 'GET', '/api/v1/connection?size=1&page=1')).headers['x-total-count']).toBe('4');
    expect((await call(app, 'GET', '/api/v1/connection?id=x')).data).toEqual({
      message: 'cannot find id url parameter',
    });
    expect((await call(app, 'DELETE', '/api/v1/connection/local-a')).data).toEqual({
      message: 'Connection local-a was deleted',
    });
    expect((await call(app, 'GET', '/api/v1/connection/local-a/decrypted')).statusCode).toBe(404);
    expect(
      (await call(app, 'PUT', '/api/v1/connection', { id: 'nope', spec: { type: 'local', uri: '/x' } }))
        .statusCode,
    ).toBe(404);
  });
});

describe('ToolchainIntegration routes', () => {
  it('does CRUD with Odahu texts', async () => {
    const bad = await call(app, 'POST', '/api/v1/toolchain/integration', { id: 'mlflow', spec: {} });
    expect(bad.data).toEqual({
      message: 'Validation of toolchain integration is failed: empty entrypoint; empty defaultImage',
    });
    const tc = {
      id: 'mlflow',
      spec: { entrypoint: '/run', defaultImage: 'img:1', additionalEnvironments: { A: '1' } },
    };
    // Odahu's Go server refuses a number where a string is declared; so does Gangplank (no coercion).
    const numeric = await call(app, 'POST', '/api/v1/toolchain/integration', {
      ...tc,
      spec: { ...tc.spec, additionalEnvironments: { A: 1 } },
    });
    expect(numeric.statusCode).toBe(400);
    expect(numeric.data).toEqual({ message: 'invalid body: spec.additionalEnvironments.A must be string' });
    expect((await call(app, 'POST', '/api/v1/toolchain/integration', tc)).statusCode).toBe(201);
    expect((await call(app, 'POST', '/api/v1/toolchain/integration', tc)).statusCode).toBe(409);
    const put = await call(app, 'PUT', '/api/v1/toolchain/integration', {
      ...tc,
      spec: { ...tc.spec, defaultImage: 'img:2' },
    });
    expect(put.data).toMatchObject({
      spec: { defaultImage: 'img:2', additionalEnvironments: { A: '1' } },
      status: {},
    });
    expect((await call(app, 'GET', '/api/v1/toolchain/integration?model_name=x')).data).toEqual({
      message: 'cannot find model_name url parameter',
    });
    expect(((await call(app, 'GET', '/api/v1/toolchain/integration')).data as unknown[]).length).toBe(1);
    expect((await call(app, 'DELETE', '/api/v1/toolchain/integration/mlflow')).data).toEqual({
      message: 'ToolchainIntegration mlflow was deleted',
    });
    expect((await call(app, 'GET', '/api/v1/toolchain/integration/mlflow')).data).toEqual({
      message: 'entity "mlflow" is not found',
    });
  });

  it('answers 400 This API is disabled for writes when switched off', async () => {
    const off = await buildApp(store, { disabled: { training: true } });
    expect((await call(off, 'POST', '/api/v1/toolchain/integration', {})).data).toEqual({
      message: 'This API is disabled',
    });
    expect((await call(off, 'GET', '/api/v1/toolchain/integration')).statusCode).toBe(200);
    await off.close();
  });
});
