import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toError } from '../to-error.js';
import { metricsHandler } from './handler.js';
import type { MetricsSource } from './exposition.js';

/** Where a standalone metrics server listens. Unlike Gangplank (any path, all interfaces), loopback and one path. */
export interface MetricsServerOptions {
  /** The registry (or registries) to serve. */
  readonly registry: MetricsSource;
  /** TCP port; 0 picks a free one (read it back from {@link MetricsServer.port}). */
  readonly port: number;
  /**
   * Interface to bind. Pass `'0.0.0.0'` (or `'::'`) only when Prometheus scrapes from another host.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * The one path that answers; every other path gets a 404.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * Told about failures after the server started (page rendering, socket errors).
   * @default nothing
   */
  readonly onError?: (error: unknown) => void;
}

/** A running standalone `/metrics` server. It never keeps the process alive by itself. */
export interface MetricsServer {
  /** The page's full URL, e.g. `http://127.0.0.1:8561/metrics`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening and closes open connections; resolves when the socket is closed. Safe to call twice. */
  close(): Promise<void>;
}

/** A metrics server that could not start (port in use, no permission, bad address). */
export class MetricsServerError extends Error {
  /** The system error code, e.g. `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`. */
  readonly code: string | undefined;
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number, cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    const codeText = typeof code === 'string' ? code : undefined;
    super(`cannot serve metrics on ${hostPort(host, port)}: ${advice(codeText, cause)}`, { cause });
    this.name = 'MetricsServerError';
    this.code = codeText;
    this.host = host;
    this.port = port;
  }
}

/**
 * Starts a standalone HTTP server that answers `GET|HEAD <path>` with the exposition of `registry`.
 * Rejects with a {@link MetricsServerError} when it cannot listen.
 *
 * The server and every connection it accepts are `unref()`'d: Prometheus keeps its scrape connection alive, and
 * a referenced socket would keep a finished batch job's process running until the scraper disconnects.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const port = options.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `startMetricsServer: port must be an integer from 0 to 65535 (0 = any free port), got ${port}`,
    );
  }
  if (!path.startsWith('/'))
    throw new TypeError(`startMetricsServer: path must start with "/", got "${path}"`);
  const onError = options.onError;
  const handler = metricsHandler(options.registry, onError === undefined ? {} : { onError });
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) === path) {
      handler(req, res);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Not found: metrics are served at ${path}\n`);
  });
  server.on('connection', (socket) => socket.unref());
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown): void => reject(new MetricsServerError(host, port, error));
    server.once('error', fail);
    server.listen({ port, host }, () => {
      server.off('error', fail);
      resolve();
    });
  });
  server.unref();
  server.on('error', (error) => onError?.(error));
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPort(host, address.port)}${path}`,
    host,
    port: address.port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections (Prometheus holds one) would otherwise delay the close callback.
        server.closeAllConnections();
      })),
  };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function advice(code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'the address is already in use (EADDRINUSE); pick another port, pass port 0 for a free one, or serve from your own server with metricsHandler()';
    case 'EACCES':
      return 'permission denied (EACCES); ports below 1024 need privileges, pick a higher port';
    case 'EADDRNOTAVAIL':
      return 'the host address is not on this machine (EADDRNOTAVAIL); use 127.0.0.1, 0.0.0.0 or a local interface';
    default:
      return toError(cause).message;
  }
}
