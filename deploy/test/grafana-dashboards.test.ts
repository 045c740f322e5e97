/**
 * The Grafana dashboards of deploy/grafana against the real Prometheus of the global setup.
 *
 * Grafana itself is not run here (no Grafana on the test machine): the test reads each dashboard's JSON, checks the
 * fields Grafana needs (schemaVersion, uid, title, panels with type, gridPos, datasource and targets, the template
 * variables), then does what Grafana would do with every query: substitutes the variables (`$job`, `$training`,
 * `$run_id`, …, and Grafana's `$__rate_interval`, `$__interval`, `$__range_s`) and sends the PromQL to Prometheus'
 * `/api/v1/query`. The data behind it comes from the real producers pushed to the real Pushgateway: a
 * TrainTestExporter training and a test evaluation, a PrometheusModel serving with errors and drift, the
 * dispatcher's RunMetricsPublisher for runs in every state, and the API server's own /metrics.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { PrometheusModel, PushgatewayClient, TrainTestExporter, type ModelLike } from '@gangplank/metrics';
import { createApp, createDispatcherCounters, createStore } from '@gangplank/platform';
// The dispatcher's publisher is not part of the package's public surface; the test uses the real one all the same.
import { RunMetricsPublisher } from '../../packages/platform/src/dispatcher/run-metrics.js';
import { queryPrometheus, waitForQuery, type PromSample } from '../../test/support/prometheus.js';
import { deployDir } from './tools.js';

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  definition?: string;
  includeAll?: boolean;
  allValue?: string;
  current?: { value: string };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  tags: string[];
  time: { from: string; to: string };
  templating: { list: Variable[] };
  panels: Panel[];
}

const grafanaDir = join(deployDir, 'grafana');
const dashboardDir = join(grafanaDir, 'dashboards');
const files = readdirSync(dashboardDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const dashboards = new Map(
  files.map((f) => [
    f.replace(/\.json$/, ''),
    JSON.parse(readFileSync(join(dashboardDir, f), 'utf8')) as Dashboard,
  ]),
);
const dashboard = (name: string): Dashboard => dashboards.get(name)!;
const queryPanels = (d: Dashboard): Panel[] => d.panels.filter((p) => p.type !== 'row');

const datasources = parse(
  readFileSync(join(grafanaDir, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
) as { apiVersion: number; datasources: { uid: string; type: string; url: string; isDefault?: boolean }[] };
const providers = parse(
  readFileSync(join(grafanaDir, 'provisioning', 'dashboards', 'gangplank.yml'), 'utf8'),
) as {
  apiVersion: number;
  providers: { name: string; type: string; options: { path: string } }[];
};
const compose = parse(readFileSync(join(deployDir, 'compose', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image: string; volumes?: string[] }>;
};

/** The template variables each dashboard must offer, besides `datasource`. */
const VARIABLES: Record<string, string[]> = {
  training: ['job', 'training', 'run_id'],
  platform: ['job', 'training', 'run_id'],
  // Prediction services are scraped, not run by the platform: their series carry model and version, no run.
  prediction: ['job', 'model', 'version'],
};

/**
 * Panels allowed to come back empty with healthy data: they show only trouble (a failed push, a NaN loss, a run
 * whose worker vanished). Every other panel must return at least one series.
 */
const TROUBLE_ONLY = new Set([
  'training/Failed pushes the gateway saw',
  'platform/Running runs silent for 15 min (lost lease or hung)',
]);

// Grafana's own variables, as Grafana would expand them for a 1 h range on a 1 s scrape interval.
const GRAFANA_BUILTINS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

/**
 * Expands `$name` and `${name}` as Grafana does inside a regex matcher: one value as itself, several as
 * `(a|b)`, All as the variable's allValue `.*`. Pure.
 */
function substitute(expr: string, values: Record<string, readonly string[]>): string {
  const formatted = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, v.length === 1 ? v[0]! : `(${v.join('|')})`]),
  );
  const all: Record<string, string> = { ...GRAFANA_BUILTINS, ...formatted };
  const out = expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    return name in all ? all[name]! : match;
  });
  if (out.includes('$')) throw new Error(`unknown variable left in ${out}`);
  return out;
}

