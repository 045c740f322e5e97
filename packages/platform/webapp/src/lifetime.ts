/**
 * What a polling view's async work checks and how the view ends: `gone` once disposed, one abort signal for its
 * requests, and the clean-ups it registered (its poll, charts, a followed log), run in order by `dispose`.
 */
import type { View } from './context.js';

export interface Lifetime extends View {
  /** True once disposed: work that finishes late draws nothing. */
  readonly gone: boolean;
  /** Aborted on dispose. */
  readonly signal: AbortSignal;
  /** Adds a clean-up for `dispose`, after the abort. */
  onDispose(cleanup: () => void): void;
}

export function lifetime(): Lifetime {
  const abort = new AbortController();
  const cleanups: (() => void)[] = [];
  return {
    get gone() {
      return abort.signal.aborted;
    },
    signal: abort.signal,
    onDispose(cleanup) {
      cleanups.push(cleanup);
    },
    dispose() {
      abort.abort();
      for (const cleanup of cleanups) cleanup();
    },
  };
}
