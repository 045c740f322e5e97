/**
 * Our own small Pushgateway client over prom-client registries (or any exposition text). Compared with
 * prom-client's `Pushgateway`: `@base64` grouping values, any non-2xx answer (3xx included) is an error, a total
 * deadline per attempt, a keep-alive agent, retries with backoff and jitter, and a `handler` hook.
 */
import { DEFAULT_RETRY_POLICY, backoffDelay, type RetryPolicy } from './backoff.js';
import { formatGatewayAddress, parseGatewayAddress, type GatewayAddress } from './address.js';
import { toError } from '../to-error.js';
import { PushError } from './errors.js';
import { groupingPath, type PushTarget } from './grouping.js';
import {
  createNodeTransport,
  redactUrl,
  type PushMethod,
  type PushRequest,
  type PushResponse,
  type TlsOptions,
  type Transport,
} from './transport.js';

/**
 * Rewrites or performs a request. Call `send(request)` to perform it (after changing headers, URL, body…), or
 * return your own response without calling it. The seed's authentication handler is
 * `(req, send) => send({ ...req, headers: { ...req.headers, Authorization: '…' } })`; see {@link basicAuthHandler}.
 */
export type PushHandler = (request: PushRequest, send: Transport) => Promise<PushResponse>;

/** Something whose exposition text can be pushed: a prom-client `Registry`, or a function returning text. */
export type PushBody = string | { metrics(): Promise<string> | string } | (() => string | Promise<string>);

/** Clock, sleep and randomness; injected by unit tests. */
export interface ClientRuntime {
  /** Monotonic milliseconds. @default performance.now */
  now: () => number;
  /** Resolves after `ms`, or rejects when `signal` aborts. @default an unref'd setTimeout */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @default Math.random */
  random: () => number;
}

export interface PushgatewayClientOptions {
  /** TLS options for an `https://` address (CA, client certificate, `rejectUnauthorized`). */
  tls?: TlsOptions;
  /** Basic-auth credentials; credentials in the address (`http://user:pw@host`) are used when this is not set. */
  basicAuth?: { username: string; password: string };
  /** Extra headers on every request (e.g. `Authorization: Bearer …`). @default {} */
  headers?: Record<string, string>;
  /** Hook that rewrites or performs each request (authentication, signing, a custom transport). */
  handler?: PushHandler;
  /** Total deadline of one attempt (connect, send, answer), in ms. @default 5000 */
  timeoutMs?: number;
  /** Retries on network errors, timeouts and 5xx answers (never on 4xx or 3xx). @default 3 retries, 200 ms ×2, ≤5 s */
  retry?: Partial<RetryPolicy>;
  /** Reuse connections. @default true */
  keepAlive?: boolean;
  /** Replaces the HTTP transport (tests, other runtimes). */
  transport?: Transport;
  /** Clock, sleep and random source. */
  runtime?: Partial<ClientRuntime>;
}

/** What a successful push returns. */
export interface PushResult {
  status: number;
  body: string;
  attempts: number;
  /** Monotonic time from the first attempt to the answer, in ms. */
  durationMs: number;
}

