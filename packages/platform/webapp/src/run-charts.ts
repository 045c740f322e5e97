/**
 * The charts of one run: a line chart per metric group (train and validation together) and a distribution chart
 * per weights histogram, redrawn only when the points or the settings change.
 */
import { chartGroups } from './chart-groups.js';
import { lineColumns, type ChartView } from './chart-data.js';
import { distributionChart, lineChart, type Drawn } from './chart.js';
import { basisValues, BASIS_POINTS } from './distribution.js';
import { fill, h } from './dom.js';
import type { HistogramSeries, ScalarSeries } from './history.js';

export interface RunCharts {
  draw(
    scalars: readonly ScalarSeries[],
    histograms: readonly HistogramSeries[],
    view: ChartView,
    origin: number | undefined,
  ): void;
  dispose(): void;
}

function signature(
  scalars: readonly ScalarSeries[],
  histograms: readonly HistogramSeries[],
  view: ChartView,
): string {
  const counts = [...scalars, ...histograms].map(
    (s) => `${s.phase}/${s.name}:${s.points.length}:${s.points.at(-1)?.time ?? 0}`,
  );
  return JSON.stringify([view, counts]);
}

/** Columns of a distribution chart: x per point and the nine basis-point values per x. */
function distributionColumns(
  series: HistogramSeries,
  view: ChartView,
  origin: number | undefined,
): [number[], (number | null)[][]] {
  const points = series.points.slice().sort((a, b) => a.step - b.step || a.time - b.time);
  const start = origin ?? Math.min(...points.map((p) => p.time));
  const xs = points.map((p) => (view.x === 'step' ? p.step : view.x === 'wall' ? p.time : p.time - start));
  const values = points.map((p) => basisValues(p.buckets));
  const columns = BASIS_POINTS.map((_bp, i) => values.map((v) => v[i] ?? null));
  return [xs, columns];
}

export function runCharts(lineBox: HTMLElement, distributionBox: HTMLElement): RunCharts {
  let drawn: Drawn[] = [];
  let last = '';
  const clear = (): void => {
    for (const chart of drawn) chart.destroy();
    drawn = [];
  };
  return {
    draw(scalars, histograms, view, origin) {
      const now = signature(scalars, histograms, view);
      if (now === last) return;
      last = now;
      clear();
      fill(lineBox);
      fill(distributionBox);
      const groups = chartGroups(scalars);
      if (groups.length === 0)
        fill(lineBox, h('p', { class: 'muted' }, 'No metrics recorded for this run yet.'));
      for (const group of groups) {
        const lines = group.lines.map((line, i) => ({
          label: line.label,
          points: line.series.points,
          dashed: line.dashed,
          colour: i === 0 ? '#4e79a7' : i === 1 ? '#f28e2b' : undefined,
          ...(origin !== undefined ? { origin } : {}),
        }));
        // A group with nothing drawable under these settings (all ≤ 0 on a log axis) still says so.
        if (lines.every((line) => lineColumns(line, view)[1].every((v) => v === null))) continue;
        drawn.push(lineChart(group.title, lines, view, lineBox));
      }
      if (histograms.length === 0) {
        fill(distributionBox, h('p', { class: 'muted' }, 'No weights histograms recorded for this run.'));
        return;
      }
      for (const series of histograms) {
        const [xs, columns] = distributionColumns(series, view, origin);
        drawn.push(distributionChart(`${series.name} (distribution)`, xs, columns, view, distributionBox));
      }
    },
    dispose: clear,
  };
}
