/**
 * Line and distribution charts on uPlot (bundled, so no internet is needed). The legend sits under the plot
 * (uPlot's table), never over the lines; each chart is a figure with its title as text.
 */
import uPlot from 'uplot';
import { alignLines, colour, type ChartView, type Line } from './chart-data.js';
import { BASIS_POINTS } from './distribution.js';
import { h } from './dom.js';
import { clock, number } from './format.js';

/** A chart on the page; `destroy` releases uPlot's window listeners. */
export interface Drawn {
  figure: HTMLElement;
  destroy(): void;
}

export interface ChartLine extends Line {
  /** Dashed, for validation beside training. */
  dashed?: boolean;
  colour?: string;
}

const HEIGHT = 220;
/** Tick spacings of the relative-time axis, in seconds: round clock values (0:05, 0:10, 1:00…). */
/** Steps are whole epochs or batches: no 2.5 between 2 and 3. */
const STEP_INCREMENTS = [
  1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
];
const CLOCK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

function xAxis(view: ChartView): uPlot.Axis {
  const label = view.x === 'step' ? 'step' : view.x === 'wall' ? 'time' : 'time since start';
  if (view.x === 'relative')
    return { label, values: (_u, splits) => splits.map((s) => clock(s)), space: 60, incrs: CLOCK_STEPS };
  return view.x === 'wall' ? { label, space: 80 } : { label, space: 50, incrs: STEP_INCREMENTS };
}

function yAxis(): uPlot.Axis {
  return { values: (_u, splits) => splits.map((s) => number(s)), size: 60 };
}

function widthOf(box: HTMLElement): number {
  return Math.max(280, Math.floor(box.getBoundingClientRect().width || 520));
}

function xValue(view: ChartView): (u: uPlot, v: number | null) => string {
  return (_u, v) => {
    if (v === null || v === undefined) return '—';
    if (view.x === 'relative') return clock(v);
    return view.x === 'wall' ? new Date(v * 1000).toLocaleTimeString() : String(v);
  };
}

/** `#rrggbb` at a given opacity, for the raw curves under smoothed ones. */
function faded(colour: string, alpha: number): string {
  return `${colour}${Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

function showLastWhenIdle(u: uPlot, data: uPlot.AlignedData): void {
  const last = (data[0]?.length ?? 0) - 1;
  if (last >= 0 && (u.cursor.idx === null || u.cursor.idx === undefined)) u.setLegend({ idx: last });
}

/**
 * A figure with one chart of `lines` on a shared x axis; `box` sizes it. With smoothing, the raw values stay drawn
 * faintly under the smoothed ones (as TensorBoard does), kept out of the legend.
 */
export function lineChart(
  title: string,
  lines: readonly ChartLine[],
  view: ChartView,
  box: HTMLElement,
): Drawn {
  const figure = h('figure', { class: 'chart', dataset: { title } }, h('figcaption', {}, title));
  box.appendChild(figure);
  const smoothed = view.smoothing > 0;
  const drawnLines = smoothed ? [...lines, ...lines] : lines;
  const views = drawnLines.map((_line, i) => (i < lines.length ? view : { ...view, smoothing: 0 }));
  const data = alignLines(drawnLines, view, views) as uPlot.AlignedData;
  const few = (data[0]?.length ?? 0) <= 60;
  const options: uPlot.Options = {
    width: widthOf(figure),
    height: HEIGHT,
    scales: {
      x: { time: view.x === 'wall' },
      y: view.log ? { distr: 3, log: 10 } : {},
    },
    axes: [xAxis(view), yAxis()],
    series: [
      { label: view.x === 'step' ? 'step' : 'time', value: xValue(view) },
      ...drawnLines.map((line, i): uPlot.Series => {
        const stroke = line.colour ?? colour(i % lines.length);
        const raw = i >= lines.length;
        return {
          label: line.label,
          stroke: raw ? faded(stroke, 0.25) : stroke,
          width: raw ? 1 : 1.75,
          spanGaps: true,
          points: { show: few && !raw, size: 4 },
          value: (_u, v) => number(v),
          ...(line.dashed ? { dash: [6, 4] } : {}),
        };
      }),
    ],
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    // Away from the plot the legend reads the last step, not blanks.
    hooks: { setCursor: [(u) => showLastWhenIdle(u, data)] },
  };
  const plot = new uPlot(options, data, figure);
  showLastWhenIdle(plot, data);
  if (smoothed) {
    const rows = plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
    rows.forEach((row, i) => {
      if (i > lines.length) row.style.display = 'none';
    });
  }
  return { figure, destroy: () => plot.destroy() };
}

const BAND_FILLS = [
  'rgba(78,121,167,0.15)',
  'rgba(78,121,167,0.25)',
  'rgba(78,121,167,0.35)',
  'rgba(78,121,167,0.5)',
];

/**
 * TensorBoard's distribution chart: nested bands between symmetric basis points (0–100 %, 6.68–93.32 %,
 * 15.87–84.13 %, 30.85–69.15 %) and the median as a line. `columns[i]` holds basis point i per x.
 */
export function distributionChart(
  title: string,
  xs: readonly number[],
  columns: readonly (number | null)[][],
  view: ChartView,
  box: HTMLElement,
): Drawn {
  const figure = h('figure', { class: 'chart distribution', dataset: { title } }, h('figcaption', {}, title));
  box.appendChild(figure);
  figure.appendChild(
    h(
      'p',
      { class: 'muted caption' },
      'Bands: min–max, 7–93 %, 16–84 %, 31–69 % of the weights; line: median.',
    ),
  );
  const data = [xs.slice(), ...columns.map((c) => c.slice())] as uPlot.AlignedData;
  const last = BASIS_POINTS.length;
  const bands: uPlot.Band[] = [0, 1, 2, 3].map((i) => ({
    series: [last - i, i + 1],
    fill: BAND_FILLS[i] ?? '',
  }));
  const options: uPlot.Options = {
    width: widthOf(figure),
    height: HEIGHT,
    scales: { x: { time: view.x === 'wall' } },
    axes: [xAxis(view), yAxis()],
    series: [
      { label: view.x === 'step' ? 'step' : 'time' },
      ...BASIS_POINTS.map((bp): uPlot.Series => ({
        label: `${bp / 100}%`,
        stroke: bp === 5000 ? '#2a4d75' : 'transparent',
        width: bp === 5000 ? 1.75 : 0,
        points: { show: false },
        spanGaps: true,
        value: (_u, v) => number(v),
      })),
    ],
    bands,
    // Nine percentile values per point would bury the chart; the caption says what the bands are.
    legend: { show: false },
  };
  const plot = new uPlot(options, data, figure);
  return { figure, destroy: () => plot.destroy() };
}
