import type { Matrix } from './rows.js';

/**
 * Refuses a matrix the kernel helpers cannot compute on: a buffer shorter than `rows × cols` (reading past it gives
 * `undefined`, hence NaN distances and a silently wrong answer), or a value that is NaN or infinite (a NaN distance
 * breaks the median's ordering; an infinite one makes kernel values 0/0).
 *
 * @throws RangeError naming the function, the argument and the first bad position
 */
export function assertComputableMatrix(m: Matrix, where: string): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 1) {
    throw new RangeError(`${where}: matrix has ${m.rows} rows and ${m.cols} columns`);
  }
  const needed = m.rows * m.cols;
  if (m.data.length < needed) {
    throw new RangeError(
      `${where}: matrix data holds ${m.data.length} values, fewer than ${m.rows} rows × ${m.cols} columns = ${needed}`,
    );
  }
  for (let i = 0; i < needed; i++) {
    const v = m.data[i]!;
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `${where}: value at row ${Math.floor(i / m.cols)}, column ${i % m.cols} is ${v}; expected a finite number`,
      );
    }
  }
}