/** Per-call options. */
export interface SendOptions {
  /** Cancels the push (and its retries). */
  signal?: AbortSignal;
}

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(toError(signal.reason ?? 'aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(toError(signal?.reason ?? 'aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // Retry waits never keep the process alive on their own.
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function renderBody(body: PushBody): Promise<string> {
  if (typeof body === 'string') return body;
  if (typeof body === 'function') return body();
  return body.metrics();
}

/** Ready-made `handler` adding HTTP basic authentication (the seed's `basic_auth_handler`). */
export function basicAuthHandler(username: string, password: string): PushHandler {
  const value = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return (request, send) => send({ ...request, headers: { ...request.headers, Authorization: value } });
}

/**
 * A Pushgateway client. `push` = PUT (replace the group), `pushAdd` = POST (replace the metric families sent),
 * `delete` = DELETE (remove the group).
 *
 * @example
 * const client = new PushgatewayClient('127.0.0.1:9091');
 * await client.push({ job: 'mnist', grouping: { run_id: 'r1' } }, registry);
 */
export class PushgatewayClient {
  readonly address: GatewayAddress;
  private readonly options: PushgatewayClientOptions;
  private readonly transport: Transport;
  private readonly destroyTransport: () => void;
  private readonly runtime: ClientRuntime;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly baseHeaders: Record<string, string>;

  /** @throws InvalidGatewayAddressError for an address that cannot be used. */
  constructor(address: string, options: PushgatewayClientOptions = {}) {
    this.address = parseGatewayAddress(address);
    this.options = options;
    if (options.transport) {
      this.transport = options.transport;
      this.destroyTransport = () => undefined;
    } else {
      const node = createNodeTransport({ keepAlive: options.keepAlive, tls: options.tls });
      this.transport = node.send;
      this.destroyTransport = node.destroy;
    }
    this.runtime = {
      now: options.runtime?.now ?? (() => performance.now()),
      sleep: options.runtime?.sleep ?? defaultSleep,
      random: options.runtime?.random ?? Math.random,
    };
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 5000;
    const auth =
      options.basicAuth ??
      (this.address.username !== undefined
        ? { username: this.address.username, password: this.address.password ?? '' }
        : undefined);
    this.baseHeaders = { ...options.headers };
    if (auth)
      this.baseHeaders['Authorization'] =
        `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
  }

  /** The gateway as `http(s)://host:port/prefix`, without credentials. */
  get baseUrl(): string {
    return formatGatewayAddress(this.address);
  }

  /** The full URL of a group, e.g. `http://127.0.0.1:9091/metrics/job/mnist/run_id/r1`. */
  url(target: PushTarget): URL {
    return new URL(`${this.baseUrl}${groupingPath(target)}`);
  }

  /** PUT: replaces every metric of the group with `body`. */
  push(target: PushTarget, body: PushBody, options?: SendOptions): Promise<PushResult> {
    return this.send('PUT', target, body, options);
  }

  /** POST: replaces only the metric families present in `body`. */
  pushAdd(target: PushTarget, body: PushBody, options?: SendOptions): Promise<PushResult> {
    return this.send('POST', target, body, options);
  }

  /** DELETE: removes the group (the gateway answers 202; a missing group is not an error). */
  delete(target: PushTarget, options?: SendOptions): Promise<PushResult> {
    return this.send('DELETE', target, undefined, options);
  }

  /** Sends one request with retries. Rejects with a {@link PushError}. */
  async send(
    method: PushMethod,
    target: PushTarget,
    body: PushBody | undefined,
    options: SendOptions = {},
  ): Promise<PushResult> {
    const url = this.url(target);
    const headers: Record<string, string> = { ...this.baseHeaders };
    const hasBody = method !== 'DELETE' && body !== undefined;
    if (hasBody) headers['Content-Type'] = TEXT_CONTENT_TYPE;
    const started = this.runtime.now();
    let attempt = 0;
    for (;;) {
      attempt += 1;
      // Rendered again for every attempt: after an outage the gateway gets the state of now, not of the first try.
      const text = hasBody ? await renderBody(body) : undefined;
      try {
        const res = await this.attempt({ method, url, headers: { ...headers }, body: text }, options.signal);
        return {
          status: res.status,
          body: res.body,
          attempts: attempt,
          durationMs: this.runtime.now() - started,
        };
      } catch (e) {
        const err =
          e instanceof PushError
            ? e
            : new PushError(`push ${method} ${redactUrl(url)} failed: ${String(e)}`, {
                kind: 'network',
                method,
                url: redactUrl(url),
                cause: e,
              });
        err.attempts = attempt;
        if (!err.retryable || attempt > this.retry.retries || options.signal?.aborted) {
          if (attempt > 1) err.message += ` (after ${attempt} attempts)`;
          throw err;
        }
        try {
          await this.runtime.sleep(backoffDelay(attempt, this.retry, this.runtime.random), options.signal);
        } catch {
          err.message += ` (retries cancelled after ${attempt} attempts)`;
          throw err;
        }
      }
    }
  }

  /** Closes kept-alive connections. The client can still be used afterwards (new connections are opened). */
  close(): void {
    this.destroyTransport();
  }

  private async attempt(
    req: Omit<PushRequest, 'timeoutMs' | 'signal'>,
    outer?: AbortSignal,
  ): Promise<PushResponse> {
    const controller = new AbortController();
    const timeoutError = new PushError(
      `push ${req.method} ${redactUrl(req.url)} timed out after ${this.timeoutMs} ms`,
      {
        kind: 'timeout',
        method: req.method,
        url: redactUrl(req.url),
      },
    );
    const timer = setTimeout(() => controller.abort(timeoutError), this.timeoutMs);
    timer.unref();
    const onOuter = (): void => controller.abort(outer?.reason);
    if (outer?.aborted) onOuter();
    outer?.addEventListener('abort', onOuter, { once: true });
    const request: PushRequest = { ...req, timeoutMs: this.timeoutMs, signal: controller.signal };
    try {
      const handler = this.options.handler;
      const res = await Promise.race([
        handler ? handler(request, this.transport) : this.transport(request),
        // A handler that ignores the signal must still not outlive the deadline.
        new Promise<never>((_, reject) => {
          if (controller.signal.aborted) reject(this.abortError(req, controller.signal));
          controller.signal.addEventListener('abort', () => reject(this.abortError(req, controller.signal)), {
            once: true,
          });
        }),
      ]);
      if (res.status < 200 || res.status > 299) throw this.statusError(req.method, req.url, res);
      return res;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    }
  }

  private abortError(req: { method: string; url: URL }, signal: AbortSignal): PushError {
    const reason: unknown = signal.reason;
    if (reason instanceof PushError) return reason;
    return new PushError(`push ${req.method} ${redactUrl(req.url)} cancelled`, {
      kind: 'aborted',
      method: req.method,
      url: redactUrl(req.url),
      cause: reason,
    });
  }

  private statusError(method: string, url: URL, res: PushResponse): PushError {
    const redirect = res.status >= 300 && res.status < 400;
    const hint = redirect
      ? ' (a redirect: nothing was stored; the path prefix of the address may be wrong)'
      : res.status === 400
        ? ' (the gateway rejected the metrics; a metric may have another type in another group)'
        : res.status === 401 || res.status === 403
          ? ' (authentication: set basicAuth, headers or a handler)'
          : '';
    const message = `Pushgateway ${method} ${redactUrl(url)} answered ${res.status}${res.body ? `: ${res.body}` : ''}${hint}`;
    return new PushError(message, {
      kind: 'http',
      method,
      url: redactUrl(url),
      status: res.status,
      responseBody: res.body,
    });
  }
}
