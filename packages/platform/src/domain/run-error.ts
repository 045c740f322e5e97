import type { ExecutorReason } from './executor.js';

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

/** Message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
