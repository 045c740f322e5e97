/** Conversions between domain values and what the SQL tables hold, shared by the store's aggregate modules. */
import type { SqlParam } from './sql-driver.js';

export type Row = Record<string, unknown>;

/** Run states that still need a worker; an SQL list for `state IN …`. */
export const ACTIVE_STATES = `('scheduling', 'running')`;

export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

export function optionalIso(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : iso(value);
}

export function optional<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Process output may hold NUL bytes or broken surrogates, which PostgreSQL refuses in text and jsonb: they
 * become U+FFFD instead of failing the write.
 */
export function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATES, '\uFFFD');
}

function sanitize(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(sanitize);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), sanitize(v)]));
  }
  return value;
}

/** JSON text for a `jsonb` parameter, with the characters PostgreSQL refuses replaced. */
export function json(value: unknown): string {
  return JSON.stringify(sanitize(value));
}

/** `IN ($k, $k+1, …)` placeholders for `values`, appended to `params`. */
export function inList(params: SqlParam[], values: readonly string[]): string {
  const start = params.length;
  params.push(...values);
  return `(${values.map((_, i) => `$${start + i + 1}`).join(', ')})`;
}

/** `count(*)` comes back as a string from `pg` (bigint) and as a number from PGlite. */
export function count(rows: readonly { n?: unknown }[]): number {
  return Number(rows[0]?.n ?? 0);
}
