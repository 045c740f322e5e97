import { describe, expect, inject, it } from 'vitest';
import { waitForQuery } from '../../../../test/support/prometheus.js';
import { formatProgress, ProgressPrinter } from '../../src/cli/progress.js';
import {
  gatewayReader,
  pointsFromGateway,
  pointsFromPrometheus,
  prometheusReader,
  runMetrics,
} from '../../src/cli/progress-metrics.js';

describe('formatProgress', () => {
  it('shows state, elapsed, epoch n/m, loss and accuracy', () => {
    expect(
      formatProgress({
        state: 'running',
        elapsedMs: 65_000,
        epoch: 3,
        epochs: 10,
        loss: 0.12345,
        accuracy: 0.9612,
      }),
    ).toBe('running  1m05s  epoch 3/10  loss 0.1235  acc 0.9612');
    expect(formatProgress({ state: 'scheduling', elapsedMs: 1000 })).toBe('scheduling  1s');
  });

  it('redraws one line on a terminal and prints only changes otherwise', () => {
    let tty = '';
    const live = new ProgressPrinter({ write: (t: string) => (tty += t) }, true);
    live.update({ state: 'running', elapsedMs: 1000 });
    live.update({ state: 'running', elapsedMs: 2000 });
    live.done();
    expect(tty).toBe('\r\x1b[2Krunning  1s\r\x1b[2Krunning  2s\n');

    let plain = '';
    const lines = new ProgressPrinter({ write: (t: string) => (plain += t) }, false, 'wine: ');
    lines.update({ state: 'running', elapsedMs: 1000 });
    lines.update({ state: 'running', elapsedMs: 2000 });
    lines.update({ state: 'running', elapsedMs: 3000, epoch: 1 });
    lines.done();
    expect(plain).toBe('wine: running  1s\nwine: running  3s  epoch 1\n');
  });
});

/**
 * Exposition text typed as gauges: the shared Pushgateway refuses a push whose metric type differs from the same
 * name in another group (other tests push these names as gauges), so untyped samples would fail by test order.
 */
function gauges(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([name, value]) => `# TYPE ${name} gauge\n${name} ${value}\n`)
    .join('');
}

describe('run metrics', () => {
  it('prefers the series labelled with the run id over the job', () => {
    const points = [
      { name: 'gangplank_train_epochs_count', labels: { job: 'wine', run_id: 'old' }, value: 9 },
      { name: 'gangplank_train_epochs_count', labels: { job: 'wine', run_id: 'new' }, value: 2 },
      { name: 'gangplank_train_target_epochs', labels: { job: 'wine', run_id: 'new' }, value: 5 },
      { name: 'gangplank_train_acc', labels: { job: 'wine', run_id: 'new' }, value: 0.5 },
    ];
    expect(runMetrics(points, { runId: 'new', job: 'wine' })).toEqual({
      epoch: 2,
      epochs: 5,
      loss: undefined,
      accuracy: 0.5,
    });
    expect(runMetrics(points, { job: 'wine' }).epoch).toBe(9);
    expect(runMetrics(points, { job: 'other' })).toEqual({});
  });

  it('reads Prometheus instant-query answers', () => {
    const body = {
      status: 'success',
      data: { result: [{ metric: { __name__: 'gangplank_train_loss', job: 'j' }, value: [1, '0.25'] }] },
    };
    expect(pointsFromPrometheus(body)).toEqual([
      { name: 'gangplank_train_loss', labels: { job: 'j' }, value: 0.25 },
    ]);
    expect(pointsFromPrometheus({})).toEqual([]);
    expect(pointsFromGateway(null)).toEqual([]);
  });

  it('reads what a training pushed to a real Pushgateway', async () => {
    const gateway = inject('pushgatewayUrl');
    const job = `cli-progress-${process.pid}-${Date.now()}`;
    const body = gauges({
      gangplank_train_epochs_count: 3,
      gangplank_train_target_epochs: 10,
      gangplank_train_loss: 0.125,
      gangplank_train_accuracy: 0.875,
    });
    const res = await fetch(`${gateway}/metrics/job/${job}/run_id/r-42`, { method: 'PUT', body });
    expect(res.status).toBe(200);
    try {
      expect(await gatewayReader(gateway)({ runId: 'r-42', job })).toEqual({
        epoch: 3,
        epochs: 10,
        loss: 0.125,
        accuracy: 0.875,
      });
      expect(await gatewayReader('http://127.0.0.1:9')({ job })).toEqual({});
    } finally {
      await fetch(`${gateway}/metrics/job/${job}/run_id/r-42`, { method: 'DELETE' });
    }
  });

  it('reads the same series through a real Prometheus scraping the gateway', async () => {
    const gateway = inject('pushgatewayUrl');
    const prometheus = inject('prometheusUrl');
    const job = `cli-progress-prom-${process.pid}-${Date.now()}`;
    const body = gauges({
      gangplank_train_epochs_count: 2,
      gangplank_train_target_epochs: 4,
      gangplank_train_loss: 0.5,
    });
    expect((await fetch(`${gateway}/metrics/job/${job}`, { method: 'PUT', body })).status).toBe(200);
    try {
      await waitForQuery(prometheus, `gangplank_train_loss{job="${job}"}`);
      expect(await prometheusReader(prometheus)({ job })).toEqual({
        epoch: 2,
        epochs: 4,
        loss: 0.5,
        accuracy: undefined,
      });
    } finally {
      await fetch(`${gateway}/metrics/job/${job}`, { method: 'DELETE' });
    }
  });
});
