/**
 * "Run once, and again if asked meanwhile." Calls made while `work` runs start no second copy: they make the
 * running one go round once more when it ends, so every call is followed by a complete round that began after
 * it, and many calls during one round cost one more round, not many.
 */
export interface SingleFlightOptions {
  /** Checked before each extra round; false ends the loop (the owner stopped, the subject is gone). @default always */
  while?: () => boolean;
}

/**
 * Wraps `work`. It may return `true` to ask for another round itself (a page came back full: more may wait).
 * A call during a round resolves at once; the round it asked for runs on the first call's promise. A round that
 * throws ends the loop and rejects that promise; the next call starts afresh.
 */
export function singleFlight(
  work: () => Promise<boolean | void>,
  options: SingleFlightOptions = {},
): () => Promise<void> {
  let running = false;
  let again = false;
  return async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        if ((await work()) === true) again = true;
      } while (again && (options.while?.() ?? true));
    } finally {
      running = false;
      again = false;
    }
  };
}
