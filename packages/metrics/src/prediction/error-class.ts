import { MAX_ERROR_CLASSES, OTHER_ERROR_CLASS } from './names.js';

/** Longest `error` label value kept; longer class names are cut. */
const MAX_CLASS_LENGTH = 64;

/**
 * The class name of a thrown value, as a label value: `TypeError`, `RangeError`, a custom class name, `NonError`
 * for thrown non-Error values (strings, plain objects). Characters outside `[A-Za-z0-9_.:-]` become `_`.
 */
export function errorClassOf(error: unknown): string {
  let name: string | undefined;
  if (error instanceof Error) {
    const ctor = (error as { constructor?: { name?: unknown } }).constructor;
    name =
      typeof ctor?.name === 'string' && ctor.name !== '' && ctor.name !== 'Object' ? ctor.name : error.name;
  } else if (
    error !== null &&
    typeof error === 'object' &&
    typeof (error as { name?: unknown }).name === 'string'
  ) {
    // Errors from another realm (vm contexts, some native bindings) fail instanceof but still carry a name.
    name = (error as { name: string }).name;
  }
  if (name === undefined || name === '') return 'NonError';
  return name.slice(0, MAX_CLASS_LENGTH).replace(/[^A-Za-z0-9_.:-]/g, '_');
}

/**
 * Hands out bounded `error` label values: the first {@link MAX_ERROR_CLASSES} distinct classes keep their name,
 * later ones become {@link OTHER_ERROR_CLASS}, so a model that throws generated class names cannot grow the
 * registry without bound.
 */
export class ErrorClassLimiter {
  readonly #seen = new Set<string>();
  readonly #limit: number;

  /** @param limit - distinct classes kept. @default {@link MAX_ERROR_CLASSES} */
  constructor(limit: number = MAX_ERROR_CLASSES) {
    this.#limit = limit;
  }

  /** The label value to use for `error`. */
  labelFor(error: unknown): string {
    const name = errorClassOf(error);
    if (this.#seen.has(name)) return name;
    if (this.#seen.size >= this.#limit) return OTHER_ERROR_CLASS;
    this.#seen.add(name);
    return name;
  }
}
