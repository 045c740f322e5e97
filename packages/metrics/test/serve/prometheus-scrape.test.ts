import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPrometheus } from '@gangplank/stack';
import type { ServiceHandle } from '@gangplank/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForQuery } from '../../../../test/support/prometheus.js';
import { PrometheusModel } from '../../src/index.js';

// A Prometheus of its own (the shared one only scrapes the Pushgateway), scraping the standalone server every second.
describe('the standalone server scraped by the real Prometheus', () => {
  let prometheus: ServiceHandle | undefined;
  let stateDir = '';
  const model = new PrometheusModel(
    { predict: (x: number[][]) => x },
    { name: 'scraped', version: '7', port: 0, drift: () => ({ driftDetected: 1, pValue: 0.02 }) },
  );

  beforeAll(async () => {
    const server = (await model.prometheus.ready)!;
    stateDir = mkdtempSync(join(tmpdir(), 'gangplank-scrape-'));
    const config = join(stateDir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: predict',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${server.port}']`,
        '',
      ].join('\n'),
    );
    prometheus = await startPrometheus({ stateDir, port: await freePort(), configFile: config });
  });

  afterAll(async () => {
    await model.prometheus.close();
    await prometheus?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('ingests every series: counters, histograms, drift gauges', async () => {
    model.predict([[1], [2], [3]]);
    model.predict([[4]]);
    await model.prometheus.drain();
    const url = prometheus!.url;
    const total = await waitForQuery(
      url,
      'gangplank_predict_total{job="predict",model="scraped",version="7"}',
      (s) => s.some((x) => x.value[1] === '4'),
    );
    expect(total).toHaveLength(1);
    const up = await waitForQuery(url, 'up{job="predict"}');
    expect(up[0]!.value[1]).toBe('1');
    const drift = await waitForQuery(url, 'gangplank_predict_drift_detected_total{model="scraped"}', (s) =>
      s.some((x) => x.value[1] === '2'),
    );
    expect(drift).toHaveLength(1);
    const p50 = await waitForQuery(
      url,
      'histogram_quantile(0.5, sum by (le) (gangplank_predict_latency_seconds_bucket{model="scraped"}))',
    );
    expect(Number(p50[0]!.value[1])).toBeGreaterThan(0);
  });
});
