import { describe, expect, it } from 'vitest';
import { DEFAULTS, ENV, TrainTestExporter, resolveMetricsConfig } from '../../src/index.js';
import { parseGrouping } from '../../src/config.js';

describe('resolveMetricsConfig: option, then environment, then default', () => {
  it('uses documented defaults with an empty environment', () => {
    const c = resolveMetricsConfig({}, {});
    expect(c.pushgatewayAddr).toBe(DEFAULTS.pushgatewayAddr);
    expect(c.job).toBe('gangplank');
    expect(c.enabled).toBe(true);
    expect(c.grouping['run_id']).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(c.grouping['instance']).toMatch(/-\d+$/);
    expect(c.sources).toEqual({
      pushgatewayAddr: 'default',
      job: 'default',
      runId: 'default',
      instance: 'default',
      enabled: 'default',
    });
  });

  it('reads the environment the platform sets', () => {
    const env = {
      [ENV.pushgatewayAddr]: 'pgw:9091',
      [ENV.job]: 'mnist',
      [ENV.runId]: 'run-7',
      [ENV.rank]: '3',
      [ENV.grouping]: 'model=cnn, version=2',
      [ENV.enabled]: 'yes',
    };
    const c = resolveMetricsConfig({}, env);
    expect(c).toMatchObject({ pushgatewayAddr: 'pgw:9091', job: 'mnist', enabled: true });
    expect(c.grouping).toEqual({ run_id: 'run-7', instance: 'worker-3', model: 'cnn', version: '2' });
  });

  it('lets explicit options win, and false leave run_id/instance out', () => {
    const env = {
      [ENV.pushgatewayAddr]: 'pgw:9091',
      [ENV.job]: 'mnist',
      [ENV.runId]: 'run-7',
      [ENV.instance]: 'host-a',
      [ENV.grouping]: 'model=cnn',
    };
    const c = resolveMetricsConfig(
      {
        pushgatewayAddr: 'other:1',
        job: 'j',
        runId: false,
        instance: 'w1',
        grouping: { model: 'mlp' },
        enabled: false,
      },
      env,
    );
    expect(c).toMatchObject({ pushgatewayAddr: 'other:1', job: 'j', enabled: false });
    expect(c.grouping).toEqual({ instance: 'w1', model: 'mlp' });
  });

  it('reports unusable environment values instead of failing', () => {
    const c = resolveMetricsConfig({}, { [ENV.enabled]: 'maybe', [ENV.grouping]: '{bad json' });
    expect(c.enabled).toBe(true);
    expect(c.warnings.join('\n')).toMatch(/GANGPLANK_METRICS_ENABLED="maybe".*\n.*not valid JSON/);
  });

  it('parses GANGPLANK_GROUPING as pairs or JSON, sanitising label names', () => {
    expect(parseGrouping('a=1,worker-rank=2,path=/x/y')).toEqual({ a: '1', worker_rank: '2', path: '/x/y' });
    expect(parseGrouping('{"team":"ml","n":3}', [])).toEqual({ team: 'ml' });
    const warnings: string[] = [];
    parseGrouping('novalue', warnings);
    expect(warnings[0]).toMatch(/no string value/);
  });

  it('ignores a job grouping label (the job is its own option)', () => {
    const c = resolveMetricsConfig({ runId: false, instance: false, grouping: { job: 'x' } }, {});
    expect(c.grouping).toEqual({});
    expect(c.warnings[0]).toMatch(/"job" ignored/);
  });
});

describe('the exporter grouping key', () => {
  it('is job + run_id + instance + extra labels + phase', async () => {
    const e = new TrainTestExporter(undefined, undefined, {
      env: {
        GANGPLANK_JOB: 'mnist',
        GANGPLANK_RUN_ID: 'r1',
        GANGPLANK_INSTANCE: 'w0',
        GANGPLANK_GROUPING: 'model=cnn',
      },
      pushIntervalMs: 0,
    });
    expect(e.targets.train).toEqual({
      job: 'mnist',
      grouping: { run_id: 'r1', instance: 'w0', model: 'cnn', phase: 'train' },
    });
    expect(e.targets.test.grouping).toMatchObject({ phase: 'test' });
    await e.close();
  });

  it('gives two workers of one run different groups', async () => {
    const a = new TrainTestExporter('127.0.0.1:9', 'j', {
      env: { GANGPLANK_RUN_ID: 'r', GANGPLANK_RANK: '0' },
      pushIntervalMs: 0,
    });
    const b = new TrainTestExporter('127.0.0.1:9', 'j', {
      env: { GANGPLANK_RUN_ID: 'r', GANGPLANK_RANK: '1' },
      pushIntervalMs: 0,
    });
    expect(a.targets.train).not.toEqual(b.targets.train);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('default run ids', () => {
  it('differ between exporters, so two trainings in one process never share a group', async () => {
    const a = new TrainTestExporter('127.0.0.1:9', 'j', { env: {}, pushIntervalMs: 0 });
    const b = new TrainTestExporter('127.0.0.1:9', 'j', { env: {}, pushIntervalMs: 0 });
    expect(a.targets.train.grouping?.['run_id']).not.toBe(b.targets.train.grouping?.['run_id']);
    expect(a.targets.train.grouping?.['run_id']).toBe(a.targets.test.grouping?.['run_id']);
    await Promise.all([a.close(), b.close()]);
  });
});
