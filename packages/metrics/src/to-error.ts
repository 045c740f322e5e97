/**
 * Anything thrown, as an `Error`: JavaScript lets code throw strings, numbers or `undefined`, and every place that
 * reports a problem needs a message (and keeps the stack when there is one).
 */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
