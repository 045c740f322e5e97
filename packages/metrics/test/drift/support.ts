import type { Random } from '../../src/drift/random.js';
import type { Matrix } from '../../src/drift/rows.js';

/** Standard normal draws by Box–Muller from a seeded uniform source. */
export function normal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** An n×d matrix of N(shift, 1) values. */
export function gaussianMatrix(random: Random, n: number, d: number, shift = 0): Matrix {
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = shift + normal(random);
  return { data, rows: n, cols: d };
}

export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

export function rowsOf(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(row(m, i)));
}
