/** A dense row-major matrix of float64 values. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Something with TF.js's `arraySync()`: a `tf.Tensor` works, with no TF.js import here. */
export interface TensorLike {
  arraySync(): unknown;
}

/**
 * What the detectors accept as a batch of samples: an array of rows (`number[][]`, `Float32Array[]`, …), a
 * flat array of numbers, a tensor-like object with `arraySync()`, or a {@link Matrix}.
 */
export type RowsInput = readonly ArrayLike<number>[] | ArrayLike<number> | TensorLike | Matrix;

function isTensorLike(v: unknown): v is TensorLike {
  return (
    typeof v === 'object' && v !== null && typeof (v as { arraySync?: unknown }).arraySync === 'function'
  );
}

function isMatrix(v: unknown): v is Matrix {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<Matrix>;
  return m.data instanceof Float64Array && typeof m.rows === 'number' && typeof m.cols === 'number';
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return (
    Array.isArray(v) ||
    ArrayBuffer.isView(v) ||
    (typeof v === 'object' && v !== null && typeof (v as { length?: unknown }).length === 'number')
  );
}

/**
 * Converts a batch into a {@link Matrix}.
 *
 * A flat array of numbers is read as one row when `cols` is known, greater than 1 and equal to its length
 * (a single prediction), and as a column of scalar samples otherwise.
 *
 * @param name - used in error messages
 * @param cols - the expected row length, when known (a mismatch is an error)
 * @throws TypeError on input of an unsupported shape; RangeError on ragged rows, a wrong row length or a
 *   non-finite value
 */
export function toMatrix(input: unknown, name: string, cols?: number): Matrix {
  if (isMatrix(input)) return checkedMatrix(input, name, cols);
  const value = isTensorLike(input) ? input.arraySync() : input;
  if (!isArrayLike(value)) {
    throw new TypeError(
      `${name}: expected an array of rows, a flat array or a tensor with arraySync(), got ${typeOf(value)}`,
    );
  }
  const n = value.length;
  if (n === 0) return { data: new Float64Array(0), rows: 0, cols: cols ?? 0 };
  const first = value[0];
  if (typeof first === 'number') {
    const flat = value as ArrayLike<number>;
    const asRow = cols !== undefined && cols > 1 && n === cols;
    if (cols !== undefined && cols > 1 && !asRow) {
      throw new RangeError(`${name}: got a flat array of ${n} numbers but samples have ${cols} features`);
    }
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = checked(flat[i], name, i, 0);
    return asRow ? { data, rows: 1, cols: n } : { data, rows: n, cols: 1 };
  }
  if (!isArrayLike(first)) {
    throw new TypeError(`${name}: rows must be arrays of numbers, got ${typeOf(first)}`);
  }
  const width = first.length;
  if (cols !== undefined && width !== cols) {
    throw new RangeError(`${name}: rows have ${width} features, expected ${cols}`);
  }
  if (width === 0) throw new RangeError(`${name}: rows are empty`);
  const data = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const row = value[i];
    if (!isArrayLike(row) || row.length !== width) {
      const len = isArrayLike(row) ? String(row.length) : typeOf(row);
      throw new RangeError(`${name}: row ${i} has ${len} features, row 0 has ${width} (ragged input)`);
    }
    for (let k = 0; k < width; k++) data[i * width + k] = checked(row[k], name, i, k);
  }
  return { data, rows: n, cols: width };
}

function checkedMatrix(m: Matrix, name: string, cols: number | undefined): Matrix {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 1) {
    throw new RangeError(`${name}: matrix has ${m.rows} rows and ${m.cols} columns`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(`${name}: matrix data has ${m.data.length} values, not ${m.rows} × ${m.cols}`);
  }
  if (cols !== undefined && m.cols !== cols)
    throw new RangeError(`${name}: rows have ${m.cols} features, expected ${cols}`);
  for (let i = 0; i < m.data.length; i++) checked(m.data[i], name, Math.floor(i / m.cols), i % m.cols);
  return m;
}

function checked(v: unknown, name: string, i: number, k: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RangeError(`${name}: value at row ${i}, column ${k} is ${String(v)}; expected a finite number`);
  }
  return v;
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Index of the largest value of each row (ties: the first), e.g. the predicted class of softmax outputs. */
export function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    let bestValue = m.data[i * m.cols]!;
    for (let k = 1; k < m.cols; k++) {
      const v = m.data[i * m.cols + k]!;
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}
