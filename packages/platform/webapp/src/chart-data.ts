/**
 * From history points to the aligned columns uPlot draws: the x of each point by the chosen axis (step, wall
 * time, or seconds since the run's first point), TensorBoard's smoothing, and no values a log axis cannot show.
 * Pure.
 */
import { debiasedEma } from './ema.js';
import type { ScalarPoint } from './history.js';

export type XAxis = 'step' | 'wall' | 'relative';

export interface Line {
  label: string;
  points: readonly ScalarPoint[];
  /** Unix seconds the relative axis counts from (the run's first point); defaults to this line's first point. */
  origin?: number;
}

export interface ChartView {
  x: XAxis;
  log: boolean;
  /** 0 (raw) to 0.99. */
  smoothing: number;
}

/** One line's x and y columns, ordered by x, one value per x (the latest recorded wins). */
export function lineColumns(line: Line, view: ChartView): [number[], (number | null)[]] {
  const origin = line.origin ?? Math.min(...line.points.map((p) => p.time));
  const byX = new Map<number, number>();
  const ordered = line.points.slice().sort((a, b) => a.step - b.step || a.time - b.time);
  for (const p of ordered) {
    const x = view.x === 'step' ? p.step : view.x === 'wall' ? p.time : p.time - origin;
    byX.set(x, p.value);
  }
  const xs = [...byX.keys()].sort((a, b) => a - b);
  const raw = xs.map((x) => byX.get(x) ?? null);
  const ys = debiasedEma(raw, view.smoothing).map((v) =>
    v === null || !Number.isFinite(v) || (view.log && v <= 0) ? null : v,
  );
  return [xs, ys];
}

/** Several lines on one shared x column (uPlot's aligned data); missing points are null. */
export function alignLines(
  lines: readonly Line[],
  view: ChartView,
  views: readonly ChartView[] = [],
): [number[], ...(number | null)[][]] {
  const columns = lines.map((line, i) => lineColumns(line, views[i] ?? view));
  const xs = [...new Set(columns.flatMap(([x]) => x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = columns.map(([lineXs, lineYs]) => {
    const out: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    lineXs.forEach((x, i) => {
      out[index.get(x) ?? 0] = lineYs[i] ?? null;
    });
    return out;
  });
  return [xs, ...ys];
}

/** Ten colours that stay apart on white (Tableau 10). */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length] ?? '#4e79a7';
}
