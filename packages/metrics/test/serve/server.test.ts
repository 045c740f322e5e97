import { spawn } from 'node:child_process';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '@gangplank/stack';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricsServerError, PrometheusModel, startMetricsServer } from '../../src/index.js';

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('standalone metrics server', () => {
  it('binds loopback, answers /metrics only, and closes when asked', async () => {
    const model = new PrometheusModel({ predict: (x: number[]) => x }, { name: 'standalone', port: 0 });
    const server = (await model.prometheus.ready)!;
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    model.predict([1, 2, 3]);
    const page = await httpGet(server.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('gangplank_predict_total{model="standalone",version=""} 3\n');
    expect((await httpGet(`${server.url}?x=1`)).status).toBe(200);
    const elsewhere = await httpGet(`http://127.0.0.1:${server.port}/`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toBe('Not found: metrics are served at /metrics\n');
    await model.prometheus.close();
    await model.prometheus.close(); // twice is fine
    await expect(httpGet(server.url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports a port clash as a MetricsServerError, not an unhandled exception', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const error = await startMetricsServer({ registry: new Registry(), port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetricsServerError);
      expect((error as MetricsServerError).code).toBe('EADDRINUSE');
      expect((error as Error).message).toMatch(
        /cannot serve metrics on 127\.0\.0\.1:\d+: the address is already in use/,
      );

      const reported: [unknown, string][] = [];
      const model = new PrometheusModel(
        { predict: (x: number[]) => x },
        { port, onError: (e, source) => reported.push([e, source]) },
      );
      await expect(model.prometheus.ready).rejects.toBeInstanceOf(MetricsServerError);
      expect(reported.map(([, source]) => source)).toEqual(['server']);
      expect(model.predict([1])).toEqual([1]); // the model still works
      await model.prometheus.close();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('shares one server between the models of one registry on the same port, until the last closes', async () => {
    const registry = new Registry();
    const port = await freePort();
    const a = new PrometheusModel({ predict: (x: number[]) => x }, { registry, name: 'a', port });
    const b = new PrometheusModel({ predict: (x: number[]) => x }, { registry, name: 'b', port });
    const [sa, sb] = await Promise.all([a.prometheus.ready, b.prometheus.ready]);
    expect(sa).toBe(sb);
    a.predict([1]);
    b.predict([1, 2]);
    await a.prometheus.close();
    const page = await httpGet(sb!.url);
    expect(page.body).toContain('gangplank_predict_total{model="a",version=""} 1\n');
    expect(page.body).toContain('gangplank_predict_total{model="b",version=""} 2\n');
    await b.prometheus.close();
    await expect(httpGet(sb!.url)).rejects.toThrow(/ECONNREFUSED/);
    // Another registry on a port in use gets the clash, not somebody else's page.
    const c = new PrometheusModel({ predict: (x: number[]) => x }, { name: 'c', port, onError: () => {} });
    const d = new PrometheusModel({ predict: (x: number[]) => x }, { name: 'd', port, onError: () => {} });
    await c.prometheus.ready;
    await expect(d.prometheus.ready).rejects.toThrow(MetricsServerError);
    await Promise.all([c.prometheus.close(), d.prometheus.close()]);
  });

  it('rejects invalid ports and paths before listening', async () => {
    await expect(startMetricsServer({ registry: new Registry(), port: -1 })).rejects.toThrow(RangeError);
    await expect(startMetricsServer({ registry: new Registry(), port: 0, path: 'metrics' })).rejects.toThrow(
      /must start with "\/"/,
    );
  });

  it('never keeps the process alive: a child that serves, gets scraped over keep-alive, and ends exits by itself', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/serve-and-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    // Generous: only a hang (the bug under test) comes near it. The child is killed if it does.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(timer);
    expect({ signal, code, err }).toEqual({ signal: null, code: 0, err: '' });
    expect(out).toMatch(
      /^scraped 200 from http:\/\/127\.0\.0\.1:\d+\/metrics; TCP handles keeping the process alive: \[\]\n$/,
    );
  });
});
