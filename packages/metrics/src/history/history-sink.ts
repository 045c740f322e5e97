/**
 * Where history batches go: the API server's history endpoint (`GANGPLANK_HISTORY_URL`, bearer
 * `GANGPLANK_HISTORY_TOKEN`) or, with no server, a JSON-lines file (`GANGPLANK_HISTORY_FILE`, what
 * `gangplank local train run` reads). A sink says whether a failed batch is worth retrying.
 */
import { appendFile } from 'node:fs/promises';
import type { HistoryPoint } from './history-point.js';

export type SendOutcome =
  | { ok: true }
  /** A network failure, a timeout, a 408, 429 or 5xx: the same batch later. */
  | { ok: false; retry: true; error: Error }
  /** Refused for good (the run ended, the history is full, a bad point): drop the batch. */
  | { ok: false; retry: false; error: Error };

export interface HistorySink {
  send(points: readonly HistoryPoint[]): Promise<SendOutcome>;
  /** Where the points go, for messages. */
  readonly target: string;
}

export interface HttpSinkOptions {
  url: string;
  token?: string | undefined;
  /** One request's deadline. @default 10000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

function answerText(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: show the start of the text.
  }
  return body.slice(0, 200);
}

export function httpHistorySink(options: HttpSinkOptions): HistorySink {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  return {
    target: options.url,
    async send(points) {
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ points }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const why =
          error instanceof Error
            ? error.cause instanceof Error
              ? error.cause.message
              : error.message
            : String(error);
        return {
          ok: false,
          retry: true,
          error: new Error(`recording history to ${options.url} failed: ${why}`),
        };
      }
      if (response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: true };
      }
      const text = await response.text().catch(() => '');
      const status = response.status;
      const error = new Error(`recording history to ${options.url} failed: ${status} ${answerText(text)}`);
      const retry = status === 408 || status === 429 || status >= 500;
      return { ok: false, retry, error };
    },
  };
}

/** Appends each batch as JSON lines; one write at a time, in order. */
export function fileHistorySink(file: string): HistorySink {
  return {
    target: file,
    async send(points) {
      try {
        await appendFile(file, points.map((p) => `${JSON.stringify(p)}\n`).join(''));
        return { ok: true };
      } catch (error) {
        return {
          ok: false,
          retry: true,
          error: new Error(`writing history to ${file} failed: ${(error as Error).message}`),
        };
      }
    },
  };
}
