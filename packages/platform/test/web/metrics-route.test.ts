/**
 * `GET /api/v1/model/training/{id}/metrics` in-process: the Pushgateway fallback against the real shared gateway,
 * no backend, an unreachable Prometheus, unknown ids, the OpenAPI entry; and the pure parts of the source.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/server-config.js';
import {
  seriesFromMatrix,
  stepFor,
  trainSelector,
  type TrainingMetrics,
} from '../../src/server/metrics-source.js';
import type { Store } from '../../src/store/store.js';
import { buildApp, call, cliTraining, openStore, seed } from '../server/helpers.js';

const suffix = `${process.pid}-${Date.now().toString(36)}`;
const TRAINING = `webm-${suffix}`;

describe('training metrics route', () => {
  let store: Store;
  let viaGateway: FastifyInstance;
  let none: FastifyInstance;
  let deadPrometheus: FastifyInstance;
  let runId: string;
  const group = (): string =>
    `${inject('pushgatewayUrl')}/metrics/job/webm-${suffix}/training/${TRAINING}/run_id/${runId}`;

  beforeAll(async () => {
    store = await openStore();
    // host:port without a scheme, as GANGPLANK_PUSHGATEWAY_ADDR is often written.
    viaGateway = await buildApp(store, {
      pushgatewayUrl: inject('pushgatewayUrl').replace(/^http:\/\//, ''),
    });
    none = await buildApp(store);
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    deadPrometheus = await buildApp(store, { prometheusUrl: 'http://127.0.0.1:9' });
    await seed(none);
    const created = await call(none, 'POST', '/api/v1/model/training', cliTraining(TRAINING));
    expect(created.statusCode).toBe(201);
    runId = (created.data as { status: { runId: string } }).status.runId;
    const res = await fetch(group(), {
      method: 'PUT',
      body: '# TYPE gangplank_train_loss gauge\ngangplank_train_loss 0.25\n# TYPE gangplank_train_epochs_count gauge\ngangplank_train_epochs_count 3\n# TYPE other_metric gauge\nother_metric 1\n',
    });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await fetch(group(), { method: 'DELETE' }).catch(() => undefined);
    await viaGateway?.close();
    await none?.close();
    await deadPrometheus?.close();
    await store?.close();
  });

  it("answers the run's current train gauges from the Pushgateway when no Prometheus is configured", async () => {
    const res = await call(viaGateway, 'GET', `/api/v1/model/training/${TRAINING}/metrics`);
    expect(res.statusCode).toBe(200);
    const body = res.data as TrainingMetrics;
    expect(body.source).toBe('pushgateway');
    expect(body.series.map((s) => s.name)).toEqual(['gangplank_train_epochs_count', 'gangplank_train_loss']);
    const loss = body.series.find((s) => s.name === 'gangplank_train_loss');
    expect(loss?.labels).toMatchObject({ training: TRAINING, run_id: runId });
    expect(loss?.points).toHaveLength(1);
    expect(loss?.points[0]?.[1]).toBe(0.25);
    // A rerun (PUT) makes a new latest run with no series yet; the first run stays readable with ?run=.
    const rerun = await call(viaGateway, 'PUT', '/api/v1/model/training', cliTraining(TRAINING));
    expect(rerun.statusCode).toBe(200);
    const latest = await call(viaGateway, 'GET', `/api/v1/model/training/${TRAINING}/metrics`);
    expect((latest.data as TrainingMetrics).series).toEqual([]);
    const first = await call(viaGateway, 'GET', `/api/v1/model/training/${TRAINING}/metrics?run=${runId}`);
    expect((first.data as TrainingMetrics).series).toHaveLength(2);
  });

  it('answers source none without a backend, and a warning (not an error) when Prometheus is down', async () => {
    const res = await call(none, 'GET', `/api/v1/model/training/${TRAINING}/metrics`);
    expect(res.data).toEqual({ source: 'none', series: [] });
    const down = await call(deadPrometheus, 'GET', `/api/v1/model/training/${TRAINING}/metrics`);
    expect(down.statusCode).toBe(200);
    const body = down.data as TrainingMetrics;
    expect(body.source).toBe('prometheus');
    expect(body.series).toEqual([]);
    expect(body.warning).toMatch(/^Prometheus: /);
  });

  it('answers 404 for an unknown training or a run of another training, and is in the OpenAPI document', async () => {
    const missing = await call(none, 'GET', '/api/v1/model/training/nope/metrics');
    expect(missing.statusCode).toBe(404);
    expect(missing.data).toEqual({ message: 'entity "nope" is not found' });
    const badRun = await call(none, 'GET', `/api/v1/model/training/${TRAINING}/metrics?run=other-run`);
    expect(badRun.statusCode).toBe(404);
    const doc = (await call(none, 'GET', '/swagger/json')).data as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/model/training/{id}/metrics');
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/ui'))).toBe(false);
  });

  it('reads the Prometheus URL from GANGPLANK_PROMETHEUS_URL', async () => {
    const config = await resolveServerConfig({
      env: { GANGPLANK_PROMETHEUS_URL: 'http://127.0.0.1:9090' },
      configFile: '/dev/null',
    });
    expect(config.prometheusUrl).toBe('http://127.0.0.1:9090');
  });
});

describe('metrics source, pure parts', () => {
  it('selects train series of a training and run, quoting label values', () => {
    expect(trainSelector('t1', 'r1')).toBe('{__name__=~"gangplank_train_.*", training="t1", run_id="r1"}');
    expect(trainSelector('a"b\\c')).toBe('{__name__=~"gangplank_train_.*", training="a\\"b\\\\c"}');
  });

  it('keeps ranges under ~300 points per series', () => {
    expect(stepFor(0, 60)).toBe(1);
    expect(stepFor(0, 86_400)).toBe(288);
  });

  it('reads a matrix, dropping unparsable values and nameless series', () => {
    const series = seriesFromMatrix({
      data: {
        result: [
          {
            metric: { __name__: 'gangplank_train_loss', job: 'j' },
            values: [
              [1, '0.5'],
              [2, 'NaN'],
              [3, '0.4'],
            ],
          },
          { metric: { job: 'j' }, values: [[1, '1']] },
        ],
      },
    });
    expect(series).toEqual([
      {
        name: 'gangplank_train_loss',
        labels: { job: 'j' },
        points: [
          [1, 0.5],
          [3, 0.4],
        ],
      },
    ]);
    expect(seriesFromMatrix(null)).toEqual([]);
    expect(seriesFromMatrix({ data: { result: 'x' } })).toEqual([]);
  });
});
