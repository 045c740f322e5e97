import type { ExecutorReason } from './executor-reason.js';
import { toError } from './to-error.js';

/**
 * A failure that ends a run with a known reason (`DataError`, `SourceError` …) and a message meant for the user;
 * the executor records both on the run. Anything else that is thrown is recorded as `Failed` with its message.
 */
export class RunError extends Error {
  override name = 'RunError';
  constructor(
    readonly reason: ExecutorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Message of anything thrown: an Error's message, else the value as text. */
export function errorText(error: unknown): string {
  return toError(error).message;
}
