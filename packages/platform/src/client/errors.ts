/**
 * The two ways a call to the API can fail: the server answered with an error ({@link ApiError}), or it could not
 * be reached at all ({@link UnreachableError}).
 */

/** The server answered with a non-2xx status; `message` is the server's own `{"message": …}` text. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status code of the answer. */
    readonly status: number,
    /** Method and path of the request, for diagnostics. */
    readonly request: string,
  ) {
    super(message);
  }
}

/** The request never got an HTTP answer (refused, DNS, timeout). */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(
      `cannot reach the Gangplank API at ${url}: ${describeCause(cause)} ` +
        '(is the server running? start one with gangplank serve, or point at another with --url or gangplank login)',
      { cause },
    );
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const code =
      inner instanceof Error ? ((inner as NodeJS.ErrnoException).code ?? inner.message) : undefined;
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') return 'no answer before the timeout';
    return code ?? cause.message;
  }
  return String(cause);
}
