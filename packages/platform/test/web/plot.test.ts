import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { svgPlot } from '../../src/web/plot.js';

/** The numbers of every `M`/`L` command of the plot's paths, as [x, y] pairs. */
function pathPoints(svg: string): [number, number][][] {
  return [...svg.matchAll(/<path[^>]* d="([^"]*)"/g)].map((m) =>
    [...(m[1] ?? '').matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])]),
  );
}

describe('svgPlot', () => {
  it('scales the data range onto the plot area: smallest x left, largest y at the top', () => {
    const svg = svgPlot(
      [
        {
          name: 'loss',
          points: [
            [0, 1],
            [1, 0.5],
            [2, 0.25],
          ],
        },
      ],
      { width: 400, height: 200 },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('viewBox="0 0 400 200"');
    const [line] = pathPoints(svg);
    expect(line).toHaveLength(3);
    const [first, middle, last] = line as [[number, number], [number, number], [number, number]];
    expect(first[0]).toBe(60); // left margin
    expect(last[0]).toBe(388); // width - right margin
    expect(middle[0]).toBe(224); // halfway
    expect(first[1]).toBeLessThan(middle[1]); // y = 1 is highest, so smallest pixel y
    expect(middle[1]).toBeLessThan(last[1]);
    expect(first[1]).toBe(10); // top margin without a title
    expect(last[1]).toBe(172); // height - bottom margin
  });

  it('shares one scale between series and gives each a colour and a legend entry', () => {
    const svg = svgPlot([
      {
        name: 'loss',
        points: [
          [0, 2],
          [1, 1],
        ],
      },
      {
        name: 'val_loss',
        points: [
          [0, 4],
          [1, 3],
        ],
      },
    ]);
    const lines = pathPoints(svg);
    expect(lines).toHaveLength(2);
    // val_loss (4) is above loss (2) at x = 0
    expect(lines[1]?.[0]?.[1]).toBeLessThan(lines[0]?.[0]?.[1] ?? 0);
    expect(svg).toContain('>loss</text>');
    expect(svg).toContain('>val_loss</text>');
    expect(new Set([...svg.matchAll(/stroke="(#[0-9a-f]+)"/g)].map((m) => m[1])).size).toBe(2);
  });

  it('draws "no data" and no path for empty input or only non-finite values', () => {
    for (const series of [
      [],
      [{ name: 'x', points: [] }],
      [
        {
          name: 'x',
          points: [
            [NaN, 1],
            [1, Infinity],
          ],
        },
      ],
    ] as const) {
      const svg = svgPlot(series, { title: 'loss' });
      expect(svg).toContain('no data');
      expect(svg).not.toContain('<path');
      expect(svg.endsWith('</svg>')).toBe(true);
    }
  });

  it('breaks the line at NaN and never writes NaN into the SVG', () => {
    const svg = svgPlot([
      {
        name: 'loss',
        points: [
          [0, 1],
          [1, 0.8],
          [2, NaN],
          [3, 0.5],
          [4, 0.4],
        ],
      },
    ]);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const d = /<path[^>]* d="([^"]*)"/.exec(svg)?.[1] ?? '';
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/L/g)).toHaveLength(2);
  });

  it('gives a single point or a flat series a visible range (no division by zero)', () => {
    const one = svgPlot([{ name: 'loss', points: [[5, 0.3]] }]);
    expect(one).not.toMatch(/NaN|Infinity/);
    expect(one).toContain('<circle');
    const flat = svgPlot([
      {
        name: 'lr',
        points: [
          [0, 0],
          [1, 0],
          [2, 0],
        ],
      },
    ]);
    expect(flat).not.toMatch(/NaN|Infinity/);
    const ys = new Set(pathPoints(flat)[0]?.map((p) => p[1]));
    expect(ys.size).toBe(1);
  });

  it('escapes names and titles', () => {
    const svg = svgPlot(
      [
        {
          name: '<b>&"',
          points: [
            [0, 1],
            [1, 2],
          ],
        },
      ],
      { title: 'a<script>' },
    );
    expect(svg).not.toContain('<b>');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;b&#62;&#38;&#34;');
  });

  it('labels time axes as clock times and extreme values in exponent form', () => {
    const svg = svgPlot(
      [
        {
          name: 'lr',
          points: [
            [1_700_000_000, 1e-5],
            [1_700_000_060, 2e-5],
          ],
        },
      ],
      {
        xFormat: 'time',
      },
    );
    expect(svg).toMatch(/>\d\d:\d\d:\d\d</);
    expect(svg).toContain('e-5');
  });

  it('is self-contained, so the page can receive it through toString', () => {
    // A fresh context has only the language's globals: any reference to module scope would throw here.
    const copy = runInNewContext(`(${svgPlot.toString()})`) as typeof svgPlot;
    const series = [
      {
        name: 'loss',
        points: [
          [0, 1],
          [1, 0.5],
        ] as [number, number][],
      },
    ];
    expect(copy(series, { title: 't' })).toBe(svgPlot(series, { title: 't' }));
  });
});
