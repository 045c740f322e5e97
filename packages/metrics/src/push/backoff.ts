/** Retry policy: exponential backoff with jitter, pure (the random source is injected). */

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. @default 3 */
  retries: number;
  /** Delay before the first retry, in ms. @default 200 */
  initialDelayMs: number;
  /** Growth factor per retry. @default 2 */
  factor: number;
  /** Upper bound of one delay, in ms. @default 5000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 3,
  initialDelayMs: 200,
  factor: 2,
  maxDelayMs: 5000,
};

/**
 * Delay before retry number `retry` (1-based): the capped exponential `initial·factor^(retry-1)`, "equal jitter"
 * (half fixed, half random), so workers that failed together do not retry in lockstep yet never retry at once.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * Math.pow(policy.factor, Math.max(0, retry - 1)),
  );
  const r = Math.min(1, Math.max(0, random()));
  return exp / 2 + (r * exp) / 2;
}
