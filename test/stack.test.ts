import { describe, expect, inject, it } from 'vitest';
import { queryPrometheus } from './support/prometheus.js';

describe('test stack', () => {
  it('runs a real Pushgateway and a Prometheus that scrapes it', async () => {
    const res = await fetch(`${inject('pushgatewayUrl')}/api/v1/status`);
    expect(res.status).toBe(200);
    const up = await queryPrometheus(inject('prometheusUrl'), 'up');
    expect(Array.isArray(up)).toBe(true);
  });
});
