import { createServer as createHttpsServer } from 'node:https';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PushError, PushgatewayClient, basicAuthHandler, type ClientRuntime } from '../../src/index.js';
import { freePort } from '@gangplank/stack';
import { startFakeGateway, type FakeGateway } from './fake-gateway.js';
import { TEST_CERT, TEST_KEY } from './tls-fixture.js';

let gw: FakeGateway;
beforeAll(async () => {
  gw = await startFakeGateway();
});
afterAll(async () => {
  await gw.close();
});
beforeEach(() => {
  gw.requests = [];
  gw.respond = (req) => ({ status: req.method === 'DELETE' ? 202 : 200 });
});

/** A runtime whose sleeps return at once and are recorded. */
function fakeRuntime(): Partial<ClientRuntime> & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, sleep: (ms) => (sleeps.push(ms), Promise.resolve()), random: () => 0.5 };
}

describe('PushgatewayClient', () => {
  it('PUTs, POSTs and DELETEs the group with the text format', async () => {
    const client = new PushgatewayClient(gw.url.replace('http://', ''));
    const target = { job: 'j', grouping: { run_id: 'r/1', phase: 'train' } };
    await client.push(target, 'a 1\n');
    await client.pushAdd(target, () => 'b 2\n');
    const del = await client.delete(target);
    client.close();
    expect(del.status).toBe(202);
    expect(gw.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PUT', '/metrics/job/j/run_id@base64/ci8x/phase/train', 'a 1\n'],
      ['POST', '/metrics/job/j/run_id@base64/ci8x/phase/train', 'b 2\n'],
      ['DELETE', '/metrics/job/j/run_id@base64/ci8x/phase/train', ''],
    ]);
    expect(gw.requests[0]!.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(gw.requests[2]!.headers['content-type']).toBeUndefined();
  });

  it('pushes a prom-client registry (never the global one)', async () => {
    const registry = new Registry();
    new Gauge({ name: 'train_loss', help: 'loss', registers: [registry] }).set(0.25);
    await new PushgatewayClient(gw.url).push({ job: 'reg' }, registry);
    expect(gw.requests[0]!.body).toBe('# HELP train_loss loss\n# TYPE train_loss gauge\ntrain_loss 0.25\n');
  });

  it('keeps a path prefix', async () => {
    await new PushgatewayClient(`${gw.url}/proxy/pgw/`).push({ job: 'j' }, '');
    expect(gw.requests[0]!.url).toBe('/proxy/pgw/metrics/job/j');
  });

  it('treats a 3xx answer as an error that names the redirect, without retrying', async () => {
    gw.respond = () => ({
      status: 301,
      body: '<a href="/x">Moved Permanently</a>',
      headers: { Location: '/x' },
    });
    const rt = fakeRuntime();
    const err = await new PushgatewayClient(gw.url, { runtime: rt })
      .push({ job: 'j' }, 'a 1\n')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushError);
    expect((err as PushError).status).toBe(301);
    expect((err as PushError).message).toMatch(/answered 301.*redirect/);
    expect(gw.requests).toHaveLength(1);
  });

  it("carries the gateway's message on 4xx and does not retry", async () => {
    gw.respond = () => ({
      status: 400,
      body: 'pushed metrics are invalid or inconsistent with existing metrics: collected metric x',
    });
    const rt = fakeRuntime();
    const err = (await new PushgatewayClient(gw.url, { runtime: rt })
      .push({ job: 'j' }, 'x 1\n')
      .catch((e: unknown) => e)) as PushError;
    expect(err.kind).toBe('http');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(
      'answered 400: pushed metrics are invalid or inconsistent with existing metrics',
    );
    expect(rt.sleeps).toEqual([]);
    expect(gw.requests).toHaveLength(1);
  });

  it('retries 5xx with exponential backoff and jitter, then succeeds', async () => {
    gw.respond = (_req, i) => (i < 2 ? { status: 503, body: 'busy' } : { status: 200 });
    const rt = fakeRuntime();
    const res = await new PushgatewayClient(gw.url, { runtime: rt }).push({ job: 'j' }, 'a 1\n');
    expect(res.attempts).toBe(3);
    // random() = 0.5: 3/4 of 200 ms, then of 400 ms.
    expect(rt.sleeps).toEqual([150, 300]);
  });

  it('gives up after the configured retries with every attempt counted', async () => {
    gw.respond = () => ({ status: 500, body: 'boom' });
    const rt = fakeRuntime();
    const err = (await new PushgatewayClient(gw.url, { runtime: rt, retry: { retries: 2 } })
      .push({ job: 'j' }, '')
      .catch((e: unknown) => e)) as PushError;
    expect(err.attempts).toBe(3);
    expect(err.message).toMatch(/answered 500: boom.*after 3 attempts/);
    expect(gw.requests).toHaveLength(3);
  });

  it('retries network errors (refused port)', async () => {
    const port = await freePort();
    const rt = fakeRuntime();
    const err = (await new PushgatewayClient(`127.0.0.1:${port}`, { runtime: rt, retry: { retries: 1 } })
      .push({ job: 'j' }, '')
      .catch((e: unknown) => e)) as PushError;
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(rt.sleeps).toHaveLength(1);
  });

  it('enforces the timeout as a total deadline against a gateway that never answers', async () => {
    gw.respond = () => 'hang';
    const rt = fakeRuntime();
    const err = (await new PushgatewayClient(gw.url, { timeoutMs: 150, runtime: rt, retry: { retries: 1 } })
      .push({ job: 'j' }, '')
      .catch((e: unknown) => e)) as PushError;
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/timed out after 150 ms.*after 2 attempts/);
  });

  it('stops at once when the caller aborts', async () => {
    gw.respond = () => 'hang';
    const controller = new AbortController();
    const pending = new PushgatewayClient(gw.url, { timeoutMs: 60_000 }).push({ job: 'j' }, '', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop')), 20);
    const err = (await pending.catch((e: unknown) => e)) as PushError;
    expect(err.kind).toBe('aborted');
  });

  it('sends basic auth (option or address), extra headers and reuses one connection', async () => {
    const a = new PushgatewayClient(gw.url.replace('http://', 'http://alice:s3cret@'), {
      headers: { 'X-Tenant': 't1' },
    });
    await a.push({ job: 'j' }, '');
    await a.push({ job: 'j' }, '');
    a.close();
    expect(gw.requests[0]!.headers['authorization']).toBe(
      `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
    );
    expect(gw.requests[0]!.headers['x-tenant']).toBe('t1');
    expect(gw.requests[1]!.headers['connection']).toBe('keep-alive');
    await new PushgatewayClient(gw.url, { basicAuth: { username: 'bob', password: 'pw' } }).push(
      { job: 'j' },
      '',
    );
    expect(gw.requests[2]!.headers['authorization']).toBe(
      `Basic ${Buffer.from('bob:pw').toString('base64')}`,
    );
  });

  it('lets a handler rewrite the request (the seed auth handler) or perform it itself', async () => {
    await new PushgatewayClient(gw.url, { handler: basicAuthHandler('u', 'p') }).push({ job: 'j' }, '');
    expect(gw.requests[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);

    const seen: string[] = [];
    const res = await new PushgatewayClient(gw.url, {
      handler: (req) => {
        seen.push(`${req.method} ${req.url.pathname} ${req.body ?? ''}`);
        return Promise.resolve({ status: 200, body: 'handled' });
      },
    }).push({ job: 'own' }, 'z 1\n');
    expect(res.body).toBe('handled');
    expect(seen).toEqual(['PUT /metrics/job/own z 1\n']);
    expect(gw.requests).toHaveLength(1);
  });

  it('bounds a handler that ignores the deadline', async () => {
    const client = new PushgatewayClient(gw.url, {
      timeoutMs: 50,
      retry: { retries: 0 },
      handler: () => new Promise(() => undefined),
    });
    await expect(client.push({ job: 'j' }, '')).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('rejects a bad address at construction with an actionable message', () => {
    expect(() => new PushgatewayClient('ftp://x')).toThrow(/http or https/);
  });
});

describe('PushgatewayClient over https', () => {
  const cert = TEST_CERT;
  const key = TEST_KEY;

  it('verifies the server with the given CA and fails without it', async () => {
    const paths: string[] = [];
    const server = createHttpsServer({ cert, key }, (req, res) => {
      paths.push(`${req.method} ${req.url}`);
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      await new PushgatewayClient(`https://127.0.0.1:${port}`, { tls: { ca: cert } }).push(
        { job: 'tls' },
        'a 1\n',
      );
      expect(paths).toEqual(['PUT /metrics/job/tls']);
      const err = (await new PushgatewayClient(`https://127.0.0.1:${port}`, { retry: { retries: 0 } })
        .push({ job: 'tls' }, '')
        .catch((e: unknown) => e)) as PushError;
      expect(err.kind).toBe('network');
      expect(err.message).toMatch(/self[- ]signed/i);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
