/** A run history as a table: one row per (phase, step), one column per scalar series. Pure. */
import type { HistorySeries } from '../domain/history.js';

function cell(value: number | null | undefined): string {
  if (value === undefined) return '';
  if (value === null) return 'NaN';
  return Number.isInteger(value) ? String(value) : value.toPrecision(6).replace(/\.?0+$/, '');
}

export function historyTable(series: readonly HistorySeries[]): string {
  const scalars = series.filter((s) => s.kind !== 'histogram' && !s.name.startsWith('batch_'));
  if (scalars.length === 0) return 'no history recorded yet';
  const names = [...new Set(scalars.map((s) => s.name))];
  const rows = new Map<string, { phase: string; step: number; values: Map<string, number | null> }>();
  for (const s of scalars) {
    for (const p of s.points) {
      const key = `${s.phase}\u0000${p.step}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { phase: s.phase, step: p.step, values: new Map() }));
      row.values.set(s.name, 'value' in p ? (p.value) : null);
    }
  }
  const ordered = [...rows.values()].sort((a, b) => b.phase.localeCompare(a.phase) || a.step - b.step);
  const table = [
    ['PHASE', 'STEP', ...names.map((n) => n.toUpperCase())],
    ...ordered.map((r) => [r.phase, String(r.step), ...names.map((n) => cell(r.values.get(n)))]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table
    .map((row) =>
      row
        .map((v, c) => v.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
