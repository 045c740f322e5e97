import { ApiError, UnreachableError } from './errors.js';

/** Options of the low-level transport. */
export interface HttpOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:5000`. A trailing slash is ignored. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /**
   * Per-request timeout in ms (not applied to log streams, which stay open while a training runs).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Extra attempts for GET requests that failed without an answer or with 502/503/504. Writes are never retried:
   * Odahu's client retries a PUT that got a 500, which reruns a training twice (reference §5).
   * @default 2
   */
  retries?: number;
  /**
   * How long to keep trying while the connection is refused (nothing listens yet: a server still starting), for
   * every method: a refused connection never reached a server, so nothing can run twice.
   * @default 0 (fail at once)
   */
  connectWaitMs?: number;
  /** Called once when a refused connection starts the wait of `connectWaitMs`, with a line to show. */
  onWaiting?: (message: string) => void;
  /** Injectable for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Injectable for tests. @default setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
}

const RETRIABLE = new Set([502, 503, 504]);
/** Pause between connection attempts while the server is not listening yet. */
const CONNECT_POLL_MS = 250;

/** fetch's "fetch failed" whose cause is a refused connection (also inside the per-address AggregateError). */
function isConnectionRefused(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | undefined)?.cause;
  return cause?.code === 'ECONNREFUSED' || (cause?.errors?.some((e) => e.code === 'ECONNREFUSED') ?? false);
}

/** Thin JSON-over-HTTP transport that turns `{"message": …}` answers into {@link ApiError}s. */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly connectWaitMs: number;
  private readonly onWaiting: ((message: string) => void) | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: HttpOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 2;
    this.connectWaitMs = options.connectWaitMs ?? 0;
    this.onWaiting = options.onWaiting;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  headers(json: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (json) headers['content-type'] = 'application/json';
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    return headers;
  }

  /** Sends a request and parses a JSON answer; throws ApiError on non-2xx. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body, AbortSignal.timeout(this.timeoutMs));
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(
        `the server answered with something that is not JSON: ${text.slice(0, 200)}`,
        res.status,
        `${method} ${path}`,
      );
    }
  }

  /** Opens a streaming request (log follow); the caller reads `res.body`. */
  async stream(path: string, signal?: AbortSignal): Promise<Response> {
    return this.send('GET', path, undefined, signal);
  }

  private async send(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    const attempts = method === 'GET' ? this.retries + 1 : 1;
    let waitedMs = 0;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method,
          headers: this.headers(body !== undefined),
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        });
      } catch (err) {
        if (signal?.aborted && (signal.reason as Error | undefined)?.name !== 'TimeoutError') throw err;
        if (isConnectionRefused(err) && waitedMs < this.connectWaitMs && !signal?.aborted) {
          if (waitedMs === 0) {
            this.onWaiting?.(
              `nothing listens at ${this.baseUrl} yet (connection refused); waiting up to ` +
                `${Math.round(this.connectWaitMs / 1000)} s in case the server is still starting …`,
            );
          }
          await this.sleep(CONNECT_POLL_MS);
          waitedMs += CONNECT_POLL_MS;
          attempt--; // waiting for a listener is not one of the `retries`
          continue;
        }
        if (attempt >= attempts) throw new UnreachableError(this.baseUrl, err);
        await this.sleep(200 * 2 ** attempt);
        continue;
      }
      if (res.ok) return res;
      if (RETRIABLE.has(res.status) && attempt < attempts) {
        await res.body?.cancel();
        await this.sleep(200 * 2 ** attempt);
        continue;
      }
      throw new ApiError(
        await errorMessage(res, this.baseUrl, `${method} ${path}`),
        res.status,
        `${method} ${path}`,
      );
    }
  }
}

/**
 * Reads the server's `{"message": …}`; falls back to the raw text or the status text. Every error answer of a
 * Gangplank or Odahu server has a JSON message, so a 404 without one means the URL points elsewhere (often the
 * Pushgateway, whose answer is a bare `404 page not found`): say so rather than echo that text.
 */
async function errorMessage(res: Response, baseUrl: string, request: string): Promise<string> {
  const text = await res.text().catch(() => '');
  if (res.status === 404 && !hasJsonMessage(text)) {
    const type = (res.headers.get('content-type') ?? 'no content type').split(';')[0];
    return (
      `${baseUrl} does not look like a Gangplank/Odahu API server (got 404 ${type} from ${request}); ` +
      'is it the Pushgateway? The API listens on :5000 by default'
    );
  }
  if (text) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (
        parsed &&
        typeof parsed === 'object' &&
        typeof (parsed as { message?: unknown }).message === 'string'
      ) {
        return (parsed as { message: string }).message;
      }
    } catch {
      // not JSON: use the text itself
    }
    return text.trim().slice(0, 500);
  }
  return res.statusText || `HTTP ${res.status}`;
}

function hasJsonMessage(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { message?: unknown }).message === 'string'
    );
  } catch {
    return false;
  }
}
