/**
 * Property: whatever a client sends — methods, paths, ids, query strings, bodies, content types — the server
 * answers below 500 with a JSON `{"message"}` on errors, and never crashes or hangs.
 */
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { buildApp, cliTraining, closeApp, openSeededApp } from '../server/helpers.js';

let store: Store;
let app: FastifyInstance;
beforeAll(async () => {
  ({ store, app } = await openSeededApp({ bodyLimit: 32 * 1024 }));
  await app.inject({ method: 'POST', url: '/api/v1/model/training', payload: cliTraining('wine') });
});
afterAll(() => closeApp(app, store));

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '*',
    'wine',
    'mlflow',
    'repo',
    "'; DROP TABLE trainings; --",
    '../../etc/passwd',
    '\u0000',
    '%00',
    '\ud800x',
    'a\udfff',
    '\uFEFF',
    '\u202E',
    'raw:%ED%A0%80',
    'raw:%',
    'raw:%zz',
    'raw:%C0%AF',
    '{{ .Name }}',
    'a'.repeat(300),
    '-1',
    '1e309',
    'True',
    'null',
  ),
);

const scalar = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

/** Valid bodies with fields replaced by random values, plus random JSON. */
const body = fc.oneof(
  fc
    .record({
      path: fc.array(
        fc.constantFrom(
          'spec',
          'model',
          'name',
          'data',
          '0',
          'resources',
          'limits',
          'cpu',
          'algorithmSource',
          'vcs',
          'connection',
          'id',
          'hyperParameters',
          'envs',
          'type',
          'uri',
          'password',
        ),
        { maxLength: 4 },
      ),
      value: fc.oneof(scalar, fc.jsonValue({ maxDepth: 3 })),
    })
    .map(({ path, value }) => {
      const doc = cliTraining('fuzz');
      let node: Record<string, unknown> = doc;
      for (const [i, key] of path.entries()) {
        if (i === path.length - 1) node[key] = value;
        else {
          const next = node[key];
          node[key] = typeof next === 'object' && next !== null ? next : {};
          node = node[key] as Record<string, unknown>;
        }
      }
      return doc;
    }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom('id', 'spec', 'kind', 'status'), fc.jsonValue({ maxDepth: 3 })),
);

const routes = [
  '/api/v1/model/training',
  '/api/v1/model/training/{id}',
  '/api/v1/model/training/{id}/log',
  '/api/v1/model/training/{id}/result',
  '/api/v1/model/training/{id}/runs',
  '/api/v1/model/training/{id}/runs/{id}',
  '/api/v1/model/training/{id}/cancel',
  '/api/v1/toolchain/integration',
  '/api/v1/toolchain/integration/{id}',
  '/api/v1/connection',
  '/api/v1/connection/{id}',
  '/api/v1/connection/{id}/decrypted',
  '/health',
  '/metrics',
  '/{id}',
];

const request = fc.record({
  method: fc.constantFrom<InjectOptions['method']>(
    'GET',
    'POST',
    'PUT',
    'DELETE',
    'PATCH',
    'HEAD',
    'OPTIONS',
  ),
  route: fc.constantFrom(...routes),
  id: hostileString,
  query: fc.array(
    fc.tuple(
      fc.constantFrom(
        'size',
        'page',
        'toolchain',
        'model_name',
        'model_version',
        'state',
        'sort',
        'type',
        'follow',
        'run',
        'x',
      ),
      hostileString,
    ),
    { maxLength: 4 },
  ),
  body: fc.option(body, { nil: undefined }),
  format: fc.constantFrom('json', 'yaml', 'raw'),
  raw: hostileString,
});

/** Percent-encodes every UTF-8 byte (lone surrogates become U+FFFD, as on a real wire); `raw:` passes through. */
function encode(text: string): string {
  if (text.startsWith('raw:')) return text.slice(4);
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

describe('API fuzz', () => {
  it('never answers 5xx and always explains errors', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const url =
          r.route.replaceAll('{id}', encode(r.id)) +
          (r.query.length ? `?${r.query.map(([k, v]) => `${k}=${encode(v)}`).join('&')}` : '');
        const options: InjectOptions = { method: r.method, url };
        if (r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD') {
          if (r.format === 'json') options.payload = JSON.stringify(r.body);
          else if (r.format === 'yaml') options.payload = `id: ${r.raw}\nspec: ${JSON.stringify(r.body)}`;
          else options.payload = r.raw;
          options.headers = { 'content-type': r.format === 'yaml' ? 'application/yaml' : 'application/json' };
        }
        // Followed logs of a scheduling run would wait for the run to end.
        if (url.includes('/log')) options.url = url.replace(/follow=[^&]*/g, 'follow=false');
        const res = await app.inject(options);
        expect(res.statusCode, `${r.method} ${url} → ${res.body}`).toBeLessThan(500);
        if (res.statusCode >= 400 && r.method !== 'HEAD') {
          expect(typeof res.json<{ message: unknown }>().message).toBe('string');
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('API fuzz with authentication on', () => {
  it('answers 401/403 or success, never 5xx, whatever the Authorization header', async () => {
    const secured = await buildApp(store, {
      auth: {
        tokens: [{ token: 'viewer-token-123', role: 'viewer' }],
        oidc: { issuer: 'http://127.0.0.1:9/none' },
      },
    });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<InjectOptions['method']>('GET', 'POST', 'PUT', 'DELETE'),
          fc.constantFrom(...routes),
          fc.oneof(
            hostileString,
            hostileString.map((t) => `Bearer ${t}`),
            fc.constant('Bearer viewer-token-123'),
            fc
              .tuple(fc.base64String(), fc.base64String(), fc.base64String())
              .map((p) => `Bearer ${p.join('.')}`),
          ),
          async (method, route, authorization) => {
            const headers: Record<string, string> = {};
            // Header values cannot hold control characters or non-Latin-1 text on a real wire.
            if (/^[\x20-\x7e]*$/.test(authorization)) headers.authorization = authorization;
            const res = await secured.inject({ method, url: route.replaceAll('{id}', 'wine'), headers });
            expect(res.statusCode, `${method} ${route} ${authorization} → ${res.body}`).toBeLessThan(500);
          },
        ),
        { numRuns: 500 },
      );
    } finally {
      await secured.close();
    }
  });
});
