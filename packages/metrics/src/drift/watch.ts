/**
 * Which data a detector watches in `check(x, y)`: the model's `'inputs'` (x, data drift), its `'outputs'`
 * (y, prediction drift, as in Gangplank's examples), or whatever a function derives from both (e.g. one output
 * of a multi-output model).
 */
export type WatchedData<X = unknown, Y = unknown> = 'inputs' | 'outputs' | ((x: X, y: Y) => unknown);

export function pickWatched<X, Y>(source: WatchedData<X, Y>, x: X, y: Y): unknown {
  if (source === 'outputs') return y;
  if (source === 'inputs') return x;
  if (typeof source === 'function') return source(x, y);
  throw new TypeError(
    `drift detector 'watch' option must be 'inputs', 'outputs' or a function, got ${String(source)}`,
  );
}