const variableQuery = (v: Variable): string => (typeof v.query === 'string' ? v.query : v.query.query);

/** `label_values(selector, label)` as the PromQL that returns the same label values. Pure. */
function labelValuesQuery(query: string): { promql: string; label: string } {
  const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query.trim());
  if (!m) throw new Error(`not a label_values query: ${query}`);
  return { promql: `count by (${m[2]}) (${m[1]})`, label: m[2]! };
}

const pgw = inject('pushgatewayUrl');
const prom = inject('prometheusUrl');
const tag = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const trainJob = `grafana_train_${tag}`;
const predictJob = `grafana_predict_${tag}`;
const trainingId = `wine-${tag}`;
const runId = `run-${tag}`;

const platformRuns = [runId, `${runId}-ok`, `${runId}-bad`, `${runId}-wait`];

/** The values a user would pick in each dashboard's variables to look at the data the test produced. */
const PICKED: Record<string, Record<string, readonly string[]>> = {
  training: { job: [trainJob], training: [trainingId], run_id: [runId] },
  // All four runs of the training, one in each state: finished runs have durations, the running one an age.
  platform: { job: [trainJob], training: [trainingId], run_id: platformRuns },
  prediction: { job: [predictJob], model: ['mnist'], version: ['3'] },
};
const allOf = (name: string): Record<string, readonly string[]> =>
  Object.fromEntries(VARIABLES[name]!.map((v) => [v, ['.*']]));

function model(): ModelLike {
  const weights = [new Float32Array([-0.2, 0.05, 0.1, 0.3])];
  return { countParams: () => 4, getWeights: () => weights.map((w) => ({ dataSync: () => w })) };
}

/** A training of 3 of 5 epochs, still running, and a test evaluation of the same run, through the real exporter. */
async function pushTraining(): Promise<void> {
  let mono = 0;
  const options = {
    env: {},
    runId,
    instance: 'worker-0',
    grouping: { training: trainingId },
    pushIntervalMs: 0,
    clock: { wallMs: () => Date.now(), monotonicMs: () => mono },
  };
  const trainer = new TrainTestExporter(pgw, trainJob, options);
  trainer.trainBegin({ model: model(), targetEpochs: 5 });
  for (let epoch = 0; epoch < 3; epoch++) {
    trainer.epochBegin(epoch);
    mono += 2000 + 100 * epoch;
    // Keras' log keys, so the series are gangplank_train_accuracy / gangplank_train_val_accuracy whatever TF.js says.
    trainer.epochEnd(
      epoch,
      {
        loss: 1 / (epoch + 1),
        accuracy: 0.5 + epoch / 10,
        val_loss: 1.2 / (epoch + 1),
        val_accuracy: 0.45 + epoch / 10,
      },
      { samples: 6000 },
    );
  }
  await trainer.close();
  expect(trainer.problems).toEqual([]);
  const tester = new TrainTestExporter(pgw, trainJob, options);
  tester.recordTest({ loss: 0.3, accuracy: 0.81 }, { model: model() });
  await tester.close();
  expect(tester.problems).toEqual([]);
}

/**
 * A model served through PrometheusModel with a drift function; some calls fail. Its registry is pushed to the
 * gateway several times, as scrapes of a live service would see it, so counters grow between Prometheus' scrapes.
 */
async function pushPrediction(client: PushgatewayClient): Promise<void> {
  const served = new PrometheusModel(
    {
      predict(x: number[]): number[] {
        if (x.length === 0) throw new RangeError('empty batch');
        return x.map((v) => v * 2);
      },
    },
    { name: 'mnist', version: '3', drift: () => ({ pValue: 0.02, driftDetected: 1, testStatistic: 0.7 }) },
  );
  try {
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 10; i++) served.predict([1, 2, 3, 4]);
      expect(() => served.predict([])).toThrow(RangeError);
      await served.prometheus.drain();
      const { body } = await served.prometheus.metrics();
      await client.push({ job: predictJob, grouping: { instance: 'svc-0' } }, body);
      // Prometheus scrapes the gateway every second: let each round land in its own scrape.
      await waitForQuery(prom, `gangplank_predict_total{job="${predictJob}"} >= ${40 * (round + 1)}`);
    }
  } finally {
    await served.prometheus.close();
  }
}

