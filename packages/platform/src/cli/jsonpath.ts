import { JSONPath } from 'jsonpath-plus';
import { UsageError } from './errors.js';

/**
 * Normalises the JSONPath forms people type: Odahu's docs use both `$[0].status.artifacts[0].runId` and
 * `[*].spec.model.name` (no `$`), kubectl users type `{.items[*].id}` or `{[*].id}`.
 */
export function normalizeJsonPath(expr: string): string {
  let path = expr.trim();
  if (path.startsWith('{') && path.endsWith('}')) path = path.slice(1, -1).trim();
  if (path === '') throw new UsageError('empty jsonpath expression; for example jsonpath=$[0].id');
  if (path.startsWith('$')) return path;
  if (path.startsWith('[') || path.startsWith('.')) return `$${path}`;
  return `$.${path}`;
}

/** Rejects what jsonpath-plus would silently misread (unbalanced brackets or quotes). */
function checkBalanced(path: string): void {
  let depth = 0;
  let quote: string | undefined;
  for (const ch of path) {
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') {
      depth--;
      if (depth < 0) break;
    }
  }
  if (depth !== 0 || quote)
    throw new UsageError(`invalid jsonpath expression ${path}: unbalanced brackets or quotes`);
}

/** Evaluates a JSONPath expression; returns every match (filters run in jsonpath-plus' safe evaluator). */
export function evaluateJsonPath(expr: string, data: unknown): unknown[] {
  const path = normalizeJsonPath(expr);
  checkBalanced(path);
  try {
    return JSONPath<unknown[]>({ path, json: data as object, wrap: true, eval: 'safe' });
  } catch (err) {
    throw new UsageError(`invalid jsonpath expression ${path}: ${(err as Error).message}`);
  }
}

/** One line per match: strings bare (a single `runId` prints as `abc`, like odahuflowctl), others as JSON. */
export function formatJsonPathMatches(matches: readonly unknown[]): string {
  return matches.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join('\n');
}
