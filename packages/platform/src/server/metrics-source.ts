/**
 * Reads a run's `gangplank_train_*` series for the web page's plots: a `query_range` against Prometheus when one is
 * configured, else the Pushgateway's current values (one point per series). The browser never talks to either.
 * Parsing is pure; the fetches are injectable.
 */

export interface MetricSeries {
  name: string;
  labels: Record<string, string>;
  /** `[unix seconds, value]`, oldest first. */
  points: [number, number][];
}

export interface TrainingMetrics {
  /** Where the points came from; `none` when neither Prometheus nor a Pushgateway is configured. */
  source: 'prometheus' | 'pushgateway' | 'none';
  series: MetricSeries[];
  /** Why the series may be empty (an unreachable backend), for the page to show. */
  warning?: string;
}

export interface MetricsQuery {
  trainingId: string;
  runId?: string;
  /** Unix seconds. */
  start: number;
  end: number;
}

export interface MetricsSourceOptions {
  prometheusUrl?: string;
  pushgatewayUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default 5000 */
  timeoutMs?: number;
}

export const TRAIN_METRICS = 'gangplank_train_.*';

const quote = (value: string): string => '"' + value.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n') + '"';

/** PromQL selector of a training's (and optionally one run's) train series. */
export function trainSelector(trainingId: string, runId?: string): string {
  const run = runId ? `, run_id=${quote(runId)}` : '';
  return `{__name__=~"${TRAIN_METRICS}", training=${quote(trainingId)}${run}}`;
}

/** Step that keeps a range under ~300 points per series (Prometheus refuses more than 11000). */
export function stepFor(start: number, end: number): number {
  return Math.max(1, Math.ceil((end - start) / 300));
}

/** Reads a `query_range` answer (`resultType: matrix`). */
export function seriesFromMatrix(body: unknown): MetricSeries[] {
  const result = (body as { data?: { result?: unknown } } | null)?.data?.result;
  if (!Array.isArray(result)) return [];
  const out: MetricSeries[] = [];
  for (const item of result as { metric?: Record<string, string>; values?: unknown }[]) {
    const { __name__: name, ...labels } = item.metric ?? {};
    if (!name || !Array.isArray(item.values)) continue;
    const points: [number, number][] = [];
    for (const pair of item.values as unknown[]) {
      if (!Array.isArray(pair)) continue;
      const t = Number(pair[0]);
      const v = Number(pair[1]);
      if (Number.isFinite(t) && Number.isFinite(v)) points.push([t, v]);
    }
    out.push({ name, labels, points });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads the Pushgateway's `/api/v1/metrics` answer: the training's (and run's) train gauges, one point each. */
export function seriesFromGateway(body: unknown, query: MetricsQuery, now: number): MetricSeries[] {
  const groups = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(groups)) return [];
  const out: MetricSeries[] = [];
  for (const group of groups as Record<string, unknown>[]) {
    const groupLabels = (group['labels'] ?? {}) as Record<string, string>;
    if (groupLabels['training'] !== query.trainingId) continue;
    if (query.runId && groupLabels['run_id'] !== undefined && groupLabels['run_id'] !== query.runId) continue;
    for (const [name, family] of Object.entries(group)) {
      if (!name.startsWith('gangplank_train_') || typeof family !== 'object' || family === null) continue;
      const metrics = (family as { metrics?: { labels?: Record<string, string>; value?: string }[] }).metrics;
      for (const m of metrics ?? []) {
        const value = Number(m.value);
        if (m.value === undefined || !Number.isFinite(value)) continue;
        out.push({ name, labels: { ...groupLabels, ...(m.labels ?? {}) }, points: [[now, value]] });
      }
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export type MetricsSource = (query: MetricsQuery) => Promise<TrainingMetrics>;

/** A source for the configured backends; a failing backend answers no series and a warning, never an error. */
export function createMetricsSource(options: MetricsSourceOptions): MetricsSource {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const get = async (url: string): Promise<unknown> => {
    const res = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`${url.split('?')[0] ?? url} answered ${res.status}`);
    return res.json();
  };
  return async (query) => {
    if (options.prometheusUrl) {
      const base = options.prometheusUrl.replace(/\/+$/, '');
      const range = `&start=${query.start}&end=${query.end}&step=${stepFor(query.start, query.end)}`;
      const read = async (selector: string): Promise<MetricSeries[]> =>
        seriesFromMatrix(
          await get(`${base}/api/v1/query_range?query=${encodeURIComponent(selector)}${range}`),
        );
      try {
        // A run's processes push under its `run_id`; a script run by hand may carry only the training label.
        let series = query.runId ? await read(trainSelector(query.trainingId, query.runId)) : [];
        if (series.length === 0) series = await read(trainSelector(query.trainingId));
        return { source: 'prometheus', series };
      } catch (error) {
        return { source: 'prometheus', series: [], warning: `Prometheus: ${(error as Error).message}` };
      }
    }
    if (options.pushgatewayUrl) {
      // GANGPLANK_PUSHGATEWAY_ADDR is often written host:port, as the Python client accepts it.
      const addr = options.pushgatewayUrl.replace(/\/+$/, '');
      const base = /^https?:\/\//.test(addr) ? addr : `http://${addr}`;
      try {
        const body = await get(`${base}/api/v1/metrics`);
        return {
          source: 'pushgateway',
          series: seriesFromGateway(body, query, Math.round(Date.now() / 1000)),
        };
      } catch (error) {
        return { source: 'pushgateway', series: [], warning: `Pushgateway: ${(error as Error).message}` };
      }
    }
    return { source: 'none', series: [] };
  };
}
