import * as fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusModel } from '../../src/index.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];

describe('latency and batch histograms', () => {
  it('hold, for every bound, the number of calls at or below it (cumulative), with sum and count', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ ms: fc.integer({ min: 0, max: 3000 }), batch: fc.integer({ min: 0, max: 2000 }) }),
          {
            maxLength: 40,
          },
        ),
        async (calls) => {
          // The clock returns 0 at each call's start and its duration at its end.
          const reads: number[] = calls.flatMap((c) => [0, c.ms]);
          const registry = new Registry();
          const model = new PrometheusModel(
            { predict: (n: number) => new Array<number>(n).fill(0) },
            { registry, clock: () => reads.shift()!, latencyBuckets: BOUNDS },
          );
          for (const c of calls) model.predict(c.batch);
          const family = (await registry.getMetricsAsJSON()).find(
            (f) => f.name === 'gangplank_predict_latency_seconds',
          )!;
          const values = family.values as {
            value: number;
            labels: Record<string, unknown>;
            metricName?: string;
          }[];
          for (const le of [...BOUNDS, '+Inf'] as const) {
            const bucket = values.find((v) => v.metricName?.endsWith('_bucket') && v.labels.le === le)!;
            const expected = calls.filter((c) => le === '+Inf' || c.ms / 1000 <= le).length;
            expect(bucket.value).toBe(expected);
          }
          const count = values.find((v) => v.metricName?.endsWith('_count'))!;
          const sum = values.find((v) => v.metricName?.endsWith('_sum'))!;
          expect(count.value).toBe(calls.length);
          expect(sum.value).toBeCloseTo(
            calls.reduce((a, c) => a + c.ms / 1000, 0),
            9,
          );
          const batch = (await registry.getMetricsAsJSON()).find(
            (f) => f.name === 'gangplank_predict_batch_size',
          )!;
          const le8 = (batch.values as { value: number; labels: Record<string, unknown> }[]).find(
            (v) => v.labels.le === 8,
          )!;
          expect(le8.value).toBe(calls.filter((c) => c.batch <= 8).length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
