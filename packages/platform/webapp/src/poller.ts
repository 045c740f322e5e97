/** Runs `tick` now and again `everyMs` after each one settles, until stopped (no overlapping ticks). */
export function poll(tick: () => Promise<void>, everyMs: number): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async (): Promise<void> => {
    try {
      await tick();
    } finally {
      if (!stopped) timer = setTimeout(() => void run(), everyMs);
    }
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
