import { spawnSync } from 'node:child_process';
import type { Registry } from 'prom-client';

/** A fake monotonic clock in milliseconds: every read advances it by `stepMs`. */
export function steppingClock(stepMs: number): () => number {
  let now = 0;
  return () => (now += stepMs);
}

/** Runs the real `promtool check metrics` on an exposition; returns its exit code and output. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A promise with its resolve and reject functions, to hold a detector or a model mid-call. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Waits until the event loop has run pending immediates (where drift checks start). */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The value of the one sample of `name` whose labels include `labels`; throws when there is none. */
export async function sampleValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const family = (await registry.getMetricsAsJSON()).find((f) => f.name === name);
  const hit = (family?.values ?? []).find((v) =>
    Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
  );
  if (hit === undefined) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return hit.value;
}
