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
const CLOCK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

function xAxis(view: ChartView): uPlot.Axis {
  const label = view.x === 'step' ? 'step' : view.x === 'wall' ? 'time' : 'time since start';
  if (view.x === 'relative')
    return { label, values: (_u, splits) => splits.map((s) => clock(s)), space: 60, incrs: CLOCK_STEPS };
  return view.x === 'wall' ? { label, space: 80 } : { label, space: 50 };
}

function yAxis(): uPlot.Axis {
  return { values: (_u, splits) => splits.map((s) => number(s)), size: 60 };
}

function widthOf(box: HTMLElement): number {
  return Math.max(280, Math.floor(box.getBoundingClientRect().width || 520));
}

/** A figure with one chart of `lines` on a shared x axis; `box` sizes it. */
export function lineChart(
  title: string,
  lines: readonly ChartLine[],
  view: ChartView,
  box: HTMLElement,
): Drawn {
  const figure = h('figure', { class: 'chart', dataset: { title } }, h('figcaption', {}, title));
  box.appendChild(figure);
  const data = alignLines(lines, view) as uPlot.AlignedData;
  const options: uPlot.Options = {
    width: widthOf(figure),
    height: HEIGHT,
    scales: {
      x: { time: view.x === 'wall' },
      y: view.log ? { distr: 3, log: 10 } : {},
    },
    axes: [xAxis(view), yAxis()],
    series: [
      {
        label: view.x === 'step' ? 'step' : 'time',
        value: (_u, v) =>
          view.x === 'relative'
            ? clock(v)
            : view.x === 'wall'
              ? new Date(v * 1000).toLocaleTimeString()
              : String(v),
      },
      ...lines.map((line, i): uPlot.Series => ({
        label: line.label,
        stroke: line.colour ?? colour(i),
        width: 1.75,
        spanGaps: true,
        points: { show: (data[0]?.length ?? 0) <= 60, size: 4 },
        value: (_u, v) => number(v),
        ...(line.dashed ? { dash: [6, 4] } : {}),
      })),
    ],
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  };
  const plot = new uPlot(options, data, figure);
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
    legend: { live: true },
  };
  const plot = new uPlot(options, data, figure);
  return { figure, destroy: () => plot.destroy() };
}
