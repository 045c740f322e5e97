/**
 * The server's own `/metrics` (a private prom-client registry, never the global one): requests by method, route
 * template and status, their latency, and trainings by the state of their latest run (read from the store at
 * scrape time, so several servers on one database report the same numbers).
 */
import { Counter, Gauge, Histogram, Registry } from './prom-client-core.js';
import type { DispatcherEvents } from '../dispatcher/dispatcher-options.js';
import type { Store } from '../store/store.js';

/**
 * What this server's dispatcher decided, counted per process (unlike the trainings gauge: each server counts its
 * own claims and losses). Made by the composition root, which hands `events` to the dispatcher and the counters
 * to the app's registry.
 */
export interface DispatcherCounters {
  claims: Counter;
  leaseLosses: Counter;
  events: Required<DispatcherEvents>;
}

export function createDispatcherCounters(): DispatcherCounters {
  // Registered by createServerMetrics, in the app's own registry.
  const claims = new Counter({
    name: 'gangplank_dispatcher_claims_total',
    help: "Runs claimed from the queue by this server's dispatcher.",
    registers: [],
  });
  const leaseLosses = new Counter({
    name: 'gangplank_dispatcher_lease_losses_total',
    help: "Runs this server's dispatcher failed Lost: another worker's lease expired, or a hand-over was cut off.",
    registers: [],
  });
  return {
    claims,
    leaseLosses,
    events: { claimed: () => claims.inc(), lost: () => leaseLosses.inc() },
  };
}

export interface ServerMetrics {
  registry: Registry;
  observe(method: string, route: string, status: number, seconds: number): void;
}

export function createServerMetrics(store: Store, dispatcher?: DispatcherCounters): ServerMetrics {
  const registry = new Registry();
  if (dispatcher)
    for (const counter of [dispatcher.claims, dispatcher.leaseLosses]) registry.registerMetric(counter);
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'gangplank_api_requests_total',
    help: 'HTTP requests answered by the Gangplank API server, by method, route template and status.',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'gangplank_api_request_duration_seconds',
    help: 'Time to answer an HTTP request (to the last byte handed to the socket), by method, route and status.',
    labelNames,
    // 0.5 ms … 10 s: a GET of one training takes about 1 ms on loopback, a followed log stream minutes.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'gangplank_api_trainings',
    help: 'Trainings by the state of their latest run.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await store.countTrainingsByState();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  return {
    registry,
    observe(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
  };
}
