/**
 * The alerting rules and the Grafana dashboards read metrics that other parts of the repository produce. This
 * test keeps them in step with what is really exposed: the real producers run (the training exporter and the
 * dispatcher's run publisher push to the real Pushgateway, whose /metrics is read back; PrometheusModel and the
 * API server render their registries), and every metric name a rule or a panel selects must be among the names
 * those expositions carry. A rename in @gangplank/metrics or the platform fails here instead of silently muting
 * an alert or emptying a panel.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { PrometheusModel, TrainTestExporter, type DriftDetector, type ModelLike } from '@gangplank/metrics';
import { createApp, createDispatcherCounters, createStore } from '@gangplank/platform';
// The dispatcher's publisher is not part of the package's public surface; the test uses the real one all the same.
import { RunMetricsPublisher } from '../../packages/platform/src/dispatcher/run-metrics.js';
import { deployDir } from './tools.js';

/** Names Prometheus makes itself, exposed by no producer. */
const PROMETHEUS_BUILTINS = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

const pushgateway = inject('pushgatewayUrl');
const tag = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const job = `metric_names_${tag}`;

/** Metric names of a text exposition, histogram and summary series folded into their family. */
function exposedNames(text: string, only?: (line: string) => boolean): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || (only && !only(line))) continue;
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1];
    if (name) names.add(name.replace(/_(bucket|count|sum)$/, ''));
  }
  return names;
}

/** Metric names a PromQL expression selects (not functions, keywords, labels, strings, numbers or variables). */
function selectedMetrics(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/(?<![\w:])\d+(\.\d+)?([eE][+-]?\d+|[smhdwy]+)?/g, ' ');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'Inf', 'NaN', 'inf', 'nan']);
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined && !keywords.has(m[1]!) && !m[1]!.includes(':'))
    .map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));
}

const ruleExprs = readdirSync(join(deployDir, 'prometheus', 'rules')).flatMap((f) =>
  (
    parse(readFileSync(join(deployDir, 'prometheus', 'rules', f), 'utf8')) as {
      groups: { rules: { expr: string }[] }[];
    }
  ).groups.flatMap((g) => g.rules.map((r) => r.expr)),
);

interface DashboardPanel {
  targets?: { expr?: string }[];
  panels?: DashboardPanel[];
}
const dashboardDir = join(deployDir, 'grafana', 'dashboards');
const panelExprs = (panels: DashboardPanel[]): string[] =>
  panels.flatMap((p) => [
    ...(p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])),
    ...panelExprs(p.panels ?? []),
  ]);
const dashboardExprs = readdirSync(dashboardDir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) =>
    panelExprs(
      (JSON.parse(readFileSync(join(dashboardDir, f), 'utf8')) as { panels: DashboardPanel[] }).panels,
    ),
  );

function model(): ModelLike {
  const weights = [new Float32Array([-0.2, 0.05, 0.1, 0.3])];
  return { countParams: () => 4, getWeights: () => weights.map((w) => ({ dataSync: () => w })) };
}

/** A training (one epoch with a NaN loss) and its test, then the dispatcher's metrics of its run, all pushed. */
async function pushTrainingAndRun(): Promise<void> {
  const options = { env: {}, runId: `run-${tag}`, grouping: { training: `wine-${tag}` }, pushIntervalMs: 0 };
  const trainer = new TrainTestExporter(pushgateway, job, options);
  trainer.trainBegin({ model: model(), targetEpochs: 2 });
  for (const [epoch, loss] of [1, Number.NaN].entries()) {
    trainer.epochBegin(epoch);
    trainer.epochEnd(epoch, { loss, accuracy: 0.5, val_loss: loss, val_accuracy: 0.4 }, { samples: 100 });
  }
  await trainer.close();
  const tester = new TrainTestExporter(pushgateway, job, options);
  tester.recordTest({ loss: 0.3, accuracy: 0.8 }, { model: model() });
  await tester.close();

  const warnings: string[] = [];
  const publisher = new RunMetricsPublisher({ gateway: pushgateway, warn: (m) => warnings.push(m) });
  const now = Date.now();
  try {
    await publisher.publish({
      trainingId: `wine-${tag}`,
      runId: `run-${tag}`,
      job,
      modelName: 'wine',
      modelVersion: '1',
      toolchain: 'mlflow',
      executor: 'local',
      state: 'failed',
      createdAt: new Date(now - 60_000).toISOString(),
      startedAt: new Date(now - 50_000).toISOString(),
      finishedAt: new Date(now).toISOString(),
      exitCode: 1,
    });
  } finally {
    publisher.close();
  }
  expect(warnings).toEqual([]);
}