/** Runs in every state, published by the dispatcher's own publisher; the running one is the exporter's run. */
async function pushRuns(): Promise<void> {
  const now = Date.now();
  const iso = (agoS: number) => new Date(now - agoS * 1000).toISOString();
  const base = {
    trainingId,
    job: trainJob,
    modelName: 'wine',
    modelVersion: '1',
    toolchain: 'mlflow',
    executor: 'local',
  };
  const runs: Parameters<RunMetricsPublisher['publish']>[0][] = [
    { ...base, runId, state: 'running', createdAt: iso(120), startedAt: iso(115) },
    {
      ...base,
      runId: `${runId}-ok`,
      state: 'succeeded',
      createdAt: iso(900),
      startedAt: iso(890),
      finishedAt: iso(400),
      exitCode: 0,
    },
    {
      ...base,
      runId: `${runId}-bad`,
      state: 'failed',
      createdAt: iso(600),
      startedAt: iso(580),
      finishedAt: iso(500),
      exitCode: 1,
    },
    { ...base, runId: `${runId}-wait`, state: 'scheduling', createdAt: iso(10) },
  ];
  const warnings: string[] = [];
  const publisher = new RunMetricsPublisher({ gateway: pgw, warn: (m) => warnings.push(m) });
  try {
    for (const run of runs) await publisher.publish(run);
  } finally {
    publisher.close();
  }
  expect(warnings).toEqual([]);
}

/** The API server's /metrics after a few requests, pushed where a scrape of job `gangplank-api` would put it. */
async function pushApi(client: PushgatewayClient): Promise<void> {
  const store = await createStore({ secretKey: Buffer.alloc(32, 7).toString('base64') });
  // The dispatcher counters the server's composition root wires, with one claim counted.
  const dispatcherCounters = createDispatcherCounters();
  dispatcherCounters.claims.inc();
  const app = await createApp({ store, dispatcherCounters });
  try {
    for (let round = 0; round < 2; round++) {
      for (const url of ['/health', '/api/v1/model/training', '/api/v1/model/training/missing']) {
        await app.inject({ method: 'GET', url });
      }
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      await client.push({ job: 'gangplank-api', grouping: { instance: `api-${tag}` } }, metrics.body);
      await waitForQuery(
        prom,
        `sum(gangplank_api_requests_total{instance="api-${tag}"}) >= ${3 * (round + 1)}`,
      );
    }
  } finally {
    await app.close();
    await store.close();
  }
}

