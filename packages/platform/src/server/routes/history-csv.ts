/**
 * A run history as CSV: `phase,name,step,time,value`, one row per scalar point in series order. Histograms are
 * left out (their buckets do not fit one value column; the JSON form has them). Non-finite values are written as
 * `NaN`, `Inf`, `-Inf`. Pure.
 */
import type { HistorySeries } from '../../domain/history.js';

const HEADER = 'phase,name,step,time,value';

/** Quotes a field when CSV needs it; a leading formula character is neutralised for spreadsheets. */
function field(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function historyCsv(series: readonly HistorySeries[]): string {
  const lines = [HEADER];
  for (const s of series) {
    if (s.kind === 'histogram') continue;
    const name = field(s.name);
    for (const p of s.points) lines.push(`${s.phase},${name},${p.step},${p.time},${number(p.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
