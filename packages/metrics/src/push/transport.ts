/**
 * The HTTP port of the Pushgateway client and its node:http(s) adapter. Tests swap the port for a fake; the
 * adapter enforces the deadline over the whole exchange (connect, send, answer), unlike Node's idle `timeout`.
 */
import http from 'node:http';
import https from 'node:https';
import { PushError } from './errors.js';

export type PushMethod = 'PUT' | 'POST' | 'DELETE';

/** One HTTP request to the gateway, as a `handler` sees it (it may change any field). */
export interface PushRequest {
  method: PushMethod;
  url: URL;
  headers: Record<string, string>;
  /** Exposition text; `undefined` for DELETE. */
  body: string | undefined;
  /** Total deadline of this attempt, in ms. */
  timeoutMs: number;
  /** Aborted when the deadline passes or the caller gives up. */
  signal: AbortSignal;
}

export interface PushResponse {
  status: number;
  /** Response text (at most 64 KiB). */
  body: string;
}

/** Performs one request. Rejects only for transport failures; any HTTP status resolves. */
export type Transport = (request: PushRequest) => Promise<PushResponse>;

/** TLS options for `https://` gateways. */
export interface TlsOptions {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer;
  key?: string | Buffer;
  /** @default true */
  rejectUnauthorized?: boolean;
  servername?: string;
}

const MAX_BODY = 64 * 1024;

function redact(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  return u.href;
}

/** A node:http(s) transport over one keep-alive agent; `destroy()` closes its sockets. */
export interface NodeTransport {
  send: Transport;
  destroy: () => void;
}

export function createNodeTransport(options: { keepAlive?: boolean; tls?: TlsOptions } = {}): NodeTransport {
  const keepAlive = options.keepAlive ?? true;
  // Two sockets: one push in flight per group is the norm; a second serves the other phase's group.
  const httpAgent = new http.Agent({ keepAlive, maxSockets: 2 });
  const httpsAgent = new https.Agent({ keepAlive, maxSockets: 2, ...options.tls });

  const send: Transport = (request) =>
    new Promise<PushResponse>((resolve, reject) => {
      const isHttps = request.url.protocol === 'https:';
      const mod = isHttps ? https : http;
      const fail = (kind: 'network' | 'timeout' | 'aborted', message: string, cause?: unknown): PushError =>
        new PushError(message, { kind, method: request.method, url: redact(request.url), cause });
      if (request.signal.aborted) {
        reject(fail('aborted', `push ${request.method} ${redact(request.url)} cancelled before it started`));
        return;
      }
      const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
      const headers: Record<string, string | number> = { ...request.headers };
      if (body !== undefined) headers['Content-Length'] = body.length;
      const req = mod.request(request.url, {
        method: request.method,
        headers,
        agent: isHttps ? httpsAgent : httpAgent,
      });
      let settled = false;
      const finish = (err: PushError | undefined, res?: PushResponse): void => {
        if (settled) return;
        settled = true;
        request.signal.removeEventListener('abort', onAbort);
        if (err !== undefined) {
          req.destroy();
          reject(err);
        } else resolve(res!);
      };
      const onAbort = (): void => {
        const reason: unknown = request.signal.reason;
        const timedOut = reason instanceof PushError && reason.kind === 'timeout';
        finish(
          timedOut
            ? reason
            : fail('aborted', `push ${request.method} ${redact(request.url)} cancelled`, reason),
        );
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      // A push must never keep the process alive on its own: close()/flush() are what wait for it.
      req.on('socket', (socket) => socket.unref());
      req.on('error', (e) =>
        finish(fail('network', `push ${request.method} ${redact(request.url)} failed: ${e.message}`, e)),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('error', (e) =>
          finish(
            fail(
              'network',
              `push ${request.method} ${redact(request.url)} failed reading the answer: ${e.message}`,
              e,
            ),
          ),
        );
        res.on('end', () =>
          finish(undefined, {
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8').trim(),
          }),
        );
      });
      req.end(body);
    });

  return {
    send,
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

export { redact as redactUrl };