describe('deploy/grafana: files Grafana reads', () => {
  it('has the training, prediction and platform dashboards', () => {
    expect([...dashboards.keys()]).toEqual(['platform', 'prediction', 'training']);
  });

  it('provisions the compose Prometheus as the data source the dashboards default to', () => {
    expect(datasources.apiVersion).toBe(1);
    const [ds] = datasources.datasources;
    expect(datasources.datasources).toHaveLength(1);
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    expect(Object.keys(compose.services)).toContain('prometheus');
    for (const d of dashboards.values()) {
      const v = d.templating.list.find((x) => x.name === 'datasource');
      expect(v, `${d.uid}: datasource variable`).toMatchObject({ type: 'datasource', query: 'prometheus' });
      expect(v!.current?.value, d.uid).toBe(ds!.uid);
    }
  });

  it('provisions the dashboards from the folder compose mounts into Grafana', () => {
    const grafana = compose.services.grafana!;
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    const mounts = Object.fromEntries(
      (grafana.volumes ?? []).map((v) => v.split(':')).map(([source, target]) => [target!, source!]),
    );
    expect(mounts['/etc/grafana/provisioning']).toBe('../grafana/provisioning');
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers).toHaveLength(1);
    const provider = providers.providers[0]!;
    expect(provider.type).toBe('file');
    expect(mounts[provider.options.path]).toBe('../grafana/dashboards');
  });

  describe.each([...dashboards.keys()])('%s dashboard', (name) => {
    const d = dashboard(name);

    it('has the top-level fields Grafana needs', () => {
      expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(d.uid).toBe(`gangplank-${name}`);
      expect(d.title).toMatch(/^Gangplank \/ /);
      expect(d.tags).toContain('gangplank');
      expect(d.time).toEqual({ from: expect.any(String), to: 'now' });
    });

    it('has its template variables, each a label_values query on variables defined before it', () => {
      const list = d.templating.list;
      expect(list.map((v) => v.name)).toEqual(['datasource', ...VARIABLES[name]!]);
      const defined = new Set(['datasource']);
      for (const v of list.slice(1)) {
        expect(v.type, v.name).toBe('query');
        expect(v.includeAll && v.allValue, v.name).toBe('.*');
        const query = variableQuery(v);
        expect(v.definition, v.name).toBe(query);
        for (const [, used] of query.matchAll(/\$(\w+)/g))
          expect(defined, `${v.name} uses $${used}`).toContain(used);
        expect(() => labelValuesQuery(query)).not.toThrow();
        defined.add(v.name);
      }
    });

    it('lays out panels with unique ids, a type, a gridPos on the 24-column grid and Prometheus targets', () => {
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels) {
        expect(p.type, p.title).toMatch(/^(row|timeseries|stat|bargauge|table|gauge)$/);
        expect(p.title, `panel ${p.id}`).toBeTruthy();
        const g = p.gridPos;
        for (const k of ['h', 'w', 'x', 'y'] as const)
          expect(Number.isInteger(g[k]), `${p.title}.${k}`).toBe(true);
        expect(g.w).toBeGreaterThan(0);
        expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      }
      const panels = queryPanels(d);
      expect(panels.length).toBeGreaterThanOrEqual(10);
      for (const p of panels) {
        expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
        const refIds = p.targets!.map((t) => t.refId);
        expect(new Set(refIds).size, p.title).toBe(refIds.length);
        for (const t of p.targets!) {
          expect(t.datasource, `${p.title} ${t.refId}`).toEqual(p.datasource);
          expect(t.expr.trim(), `${p.title} ${t.refId}`).not.toBe('');
        }
      }
    });

    it('never overlaps two panels', () => {
      const cells = new Map<string, string>();
      for (const p of d.panels) {
        const { h, w, x, y } = p.gridPos;
        for (let r = y; r < y + h; r++)
          for (let c = x; c < x + w; c++) {
            const key = `${r},${c}`;
            expect(cells.get(key), `${p.title} overlaps`).toBeUndefined();
            cells.set(key, p.title);
          }
      }
    });

    it('filters every query by each of its variables', () => {
      for (const p of queryPanels(d)) {
        // The API server's panels read its own scrape job, which has no runs.
        if (p.title.startsWith('API ') || p.title.includes('(API)')) continue;
        const exprs = p.targets!.map((t) => t.expr).join('\n');
        for (const v of VARIABLES[name]!) expect(exprs, `${p.title} filters on $${v}`).toContain(`"$${v}"`);
      }
    });
  });
});

