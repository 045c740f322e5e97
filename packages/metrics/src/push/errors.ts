/** The one error type of the push path; `kind` says whether a retry can help. */

export type PushErrorKind =
  /** The gateway answered with a status that is not 2xx (3xx included). */
  | 'http'
  /** Connection refused/reset, DNS failure, TLS failure… */
  | 'network'
  /** No complete answer within the deadline. */
  | 'timeout'
  /** Cancelled by the caller (e.g. `close()` gave up). */
  | 'aborted'
  /** Dropped from a full queue, or the request could not be built. */
  | 'dropped';

export interface PushErrorDetails {
  kind: PushErrorKind;
  method: string;
  /** URL without credentials. */
  url: string;
  status?: number;
  /** The gateway's answer (trimmed, at most 64 KiB). */
  responseBody?: string;
  attempts?: number;
  cause?: unknown;
}

/** A failed push, with the gateway's own message when it answered. */
export class PushError extends Error {
  override name = 'PushError';
  readonly kind: PushErrorKind;
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly responseBody: string | undefined;
  attempts: number;

  constructor(message: string, details: PushErrorDetails) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.kind = details.kind;
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.responseBody = details.responseBody;
    this.attempts = details.attempts ?? 1;
  }

  /** Network errors, timeouts and 5xx answers may pass on a later attempt; 4xx, 3xx and cancellations will not. */
  get retryable(): boolean {
    return (
      this.kind === 'network' ||
      this.kind === 'timeout' ||
      (this.kind === 'http' && (this.status ?? 0) >= 500)
    );
  }
}
