import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Counter, Gauge, Registry } from 'prom-client';
import type { OpenMetricsContentType } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsHandler, PrometheusModel, renderMetrics } from '../../src/index.js';
import type { MetricsRequestHandler } from '../../src/index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** Mounts `handler` at /metrics in a plain Node server on a free loopback port, next to an app route. */
async function mount(handler: MetricsRequestHandler): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') return handler(req, res);
    res.end('app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function fetchRaw(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('metricsHandler', () => {
  it('serves the registry with its content type, mounted in any Node server', async () => {
    const model = new PrometheusModel({ predict: (x: number[]) => x }, { name: 'served' });
    model.predict([1, 2]);
    const base = await mount(model.prometheus.handler);
    const reply = await fetchRaw(`${base}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(reply.body.toString()).toContain('gangplank_predict_total{model="served",version=""} 2\n');
    expect((await fetchRaw(`${base}/`)).body.toString()).toBe('app');
  });

  it('answers HEAD without a body, refuses other methods with 405', async () => {
    const registry = new Registry();
    new Gauge({ name: 'x', help: 'x', registers: [registry] }).set(1);
    const base = await mount(metricsHandler(registry));
    const head = await fetchRaw(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const post = await fetchRaw(`${base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('gzips large pages for scrapers that accept it', async () => {
    const registry = new Registry();
    const c = new Counter({
      name: 'many_total',
      help: 'Many series',
      labelNames: ['i'],
      registers: [registry],
    });
    for (let i = 0; i < 200; i++) c.inc({ i: String(i) });
    const base = await mount(metricsHandler(registry));
    const zipped = await fetchRaw(`${base}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).toString()).toBe(await registry.metrics());
    const plain = await fetchRaw(`${base}/metrics`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(await registry.metrics());
  });

  it('answers 500 and reports the error when a collector throws', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'broken',
      help: 'Throws on collect',
      registers: [registry],
      collect() {
        throw new Error('sensor unplugged');
      },
    });
    const errors: unknown[] = [];
    const base = await mount(metricsHandler(registry, { onError: (e) => errors.push(e) }));
    const reply = await fetchRaw(`${base}/metrics`);
    expect(reply.status).toBe(500);
    expect(reply.body.toString()).toBe('Failed to collect metrics: sensor unplugged\n');
    expect(errors).toHaveLength(1);
  });
});

describe('renderMetrics', () => {
  it('concatenates several registries into one page', async () => {
    const a = new Registry();
    const b = new Registry();
    new Gauge({ name: 'a', help: 'A', registers: [a] }).set(1);
    new Gauge({ name: 'b', help: 'B', registers: [b] }).set(2);
    const page = await renderMetrics([a, b]);
    expect(page.body).toBe('# HELP a A\n# TYPE a gauge\na 1\n\n# HELP b B\n# TYPE b gauge\nb 2\n');
    await expect(renderMetrics([])).rejects.toThrow(/at least one registry/);
    const openMetrics = new Registry<OpenMetricsContentType>();
    openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    await expect(renderMetrics([a, openMetrics])).rejects.toThrow(/same content type/);
  });
});
