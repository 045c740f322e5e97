/**
 * Which curves share a chart on a run's page: a metric with its validation twin (`loss` and `val_loss`), test
 * results apart, bookkeeping (timestamps, status, targets) nowhere. Losses first, then accuracies, then the rest
 * by name. Pure.
 */
import { chartKey, isCurve, seriesLabel, type ScalarSeries } from './history.js';

export interface ChartGroup {
  title: string;
  lines: { label: string; series: ScalarSeries; dashed: boolean }[];
}

function rank(title: string): number {
  const base = title.replace(/^test: /, '');
  if (base === 'loss') return 0;
  if (/loss/.test(base)) return 1;
  if (/acc/.test(base)) return 2;
  return 3;
}

export function chartGroups(series: readonly ScalarSeries[]): ChartGroup[] {
  const groups = new Map<string, ChartGroup>();
  for (const s of series) {
    if (!isCurve(s.name) || s.points.length === 0) continue;
    const title = chartKey(s);
    const group = groups.get(title) ?? { title, lines: [] };
    group.lines.push({ label: seriesLabel(s), series: s, dashed: s.name.startsWith('val_') });
    groups.set(title, group);
  }
  for (const group of groups.values())
    group.lines.sort((a, b) => Number(a.dashed) - Number(b.dashed) || a.label.localeCompare(b.label));
  return [...groups.values()].sort((a, b) => rank(a.title) - rank(b.title) || a.title.localeCompare(b.title));
}
