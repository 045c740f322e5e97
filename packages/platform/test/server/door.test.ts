/** Requests refused (or no longer refused) at the door: issue 15 item 6, through the in-process app. */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { buildApp, call, cliTraining, closeApp, openSeededApp } from './helpers.js';

let store: Store;
let app: FastifyInstance;
beforeAll(async () => {
  ({ store, app } = await openSeededApp());
  expect((await call(app, 'POST', '/api/v1/model/training', cliTraining('wine'))).statusCode).toBe(201);
});
afterAll(() => closeApp(app, store));

describe('PUT …/result', () => {
  it('refuses an artifact name that leaves the artifacts folder, and stores nothing', async () => {
    const before = (await call(app, 'GET', '/api/v1/model/training/wine')).data;
    for (const artifactName of ['../../../etc/passwd', '/etc/passwd', 'a/../../b']) {
      const response = await call(app, 'PUT', '/api/v1/model/training/wine/result', { artifactName });
      expect(response.statusCode).toBe(400);
      expect((response.data as { message: string }).message).toContain('artifactName');
    }
    expect((await call(app, 'GET', '/api/v1/model/training/wine')).data).toEqual(before);
    const ok = await call(app, 'PUT', '/api/v1/model/training/wine/result', { artifactName: 'wine-1.zip' });
    expect(ok.statusCode).toBe(200);
  });
});

describe('bodies and headers', () => {
  it('an empty body with a JSON content type is no body where a route takes none', async () => {
    const withJsonType = (method: 'POST' | 'DELETE', url: string, payload = '') =>
      app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload });
    const cancel = await withJsonType('POST', '/api/v1/model/training/wine/cancel');
    expect(cancel.statusCode).toBe(200);
    const create = await withJsonType('POST', '/api/v1/model/training');
    expect(create.statusCode).toBe(400);
    expect(create.json<{ message: string }>().message).toContain('body');
    const deleted = await withJsonType('DELETE', '/api/v1/model/training/wine');
    expect(deleted.statusCode).toBe(200);
    expect(await store.getTraining('wine')).toBeUndefined();
    const poisoned = await withJsonType('POST', '/api/v1/model/training', '{"__proto__": {"x": 1}}');
    expect(poisoned.statusCode).toBe(400);
  });

  it('a raw request without a Host header gets a 400 with a JSON message', async () => {
    const listening = await buildApp(store);
    await listening.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = listening.server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          text += chunk;
          // One whole answer: headers, then the body its content-length announces.
          const [head = '', body = ''] = text.split('\r\n\r\n');
          const length = /content-length: (\d+)/i.exec(head)?.[1];
          if (length !== undefined && Buffer.byteLength(body) >= Number(length)) socket.end();
        });
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        socket.write('GET /api/v1/model/training HTTP/1.1\r\n\r\n');
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      const body = JSON.parse(answer.split('\r\n\r\n')[1] ?? '') as { message: string };
      expect(body.message).toContain('Host header');
    } finally {
      await listening.close();
    }
  });
});
