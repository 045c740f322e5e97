import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { call, cliTraining, closeApp, openSeededApp } from './helpers.js';

let store: Store;
let app: FastifyInstance;
beforeAll(async () => {
  ({ store, app } = await openSeededApp({ bodyLimit: 64 * 1024 }));
});
afterAll(() => closeApp(app, store));

async function raw(payload: string, contentType: string, method: 'POST' | 'PUT' = 'POST') {
  const res = await app.inject({
    method,
    url: '/api/v1/model/training',
    headers: { 'content-type': contentType },
    payload,
  });
  return { status: res.statusCode, message: res.json<{ message?: string }>().message ?? '' };
}

describe('bad input gets a 4xx with a clear message', () => {
  it('malformed JSON and YAML, wrong content type, oversized body', async () => {
    expect(await raw('{"id": ', 'application/json')).toMatchObject({ status: 400 });
    const yaml = await raw('id: [unclosed', 'application/yaml');
    expect(yaml.status).toBe(400);
    expect(yaml.message).toMatch(/^invalid YAML body: /);
    expect((await raw('a: &a [*a, *a]\nb: *a', 'application/yaml')).status).toBe(400);
    // An unquoted Go template is a YAML mapping used as a key: refused, where yaml would print a process warning.
    const template = await raw(
      'id: t\nspec:\n  model:\n    artifactNameTemplate: {{ .Name }}\n',
      'text/yaml',
    );
    expect(template).toEqual({
      status: 400,
      message: 'invalid YAML body: a mapping key must be a plain value, not a mapping (at character 49)',
    });
    expect((await raw('id=x', 'text/plain')).status).toBe(400);
    expect((await raw('id=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    const big = await raw(
      JSON.stringify({ id: 'x', spec: { args: ['y'.repeat(70 * 1024)] } }),
      'application/json',
    );
    expect(big.status).toBe(413);
    expect((await raw('{"__proto__": {"x": 1}}', 'application/json')).status).toBe(400);
    expect((await raw('', 'application/json')).status).toBe(400);
  });

  it('wrong types name the field', async () => {
    const res = await call(app, 'POST', '/api/v1/model/training', { id: 'x', spec: { model: [] } });
    expect(res.statusCode).toBe(400);
    expect(res.data).toEqual({ message: 'invalid body: spec.model must be object,null' });
    expect((await call(app, 'POST', '/api/v1/model/training', [1, 2])).statusCode).toBe(400);
    expect((await call(app, 'POST', '/api/v1/model/training', 'just a string')).statusCode).toBe(415);
  });

  it('hostile strings and ids', async () => {
    const hostile = cliTraining("x'; DROP TABLE trainings; --");
    expect((await call(app, 'POST', '/api/v1/model/training', hostile)).data).toMatchObject({
      message: expect.stringContaining('ID is not valid') as unknown,
    });
    const nul = await call(app, 'POST', '/api/v1/model/training', {
      ...cliTraining('nul'),
      spec: { ...(cliTraining('nul').spec as object), hyperParameters: { 'a\u0000': 'b' } },
    });
    expect(nul.statusCode).toBe(400);
    expect(nul.data).toEqual({
      message: 'body.spec.hyperParameters.a\u0000 must be valid Unicode text without NUL characters',
    });
    expect((await call(app, 'GET', '/api/v1/model/training/%00')).statusCode).toBe(400);
    expect((await call(app, 'GET', '/api/v1/model/training?model_name=%00')).statusCode).toBe(400);
    expect((await call(app, 'GET', `/api/v1/model/training/${'a'.repeat(2000)}`)).statusCode).toBe(414);
    expect((await call(app, 'GET', '/api/v1/model/training/%E2%80%AE%F0%9F%92%A5')).statusCode).toBe(404);
    expect((await call(app, 'GET', '/api/v1/model/training?size=5&page=9007199254740991')).statusCode).toBe(
      400,
    );
    expect((await call(app, 'GET', '/api/v1/model/training?size=99999999999999999999')).statusCode).toBe(400);
    const surrogate = {
      ...cliTraining('s'),
      spec: { ...(cliTraining('s').spec as object), hyperParameters: { a: '\ud800' } },
    };
    expect((await call(app, 'POST', '/api/v1/model/training', surrogate)).data).toEqual({
      message: 'body.spec.hyperParameters.a must be valid Unicode text without NUL characters',
    });
    const emoji = {
      ...cliTraining('emoji'),
      spec: { ...(cliTraining('emoji').spec as object), hyperParameters: { '💥': 'ü' } },
    };
    expect((await call(app, 'POST', '/api/v1/model/training', emoji)).statusCode).toBe(201);
  });
});

describe('/metrics', () => {
  it('counts requests by route template and status, and trainings by state', async () => {
    await call(app, 'GET', '/api/v1/model/training/emoji');
    await call(app, 'GET', '/api/v1/model/training/missing');
    const text = (await call(app, 'GET', '/metrics')).body;
    expect(text).toMatch(
      /gangplank_api_requests_total\{method="GET",route="\/api\/v1\/model\/training\/:id",status="200"\} [1-9]/,
    );
    expect(text).toMatch(
      /gangplank_api_requests_total\{method="GET",route="\/api\/v1\/model\/training\/:id",status="404"\} [1-9]/,
    );
    expect(text).toContain('gangplank_api_request_duration_seconds_bucket');
    expect(text).toMatch(/gangplank_api_trainings\{state="scheduling"\} 1/);
    expect(text).toMatch(/gangplank_api_trainings\{state="succeeded"\} 0/);
  });
});
