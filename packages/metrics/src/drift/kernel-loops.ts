/**
 * The two hot loops of online MMD, specialised per feature count d.
 *
 * Why generated code: V8 does not unroll a `for (k < d)` loop whose bound is a variable, and with d = 10 that
 * inner loop costs as much as the `Math.exp` it feeds. Unrolled, with the fixed row held in locals, a Gaussian
 * kernel evaluation took 20–37 ns instead of 40–71 ns in the same run (2 cores under load; 3,000 rows, d = 10),
 * which halves the calibration time. The generated source depends on d only (an integer), never on data.
 * Above {@link MAX_UNROLLED} features the plain loops are used.
 */

/**
 * Adds `exp(−gamma·‖xᵢ−xⱼ‖²)` for every pair i < j of the n rows of `data` to `rowSums[i]` and `rowSums[j]`,
 * and, when `block` is given, stores it at `block[i·n+j]` and `block[j·n+i]`. Only the pairs whose first row
 * i lies in [`from`, `to`) are visited (default: all), so that long passes can be split into chunks.
 */
export type PairKernel = (
  data: Float64Array,
  n: number,
  gamma: number,
  rowSums: Float64Array,
  block: Float64Array | null,
  from?: number,
  to?: number,
) => void;

/** Returns `Σᵢ exp(−gamma·‖refᵢ − row‖²)` over the `rows` rows of `ref`. */
export type CrossKernel = (ref: Float64Array, rows: number, row: ArrayLike<number>, gamma: number) => number;

/** Largest d with generated loops (the source grows linearly with d). */
export const MAX_UNROLLED = 64;

const pairCache = new Map<number, PairKernel>();
const crossCache = new Map<number, CrossKernel>();

function distanceSource(d: number, other: string, offset: string): string {
  const lines = [];
  for (let k = 0; k < d; k++) {
    lines.push(`t = x${k} - ${other}[${offset} + ${k}]; s ${k === 0 ? '=' : '+='} t * t;`);
  }
  return lines.join('\n');
}

function hoistSource(d: number, source: string, offset: string): string {
  return Array.from({ length: d }, (_, k) => `const x${k} = +${source}[${offset} + ${k}];`).join('\n');
}

/** The loop for rows of d features from `cache`, made on first use: generated up to MAX_UNROLLED, else generic. */
function kernelFor<K>(
  cache: Map<number, K>,
  d: number,
  generated: (d: number) => K,
  generic: (d: number) => K,
): K {
  let f = cache.get(d);
  if (f === undefined) {
    f = d <= MAX_UNROLLED ? generated(d) : generic(d);
    cache.set(d, f);
  }
  return f;
}

/** The pair loop for rows of d features. */
export function pairKernel(d: number): PairKernel {
  return kernelFor(pairCache, d, generatedPair, genericPair);
}

/** The cross loop for rows of d features. */
export function crossKernel(d: number): CrossKernel {
  return kernelFor(crossCache, d, generatedCross, genericCross);
}

function generatedPair(d: number): PairKernel {
  const body = `
    const end = to === undefined ? n : to;
    for (let i = from === undefined ? 0 : from; i < end; i++) {
      const oi = i * ${d};
      ${hoistSource(d, 'data', 'oi')}
      let ri = 0;
      for (let j = i + 1; j < n; j++) {
        const oj = j * ${d};
        let s, t;
        ${distanceSource(d, 'data', 'oj')}
        const kv = Math.exp(-gamma * s);
        ri += kv;
        rowSums[j] += kv;
        if (block !== null) { block[i * n + j] = kv; block[j * n + i] = kv; }
      }
      rowSums[i] += ri;
    }`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- source built from the integer d only (see above)
  return new Function('data', 'n', 'gamma', 'rowSums', 'block', 'from', 'to', body) as PairKernel;
}

function generatedCross(d: number): CrossKernel {
  const body = `
    ${hoistSource(d, 'row', '0')}
    let sum = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * ${d};
      let s, t;
      ${distanceSource(d, 'ref', 'o')}
      sum += Math.exp(-gamma * s);
    }
    return sum;`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- source built from the integer d only (see above)
  return new Function('ref', 'rows', 'row', 'gamma', body) as CrossKernel;
}

/** The plain (not unrolled) pair loop, for comparison in `bench/` and tests. */
export function genericPair(d: number): PairKernel {
  return (data, n, gamma, rowSums, block, from = 0, to = n) => {
    for (let i = from; i < to; i++) {
      const oi = i * d;
      let ri = 0;
      for (let j = i + 1; j < n; j++) {
        const oj = j * d;
        let s = 0;
        for (let k = 0; k < d; k++) {
          const t = data[oi + k]! - data[oj + k]!;
          s += t * t;
        }
        const kv = Math.exp(-gamma * s);
        ri += kv;
        rowSums[j]! += kv;
        if (block !== null) {
          block[i * n + j] = kv;
          block[j * n + i] = kv;
        }
      }
      rowSums[i]! += ri;
    }
  };
}

/** The plain (not unrolled) cross loop, for comparison in `bench/` and tests. */
export function genericCross(d: number): CrossKernel {
  return (ref, rows, row, gamma) => {
    let sum = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * d;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = ref[o + k]! - row[k]!;
        s += t * t;
      }
      sum += Math.exp(-gamma * s);
    }
    return sum;
  };
}
