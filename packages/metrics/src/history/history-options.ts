/**
 * Where an exporter records its run history: explicit option, then environment (set by the platform for every
 * run), else nowhere. A URL wins over a file.
 */
import type { Env } from '../config.js';
import { fileHistorySink, httpHistorySink, type HistorySink } from './history-sink.js';

/** Environment variables of the run history. */
export const HISTORY_ENV = {
  /** The run's history endpoint, `http(s)://…/api/v1/model/training/<id>/runs/<runId>/history`. */
  url: 'GANGPLANK_HISTORY_URL',
  /** Bearer credential of the run (only lets it add points to its own history). */
  token: 'GANGPLANK_HISTORY_TOKEN',
  /** A JSON-lines file to append the points to, when no server records them (`gangplank local train run`). */
  file: 'GANGPLANK_HISTORY_FILE',
} as const;

export interface HistoryOptions {
  /** @default env `GANGPLANK_HISTORY_URL` */
  url?: string;
  /** @default env `GANGPLANK_HISTORY_TOKEN` */
  token?: string;
  /** @default env `GANGPLANK_HISTORY_FILE` */
  file?: string;
  /** Points held while the server is away; past it new ones are dropped and counted. @default 100000 */
  bufferPoints?: number;
  /** Points per request. @default 2000 */
  batchPoints?: number;
  /** One request's deadline in ms. @default 10000 */
  requestTimeoutMs?: number;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The sink for the options and environment, or undefined when history is not recorded. */
export function resolveHistorySink(
  option: HistoryOptions | false | undefined,
  env: Env,
): HistorySink | undefined {
  if (option === false) return undefined;
  const url = nonEmpty(option?.url) ?? nonEmpty(env[HISTORY_ENV.url]);
  if (url) {
    return httpHistorySink({
      url,
      token: nonEmpty(option?.token) ?? nonEmpty(env[HISTORY_ENV.token]),
      ...(option?.requestTimeoutMs !== undefined ? { timeoutMs: option.requestTimeoutMs } : {}),
    });
  }
  const file = nonEmpty(option?.file) ?? nonEmpty(env[HISTORY_ENV.file]);
  return file ? fileHistorySink(file) : undefined;
}
