/**
 * Integration: the exporter against the real Pushgateway and Prometheus of the global setup (Prometheus scrapes
 * the gateway every second with honor_labels), and against a gateway that is down, hangs, or restarts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort, startPushgateway, type ServiceHandle } from '@gangplank/stack';
import {
  HISTOGRAM_WEIGHT_BUCKETS_0_3,
  MetricsExportError,
  TrainTestExporter,
  type TrainTestExporterOptions,
} from '../../src/index.js';
import { gatewayGroups, waitForQuery, type GatewayGroup } from '../../../../test/support/prometheus.js';
import { startHangingServer } from '../../../../test/support/hanging-server.js';
import { fakeModel } from './training-support.js';

const pgw = inject('pushgatewayUrl');
const prom = inject('prometheusUrl');
const unique = (name: string): string => `${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

function exporter(address: string, job: string, options: TrainTestExporterOptions = {}): TrainTestExporter {
  return new TrainTestExporter(address, job, {
    env: {},
    runId: 'r1',
    instance: 'w0',
    pushIntervalMs: 0,
    ...options,
  });
}

function group(groups: GatewayGroup[], labels: Record<string, string>): GatewayGroup | undefined {
  return groups.find((g) => Object.entries(labels).every(([k, v]) => g.labels[k] === v));
}

function gaugeValue(g: GatewayGroup | undefined, name: string): number | undefined {
  const m = g?.[name] as { metrics: { value: string }[] } | undefined;
  return m ? Number(m.metrics[0]!.value) : undefined;
}

function train(e: TrainTestExporter, epochs: number, from = 0): void {
  for (let epoch = from; epoch < from + epochs; epoch++)
    e.epochEnd(epoch, { loss: 1 / (epoch + 1), acc: epoch / 10, val_loss: 2 / (epoch + 1) });
}

describe('against the real Pushgateway and Prometheus', () => {
  it('pushes, reads back through /api/v1/metrics and through PromQL with the grouping labels', async () => {
    const job = unique('it_push');
    const e = exporter(pgw, job, {
      model: fakeModel(),
      histogramBuckets: HISTOGRAM_WEIGHT_BUCKETS_0_3,
      grouping: { path: '/var/tmp' },
    });
    e.trainBegin({ targetEpochs: 3 });
    train(e, 3);
    e.trainEnd();
    await e.close();
    expect(e.problems).toEqual([]);

    const g = group(await gatewayGroups(pgw), { job, phase: 'train' });
    expect(g?.labels).toEqual({ job, run_id: 'r1', instance: 'w0', path: '/var/tmp', phase: 'train' });
    expect(g?.last_push_successful).toBe(true);
    expect(gaugeValue(g, 'gangplank_train_epochs_count')).toBe(3);
    expect(gaugeValue(g, 'gangplank_train_loss')).toBeCloseTo(1 / 3);
    const hist = g?.['gangplank_train_model_weights'] as {
      type: string;
      metrics: { count: string; sum: string }[];
    };
    expect(hist.type).toBe('HISTOGRAM');
    expect(Number(hist.metrics[0]!.count)).toBe(6);
    // _sum reaches the gateway (Gangplank 0.5 lost it: shown as 0).
    expect(Number(hist.metrics[0]!.sum)).toBeCloseTo(1.9, 5);

    const samples = await waitForQuery(
      prom,
      `gangplank_train_epochs_count{job="${job}"}`,
      (s) => s[0]?.value[1] === '3',
    );
    expect(samples[0]!.metric).toMatchObject({
      job,
      run_id: 'r1',
      instance: 'w0',
      phase: 'train',
      path: '/var/tmp',
    });
    await waitForQuery(prom, `gangplank_train_status{job="${job}",state="succeeded"} == 1`);
    const mean = await waitForQuery(
      prom,
      `gangplank_train_model_weights_sum{job="${job}"} / gangplank_train_model_weights_count{job="${job}"}`,
    );
    expect(Number(mean[0]!.value[1])).toBeCloseTo(1.9 / 6, 5);
  });

  it('a test push under the same job does not erase the train series', async () => {
    const job = unique('it_clobber');
    const trainer = exporter(pgw, job);
    train(trainer, 2);
    trainer.trainEnd();
    await trainer.close();
    // A separate process evaluating later: same job, same run, its own exporter.
    const tester = exporter(pgw, job);
    tester.recordTest({ loss: 0.25, acc: 0.5 }, { model: fakeModel() });
    await tester.close();

    const groups = await gatewayGroups(pgw);
    expect(gaugeValue(group(groups, { job, phase: 'train' }), 'gangplank_train_epochs_count')).toBe(2);
    expect(gaugeValue(group(groups, { job, phase: 'test' }), 'gangplank_test_accuracy')).toBe(0.5);
    await waitForQuery(prom, `gangplank_train_loss{job="${job}"}`);
    await waitForQuery(prom, `gangplank_test_loss{job="${job}"}`);
  });

  it('two workers of one run keep their own series', async () => {
    const job = unique('it_workers');
    const workers = ['0', '1'].map(
      (rank) =>
        new TrainTestExporter(pgw, job, {
          env: { GANGPLANK_RUN_ID: 'r', GANGPLANK_RANK: rank },
          pushIntervalMs: 0,
        }),
    );
    workers.forEach((w, i) => w.epochEnd(0, { loss: i + 1 }));
    await Promise.all(workers.map((w) => w.close()));
    const samples = await waitForQuery(prom, `gangplank_train_loss{job="${job}"}`, (s) => s.length === 2);
    expect(samples.map((s) => [s.metric['instance'], s.value[1]]).sort()).toEqual([
      ['worker-0', '1'],
      ['worker-1', '2'],
    ]);
  });
});

describe('when the gateway misbehaves', () => {
  it('down (refused port): training goes on, failures are reported; ignoreExceptions:false rejects close()', async () => {
    const port = await freePort();
    const problems: Error[] = [];
    const soft = exporter(`127.0.0.1:${port}`, unique('it_down'), {
      onError: (err) => problems.push(err),
      client: { retry: { retries: 1, initialDelayMs: 10 } },
    });
    train(soft, 5);
    soft.trainEnd();
    await soft.close();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.message).toMatch(/ECONNREFUSED/);

    const strict = exporter(`127.0.0.1:${port}`, unique('it_down'), {
      ignoreExceptions: false,
      client: { retry: { retries: 0 } },
    });
    strict.trainBegin();
    strict.trainEnd();
    await expect(strict.close()).rejects.toThrow(MetricsExportError);
  });

  it('hanging (accepts, never answers): every hook returns while the push is still in flight', async () => {
    const hanging = await startHangingServer();
    try {
      const problems: Error[] = [];
      const e = exporter(hanging.url, unique('it_hang'), {
        onError: (err) => problems.push(err),
        client: { timeoutMs: 60_000 },
      });
      e.trainBegin();
      train(e, 20);
      e.trainEnd();
      // Training is over; the first push has not been answered, so nothing waited for it.
      expect(problems).toEqual([]);
      await e.close(200);
      expect(problems.map((p) => p.message).join('\n')).toMatch(/gave up|cancelled/);
    } finally {
      await hanging.close();
    }
  });

  it('a forgotten exporter (no close()) does not keep the process alive while a push hangs', async () => {
    const hanging = await startHangingServer();
    const dir = mkdtempSync(join(tmpdir(), 'gangplank-exit-'));
    try {
      const script = join(dir, 'script.ts');
      const src = join(import.meta.dirname, '../../src/index.js');
      writeFileSync(
        script,
        [
          `import { TrainTestExporter } from ${JSON.stringify(src)};`,
          `const e = new TrainTestExporter(${JSON.stringify(hanging.url)}, 'exit', { env: {}, pushIntervalMs: 50, client: { timeoutMs: 600000 } });`,
          `e.trainBegin();`,
          `for (let i = 0; i < 3; i++) e.epochEnd(i, { loss: 1 });`,
          `console.log('trained');`,
        ].join('\n'),
      );
      // The push would wait 10 minutes for an answer: if it held the process, this would hit the 30 s timeout.
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
        encoding: 'utf8',
        timeout: 30_000,
        cwd: join(import.meta.dirname, '../../../..'),
      });
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe('trained');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await hanging.close();
    }
  });

  it('restarted mid-training: the pushes after the restart carry the full state and the failures', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gangplank-pgw-restart-'));
    const port = await freePort();
    let gateway: ServiceHandle | undefined = await startPushgateway({ stateDir, port });
    const job = unique('it_restart');
    const url = `http://127.0.0.1:${port}`;
    const e = exporter(url, job, { client: { retry: { retries: 0 } } });
    try {
      e.trainBegin({ targetEpochs: 6 });
      train(e, 2);
      await e.flush();
      expect(gaugeValue(group(await gatewayGroups(url), { job }), 'gangplank_train_epochs_count')).toBe(2);

      await gateway.stop();
      gateway = undefined;
      train(e, 2, 2);
      await expect.poll(() => e.problems.length, { timeout: 10_000 }).toBeGreaterThan(0);

      gateway = await startPushgateway({ stateDir, port });
      // The restarted gateway has no persistence: it starts empty.
      expect(group(await gatewayGroups(url), { job })).toBeUndefined();
      train(e, 2, 4);
      e.trainEnd();
      await e.close();

      const g = group(await gatewayGroups(url), { job, phase: 'train' });
      expect(gaugeValue(g, 'gangplank_train_epochs_count')).toBe(6);
      expect(gaugeValue(g, 'gangplank_train_progress_ratio')).toBe(1);
      expect(gaugeValue(g, 'gangplank_exporter_push_failures_total')).toBeGreaterThanOrEqual(1);
    } finally {
      await gateway?.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
