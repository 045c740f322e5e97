/**
 * `svgPlot`: line plots of metric series as an inline SVG string, no charting library. Pure and self-contained
 * (it uses nothing outside its own body) because the web page receives this very function through
 * `Function.prototype.toString`, so the page and the unit tests run the same code.
 */

export interface PlotSeries {
  name: string;
  /** `[x, y]` pairs, x ascending; a non-finite x or y breaks the line there. */
  points: readonly (readonly [number, number])[];
}

export interface PlotOptions {
  /** @default 480 */
  width?: number;
  /** @default 220 */
  height?: number;
  /** Drawn above the plot area. @default "" */
  title?: string;
  /** `time`: x is Unix seconds, labelled as local clock time. @default "number" */
  xFormat?: 'time' | 'number';
}

export function svgPlot(series: readonly PlotSeries[], options: PlotOptions = {}): string {
  const width = options.width ?? 480;
  const height = options.height ?? 220;
  const title = options.title ?? '';
  const left = 60;
  const right = 12;
  const top = title ? 26 : 10;
  const bottom = 28;
  const colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];
  const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => '&#' + String(c.charCodeAt(0)) + ';');
  const fmt = (v: number): string => {
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
  };
  const fmtX = (x: number): string =>
    options.xFormat === 'time' ? new Date(x * 1000).toTimeString().slice(0, 8) : fmt(x);
  const ok = (p: readonly [number, number]): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]);

  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of series)
    for (const p of s.points) {
      if (!ok(p)) continue;
      x0 = Math.min(x0, p[0]);
      x1 = Math.max(x1, p[0]);
      y0 = Math.min(y0, p[1]);
      y1 = Math.max(y1, p[1]);
    }
  let out =
    '<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 ' +
    String(width) +
    ' ' +
    String(height) +
    '" width="' +
    String(width) +
    '" height="' +
    String(height) +
    '" role="img" aria-label="' +
    esc(title || 'plot') +
    '">';
  if (title) out += '<text class="title" x="' + String(left) + '" y="16">' + esc(title) + '</text>';
  if (x0 > x1) {
    return (
      out +
      '<text class="empty" x="' +
      String(width / 2) +
      '" y="' +
      String(height / 2) +
      '">no data</text></svg>'
    );
  }
  // A flat series or a single point still gets a visible, centred range.
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  if (y0 === y1) {
    const d = Math.abs(y0) / 2 || 1;
    y0 -= d;
    y1 += d;
  }
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const sx = (x: number): number => Math.round((left + ((x - x0) / (x1 - x0)) * plotW) * 10) / 10;
  const sy = (y: number): number => Math.round((top + plotH - ((y - y0) / (y1 - y0)) * plotH) * 10) / 10;

  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    out +=
      '<line class="grid" x1="' +
      String(left) +
      '" x2="' +
      String(width - right) +
      '" y1="' +
      String(sy(y)) +
      '" y2="' +
      String(sy(y)) +
      '"/>';
    out +=
      '<text class="tick" text-anchor="end" x="' +
      String(left - 4) +
      '" y="' +
      String(sy(y) + 4) +
      '">' +
      esc(fmt(y)) +
      '</text>';
  }
  for (let i = 0; i <= 3; i++) {
    const x = x0 + ((x1 - x0) * i) / 3;
    const anchor = i === 0 ? 'start' : i === 3 ? 'end' : 'middle';
    out +=
      '<text class="tick" text-anchor="' +
      anchor +
      '" x="' +
      String(sx(x)) +
      '" y="' +
      String(height - 8) +
      '">' +
      esc(fmtX(x)) +
      '</text>';
  }
  out +=
    '<rect class="frame" x="' +
    String(left) +
    '" y="' +
    String(top) +
    '" width="' +
    String(plotW) +
    '" height="' +
    String(plotH) +
    '"/>';

  series.forEach((s, index) => {
    const color = colors[index % colors.length] ?? '#000';
    let d = '';
    let run = 0;
    let last: readonly [number, number] | undefined;
    for (const p of s.points) {
      if (!ok(p)) {
        run = 0;
        continue;
      }
      d += (run === 0 ? 'M' : 'L') + String(sx(p[0])) + ' ' + String(sy(p[1])) + ' ';
      run++;
      last = p;
    }
    if (d)
      out +=
        '<path class="line" fill="none" stroke-width="1.8" stroke="' +
        color +
        '" d="' +
        d.trim() +
        '"><title>' +
        esc(s.name) +
        '</title></path>';
    // A lone point (one epoch so far) draws no visible line: mark the latest value.
    if (last)
      out +=
        '<circle cx="' +
        String(sx(last[0])) +
        '" cy="' +
        String(sy(last[1])) +
        '" r="2.5" fill="' +
        color +
        '"/>';
    out +=
      '<text class="legend" fill="' +
      color +
      '" text-anchor="end" x="' +
      String(width - right - 4) +
      '" y="' +
      String(top + 14 + index * 14) +
      '">' +
      esc(s.name) +
      '</text>';
  });
  return out + '</svg>';
}
