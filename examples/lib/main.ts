import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when the module at `moduleUrl` is the script Node was asked to run (not imported by a test). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(entry);
  } catch {
    return false;
  }
}

/**
 * Runs an example's `main`: a failure prints one clear line (the stack only with DEBUG set) and exits with 1;
 * Ctrl-C stops it with 130 after `main`'s own clean-up had a chance to run.
 */
export function runMain(main: (signal: AbortSignal) => Promise<void>): void {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    process.exitCode = 130;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  main(controller.signal).then(
    () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
    (error: unknown) => {
      const e = error as Error;
      console.error(`error: ${e.message ?? String(error)}`);
      if (process.env['DEBUG']) console.error(e.stack);
      process.exit(1);
    },
  );
}

/** Resolves after `ms`, or early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
