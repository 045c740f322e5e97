/** Helpers for tests that read back what reached the real Pushgateway and Prometheus. */
import { vi } from 'vitest';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Runs an instant PromQL query against Prometheus' HTTP API. */
export async function queryPrometheus(prometheusUrl: string, promql: string): Promise<PromSample[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data?: { result: PromSample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`PromQL ${promql} failed: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

/** Waits (vitest's `vi.waitFor`) until `accept` holds for a PromQL query's result, which it returns. */
export function waitForQuery(
  prometheusUrl: string,
  promql: string,
  accept: (samples: PromSample[]) => boolean = (s) => s.length > 0,
  timeoutMs = 20_000,
): Promise<PromSample[]> {
  return vi.waitFor(
    async () => {
      const samples = await queryPrometheus(prometheusUrl, promql);
      if (!accept(samples))
        throw new Error(`PromQL ${promql} does not match yet; last result ${JSON.stringify(samples)}`);
      return samples;
    },
    { timeout: timeoutMs, interval: 250 },
  );
}

export interface GatewayGroup {
  labels: Record<string, string>;
  last_push_successful: boolean;
  [metric: string]: unknown;
}

/** Reads every group stored in the Pushgateway through its `/api/v1/metrics`. */
export async function gatewayGroups(pushgatewayUrl: string): Promise<GatewayGroup[]> {
  const res = await fetch(`${pushgatewayUrl}/api/v1/metrics`);
  const body = (await res.json()) as { data: GatewayGroup[] };
  return body.data;
}
