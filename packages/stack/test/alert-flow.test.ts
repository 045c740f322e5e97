import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStack, stopStack, type StackInfo } from '@gangplank/stack';
import { processesMentioning } from './support.js';

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
}

// The path the drift example's end-to-end test takes: a service exposes a p-value, Prometheus scrapes it under
// job "mnist" and evaluates DriftDetected shortened by 0.05 (to [15s] and for: 3s), and sends it to
// Alertmanager, whose API v2 lists it.
describe('rules scaled for tests drive an alert to Alertmanager', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'gangplank-alert-flow-'));
  let pValue = 0.5;
  let server: Server;
  let stack: StackInfo;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/plain; version=0.0.4');
      res.end(`# TYPE gangplank_predict_drift_p_value gauge\ngangplank_predict_drift_p_value ${pValue}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    stack = await startStack({
      stateDir,
      ports: { prometheus: 0, pushgateway: 0, alertmanager: 0 },
      targets: { mnist: [`127.0.0.1:${port}`] },
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      ruleTimeScale: 0.05,
    });
  });

  afterAll(async () => {
    await stopStack(stateDir);
    await new Promise((resolve) => server.close(resolve));
    expect(processesMentioning(stateDir)).toEqual([]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  const alerts = async () => {
    const res = await fetch(`${stack.services.alertmanager.url}/api/v2/alerts`);
    return ((await res.json()) as AmAlert[]).filter((a) => a.labels.alertname === 'DriftDetected');
  };

  it('no alert while the p-value is high; DriftDetected in Alertmanager soon after it drops', async () => {
    const prom = stack.services.prometheus.url;
    // Scraped and evaluated: the rule group has run on real samples.
    await expect
      .poll(
        async () => {
          const res = await fetch(
            `${prom}/api/v1/query?query=${encodeURIComponent('gangplank_predict_drift_p_value')}`,
          );
          return ((await res.json()) as { data: { result: unknown[] } }).data.result.length;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await alerts()).toEqual([]);

    pValue = 0.01;
    const dropped = Date.now();
    const firing = await vi.waitFor(
      async () => {
        const list = await alerts();
        expect(list).not.toEqual([]);
        return list;
      },
      { timeout: 50_000, interval: 250 },
    );
    expect(firing[0]!.labels).toMatchObject({
      alertname: 'DriftDetected',
      severity: 'warning',
      job: 'mnist',
    });
    expect(firing[0]!.status.state).toBe('active');
    // A figure for the report, not an assertion: seconds from the drop to the alert in Alertmanager.
    console.log(
      `DriftDetected reached Alertmanager ${((Date.now() - dropped) / 1000).toFixed(1)} s after the p-value dropped`,
    );
  }, 90_000);
});
