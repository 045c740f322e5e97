import { yamlLibrary } from '../domain/yaml-library.js';
import { UsageError } from './errors.js';
import { evaluateJsonPath, formatJsonPathMatches } from './jsonpath.js';
import { renderTable, type Column } from './table.js';

/** `-o` values: odahuflowctl's `yaml` (default), `json`, `table`, `jsonpath=EXPR`. */
export type OutputFormat =
  { kind: 'yaml' } | { kind: 'json' } | { kind: 'table' } | { kind: 'jsonpath'; expr: string };

export const OUTPUT_HELP =
  'output format: yaml, json, table or jsonpath=EXPR (e.g. jsonpath=$[0].status.state)';

export function parseOutputFormat(text: string | undefined): OutputFormat {
  const value = (text ?? 'yaml').trim();
  if (value === 'yaml' || value === 'yml') return { kind: 'yaml' };
  if (value === 'json') return { kind: 'json' };
  if (value === 'table' || value === 'wide') return { kind: 'table' };
  const m = /^jsonpath\s*=\s*(.*)$/s.exec(value);
  if (m) return { kind: 'jsonpath', expr: m[1] ?? '' };
  throw new UsageError(
    `unknown output format ${JSON.stringify(value)}; use yaml, json, table or jsonpath=EXPR`,
  );
}

/** Renders a list (odahuflowctl prints a list even for `get --id`, and its jsonpath examples rely on it). */
export function renderOutput<T>(
  items: readonly T[],
  format: OutputFormat,
  columns: readonly Column<T>[],
): string {
  switch (format.kind) {
    case 'yaml':
      return items.length === 0 ? '[]' : yamlLibrary().stringify(items, { lineWidth: 0 }).trimEnd();
    case 'json':
      return JSON.stringify(items, null, 2);
    case 'table':
      return renderTable(items, columns);
    case 'jsonpath':
      return formatJsonPathMatches(evaluateJsonPath(format.expr, items));
  }
}

/** Renders one object (settings, a single answer); a table is KEY/VALUE rows. */
export function renderObject(obj: Record<string, unknown>, format: OutputFormat): string {
  switch (format.kind) {
    case 'yaml':
      return yamlLibrary().stringify(obj, { lineWidth: 0 }).trimEnd();
    case 'json':
      return JSON.stringify(obj, null, 2);
    case 'table':
      return renderTable(Object.entries(obj), [
        { header: 'KEY', get: ([k]) => k },
        { header: 'VALUE', get: ([, v]) => v },
      ]);
    case 'jsonpath':
      return formatJsonPathMatches(evaluateJsonPath(format.expr, obj));
  }
}
