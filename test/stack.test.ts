/**
 * The tests' shared stack (global-setup.ts): a real Pushgateway and a Prometheus that scrapes it. Proven through
 * Prometheus's HTTP API: the Pushgateway target is up, and a sample pushed to the gateway comes back from a query.
 */
import { describe, expect, inject, it } from 'vitest';
import { queryPrometheus } from './support/prometheus.js';

describe('test stack', () => {
  it('runs a real Pushgateway and a Prometheus that scrapes it', async () => {
    const pushgateway = inject('pushgatewayUrl');
    const prometheus = inject('prometheusUrl');
    const status = await fetch(`${pushgateway}/api/v1/status`);
    expect(status.status).toBe(200);

    const target = new URL(pushgateway).host;
    await expect
      .poll(
        async () =>
          (await queryPrometheus(prometheus, 'up{job="pushgateway"}')).map(
            (s) => s.metric['instance'] + ' ' + s.value[1],
          ),
        { timeout: 30_000 },
      )
      .toEqual([`${target} 1`]);

    const job = `stack-test-${process.pid}-${Date.now()}`;
    const pushed = await fetch(`${pushgateway}/metrics/job/${job}`, {
      method: 'PUT',
      body: '# TYPE gangplank_stack_probe gauge\ngangplank_stack_probe 42\n',
    });
    expect(pushed.status).toBe(200);
    await expect
      .poll(
        async () =>
          (await queryPrometheus(prometheus, `gangplank_stack_probe{job="${job}"}`)).map((s) => s.value[1]),
        { timeout: 30_000 },
      )
      .toEqual(['42']);
    await fetch(`${pushgateway}/metrics/job/${job}`, { method: 'DELETE' });
  });
});