/**
 * PrometheusModel's registry after served and failed calls, with a windowed drift detector whose first check
 * fails (so the drift error and window series have samples too).
 */
async function predictionExposition(): Promise<string> {
  let checks = 0;
  const detector: DriftDetector = {
    name: 'scripted',
    check: () => {
      if (checks++ === 0) throw new Error('not calibrated yet');
      return { pValue: 0.02, driftDetected: 1, testStatistic: 0.7 };
    },
    windowFill: () => ({ size: Math.min(checks, 4), capacity: 4 }),
  };
  const served = new PrometheusModel(
    {
      predict(x: number[]): number[] {
        if (x.length === 0) throw new RangeError('empty batch');
        return x;
      },
    },
    { name: 'mnist', version: '3', drift: detector, onError: () => undefined },
  );
  try {
    for (let i = 0; i < 3; i++) {
      served.predict([1, 2]);
      await served.prometheus.drain();
    }
    expect(() => served.predict([])).toThrow(RangeError);
    return (await served.prometheus.metrics()).body;
  } finally {
    await served.prometheus.close();
  }
}

/** The API server's own /metrics after a few requests. */
async function apiExposition(): Promise<string> {
  const store = await createStore({ secretKey: Buffer.alloc(32, 7).toString('base64') });
  const app = await createApp({ store, dispatcherCounters: createDispatcherCounters() });
  try {
    for (const url of ['/health', '/api/v1/model/training', '/api/v1/model/training/missing'])
      await app.inject({ method: 'GET', url });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    return metrics.body;
  } finally {
    await app.close();
    await store.close();
  }
}

describe('metric names the rules and dashboards read', () => {
  const exposed = new Set<string>();

  beforeAll(async () => {
    await pushTrainingAndRun();
    const gateway = await (await fetch(`${pushgateway}/metrics`)).text();
    for (const n of exposedNames(gateway, (line) => line.includes(`job="${job}"`))) exposed.add(n);
    for (const n of exposedNames(await predictionExposition())) exposed.add(n);
    for (const n of exposedNames(await apiExposition())) exposed.add(n);
  });

  afterAll(async () => {
    await fetch(`${pushgateway}/metrics/job/${job}`, { method: 'DELETE' });
  });

  it('reads the expositions of every producer', () => {
    // One of each producer's names, so an empty exposition cannot make the checks below pass.
    for (const name of [
      'gangplank_train_loss',
      'gangplank_test_loss',
      'push_time_seconds',
      'gangplank_predict_total',
      'gangplank_api_requests_total',
    ])
      expect([...exposed]).toContain(name);
  });

  it('every metric a rule selects is exposed', () => {
    const read = new Set(ruleExprs.flatMap(selectedMetrics));
    expect(read.size).toBeGreaterThanOrEqual(10);
    expect([...read].filter((n) => !exposed.has(n) && !PROMETHEUS_BUILTINS.has(n)).sort()).toEqual([]);
  });

  it('the loss the TrainingLossNotFinite rule matches by regex is exposed for train and validation', () => {
    expect(ruleExprs.some((e) => e.includes('__name__=~'))).toBe(true);
    for (const n of [
      'gangplank_train_loss',
      'gangplank_train_val_loss',
      'gangplank_train_nonfinite_loss_total',
    ])
      expect([...exposed]).toContain(n);
  });

  it('every metric a dashboard panel selects is exposed', () => {
    const read = new Set(dashboardExprs.flatMap(selectedMetrics));
    expect(read.size).toBeGreaterThanOrEqual(10);
    expect([...read].filter((n) => !exposed.has(n) && !PROMETHEUS_BUILTINS.has(n)).sort()).toEqual([]);
  });
});