describe('deploy/grafana: every query against the real Prometheus, with data from the real producers', () => {
  beforeAll(async () => {
    const client = new PushgatewayClient(pgw);
    try {
      await pushTraining();
      await pushRuns();
      await pushPrediction(client);
      await pushApi(client);
    } finally {
      client.close();
    }
    // Wait until the last pushes are scraped twice, so increase() and rate() see two samples.
    await waitForQuery(
      prom,
      `count_over_time(gangplank_run_state{job="${trainJob}", state="running"}[1m]) >= 2`,
    );
    await waitForQuery(prom, `count_over_time(gangplank_train_loss{job="${trainJob}"}[1m]) >= 2`);
    await waitForQuery(prom, `count_over_time(gangplank_api_trainings{instance="api-${tag}"}[1m]) >= 2`);
  }, 120_000);

  afterAll(async () => {
    // Leave the shared gateway as the other tests expect it: only our groups go.
    const res = await fetch(`${pgw}/api/v1/metrics`);
    const groups = ((await res.json()) as { data: { labels: Record<string, string> }[] }).data;
    const client = new PushgatewayClient(pgw);
    try {
      for (const { labels } of groups) {
        const { job, ...rest } = labels;
        if (!job || !(job === trainJob || job === predictJob || rest.instance === `api-${tag}`)) continue;
        await client.delete({
          job,
          grouping: Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== '')),
        });
      }
    } finally {
      client.close();
    }
  });

  describe.each([...dashboards.keys()])('%s dashboard', (name) => {
    const d = dashboard(name);

    it('resolves each variable to the values the producers pushed', async () => {
      for (const v of d.templating.list.slice(1)) {
        const { promql, label } = labelValuesQuery(variableQuery(v));
        const samples = await queryPrometheus(prom, substitute(promql, PICKED[name]!));
        const found = samples.map((s) => s.metric[label]);
        for (const picked of PICKED[name]![v.name]!) expect(found, v.name).toContain(picked);
      }
    });

    it('every query parses and runs with All selected', async () => {
      for (const p of queryPanels(d))
        for (const t of p.targets!) {
          // queryPrometheus throws with Prometheus' error unless the API answers status "success".
          await expect(
            queryPrometheus(prom, substitute(t.expr, allOf(name))),
            `${p.title} ${t.refId}`,
          ).resolves.toBeInstanceOf(Array);
        }
    });

    it('every panel but the trouble-only ones returns series for the picked job, training and run', async () => {
      const empty: string[] = [];
      const seen: Record<string, PromSample[]> = {};
      for (const p of queryPanels(d)) {
        const results = await Promise.all(
          p.targets!.map((t) => queryPrometheus(prom, substitute(t.expr, PICKED[name]!))),
        );
        seen[p.title] = results.flat();
        if (seen[p.title]!.length === 0 && !TROUBLE_ONLY.has(`${name}/${p.title}`)) empty.push(p.title);
      }
      expect(empty, `panels without series in ${name}`).toEqual([]);
      // The picked values really filter: every series the run-level panels return belongs to the picked run.
      if (name === 'training') {
        for (const s of seen['Loss']!)
          expect(s.metric).toMatchObject({ job: trainJob, training: trainingId, run_id: runId });
        expect(Number(seen['Progress']![0]!.value[1])).toBeCloseTo(3 / 5);
        expect(seen['Accuracy']!.map((s) => s.metric.__name__).sort()).toEqual([
          'gangplank_train_accuracy',
          'gangplank_train_val_accuracy',
        ]);
      }
    });
  });

  it('the main panels show the values the producers pushed', async () => {
    const value = async (dash: string, title: string, refId = 'A'): Promise<number[]> => {
      const t = queryPanels(dashboard(dash))
        .find((p) => p.title === title)!
        .targets!.find((x) => x.refId === refId)!;
      return (await queryPrometheus(prom, substitute(t.expr, PICKED[dash]!))).map((s) => Number(s.value[1]));
    };
    const [samplesPerSecond] = await value('training', 'Samples per second');
    expect(samplesPerSecond).toBeCloseTo(6000 / 2.2, 6);
    expect(await value('training', 'Epoch duration')).toEqual([2.2]);
    expect(await value('training', 'Validation and test', 'D')).toEqual([0.81]);
    expect(await value('training', 'Push failures')).toEqual([0, 0]);
    expect(await value('prediction', 'Drift p-value')).toEqual([0.02]);
    const p99 = await value('prediction', 'Latency p50 / p99', 'B');
    expect(p99).toHaveLength(1);
    expect(p99[0]).toBeGreaterThan(0);
    expect((await value('prediction', 'Errors by class'))[0]).toBeGreaterThan(0);
    const sorted = (xs: number[]) => xs.map((x) => Math.round(x)).sort((a, b) => a - b);
    expect(sorted(await value('platform', 'Claim delay (created to started)'))).toEqual([5, 10, 20]);
    expect(sorted(await value('platform', 'Run durations'))).toEqual([80, 490]);
    expect(await value('platform', 'Waiting to be claimed')).toEqual([1]);
    // The counter held 1 from its first scrape: no increase inside the range, but the series is there.
    expect(await value('platform', 'Runs claimed in the time range (API)')).toEqual([0]);
  });
});
