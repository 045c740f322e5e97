/**
 * Anything thrown, as an `Error`: JavaScript lets code throw strings, numbers or `undefined`, and the places that
 * report a failure need a message (and a stack when there is one) whatever was thrown.
 */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
