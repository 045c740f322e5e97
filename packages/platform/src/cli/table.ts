/** Plain-text tables in kubectl's style: upper-case headers, columns padded with three spaces. */

export interface Column<T> {
  header: string;
  get: (item: T) => unknown;
}

const MAX_CELL = 60;

function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
        ? value.toString()
        : JSON.stringify(value);
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  return oneLine.length > MAX_CELL ? `${oneLine.slice(0, MAX_CELL - 1)}…` : oneLine;
}

export function renderTable<T>(items: readonly T[], columns: readonly Column<T>[]): string {
  const rows = [columns.map((c) => c.header), ...items.map((item) => columns.map((c) => cell(c.get(item))))];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((text, i) =>
          i === r.length - 1 ? text : text + ' '.repeat((widths[i] ?? 0) - [...text].length),
        )
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

/** `3m`, `2h`, `5d` since an ISO time (kubectl's AGE column); `-` for missing or zero times. */
export function age(iso: unknown, now: number): string {
  if (typeof iso !== 'string') return '-';
  const t = Date.parse(iso);
  if (!Number.isFinite(t) || t <= 0) return '-';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
