import type { Registry, RegistryContentType } from 'prom-client';

/** A prom-client registry of either content type (Prometheus text or OpenMetrics). */
export type AnyRegistry = Registry<RegistryContentType>;

/** One registry, or several served as one page (their metric names must not clash). */
export type MetricsSource = AnyRegistry | readonly AnyRegistry[];

/** A rendered `/metrics` page. */
export interface Exposition {
  /** The registry's content type, e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  readonly body: string;
}

/**
 * Renders the exposition text of `source`, for frameworks that want a body and a content type rather than a Node
 * `(req, res)` handler (Fastify: `reply.type(contentType).send(body)`).
 *
 * Several registries are concatenated in order; they must share one content type (Prometheus text or OpenMetrics).
 */
export async function renderMetrics(source: MetricsSource): Promise<Exposition> {
  const registries: readonly AnyRegistry[] = Array.isArray(source) ? source : [source as AnyRegistry];
  const first = registries[0];
  if (first === undefined) throw new TypeError('renderMetrics: pass at least one registry');
  const contentType = first.contentType;
  if (registries.length === 1) return { contentType, body: await first.metrics() };
  if (registries.some((r) => r.contentType !== contentType)) {
    throw new TypeError(
      'renderMetrics: all registries must have the same content type to be served as one page',
    );
  }
  const pages = await Promise.all(registries.map((r) => r.metrics()));
  if (contentType.startsWith('application/openmetrics-text')) {
    // Each OpenMetrics page ends with "# EOF"; only the last may.
    return { contentType, body: `${pages.map((p) => p.replace(/# EOF\n?$/, '')).join('')}# EOF\n` };
  }
  return { contentType, body: pages.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('\n') };
}
