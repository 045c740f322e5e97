import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toError } from '../to-error.js';
import { renderMetrics } from './exposition.js';
import type { MetricsSource } from './exposition.js';

const gzipAsync = promisify(gzip);

/** Bodies smaller than this are sent uncompressed: gzip's header and CPU cost outweigh the bytes saved. */
const GZIP_MIN_BYTES = 1024;

export interface MetricsHandlerOptions {
  /**
   * Told about failures to render the page (a collector that throws); the request gets a 500 either way.
   * @default nothing (the 500 response carries the message)
   */
  readonly onError?: (error: unknown) => void;
  /**
   * Compress the page when the scraper accepts gzip (Prometheus always does).
   * @default true
   */
  readonly gzip?: boolean;
}

/** A Node request handler; returns nothing and never throws or rejects. */
export type MetricsRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A `(req, res)` handler that answers with the exposition of `source`, whatever the path: mount it where you want
 * the page (`http.createServer`, Express `app.get('/metrics', handler)`, Koa/Fastify through their raw request
 * and response). GET and HEAD get the page, other methods a 405.
 *
 * @example
 * ```ts
 * const handler = metricsHandler(registry);
 * http.createServer((req, res) => (req.url === '/metrics' ? handler(req, res) : appHandler(req, res)));
 * ```
 */
export function metricsHandler(
  source: MetricsSource,
  options: MetricsHandlerOptions = {},
): MetricsRequestHandler {
  const compress = options.gzip ?? true;
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed: use GET or HEAD\n');
      return;
    }
    void respond(source, req, res, compress, options.onError);
  };
}

async function respond(
  source: MetricsSource,
  req: IncomingMessage,
  res: ServerResponse,
  compress: boolean,
  onError: ((error: unknown) => void) | undefined,
): Promise<void> {
  try {
    const { contentType, body } = await renderMetrics(source);
    const accepts = compress && /\bgzip\b/i.test(req.headers['accept-encoding'] ?? '');
    const raw = Buffer.from(body, 'utf8');
    const payload = accepts && raw.length >= GZIP_MIN_BYTES ? await gzipAsync(raw) : raw;
    const headers: Record<string, string | number> = {
      'Content-Type': contentType,
      'Content-Length': payload.length,
      'Cache-Control': 'no-store',
      Vary: 'Accept-Encoding',
    };
    if (payload !== raw) headers['Content-Encoding'] = 'gzip';
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  } catch (error) {
    try {
      onError?.(error);
    } catch {
      // The hook's own failure must not turn into an unhandled rejection.
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const message = toError(error).message;
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Failed to collect metrics: ${message}\n`);
  }
}
