import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { ADMIN, b64, buildApp, call, closeApp, openStore, STATIC_TOKENS, VIEWER } from './helpers.js';

let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  store = await openStore();
  app = await buildApp(store, { auth: { tokens: STATIC_TOKENS } });
});
afterAll(() => closeApp(app, store));

describe('a password in a connection uri, through the API', () => {
  it('is moved to the sealed keySecret, never stored in the uri, and masked for every role', async () => {
    const created = await call(
      app,
      'POST',
      '/api/v1/connection',
      { id: 'inline', spec: { type: 'git', uri: 'https://alice:hunter2@git.example.com/r.git' } },
      ADMIN,
    );
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain('hunter2');
    expect((await store.getConnection('inline'))?.spec.uri).toBe('https://git.example.com/r.git');
    for (const headers of [ADMIN, VIEWER]) {
      for (const url of ['/api/v1/connection/inline', '/api/v1/connection']) {
        const read = await call(app, 'GET', url, undefined, headers);
        expect(read.statusCode).toBe(200);
        expect(read.body).not.toContain('hunter2');
        expect(read.body).not.toContain(b64('hunter2'));
      }
    }
    const decrypted = await call(app, 'GET', '/api/v1/connection/inline/decrypted', undefined, ADMIN);
    expect(decrypted.data).toMatchObject({
      spec: { uri: 'https://git.example.com/r.git', username: 'alice', keySecret: b64('hunter2') },
    });
    expect(
      (await call(app, 'GET', '/api/v1/connection/inline/decrypted', undefined, VIEWER)).statusCode,
    ).toBe(403);
  });

  it('is refused with the field it belongs in where the type keeps it elsewhere', async () => {
    const refused = await call(
      app,
      'POST',
      '/api/v1/connection',
      {
        id: 'bucket',
        spec: {
          type: 's3',
          uri: 's3://AKIA:topsecret@bucket/x',
          region: 'eu',
          keyID: b64('a'),
          keySecret: b64('b'),
        },
      },
      ADMIN,
    );
    expect(refused.statusCode).toBe(400);
    expect((refused.data as { message: string }).message).toContain('keyID (access key id) and keySecret');
    expect(await store.getConnection('bucket')).toBeUndefined();
  });
});
