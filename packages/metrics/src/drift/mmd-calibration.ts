import { quantile } from './quantile.js';
import type { Random } from './random.js';
import { shuffleTail } from './random.js';
import type { Matrix } from './rows.js';
import { pairKernel } from './kernel-loops.js';

/**
 * Kernel sums over the whole reference, computed once: `rowSums[i] = Σ_{j≠i} k(xᵢ, xⱼ)` and their total.
 *
 * Every bootstrap and the online split need the sum of the kernel over a sub-reference (all rows but a
 * held-out set H of 2W − 1 rows). Instead of the n×n kernel matrix (20,000² float64 = 3.2 GB) we keep these
 * n sums: for the sub-reference, `Σ_{i≠j∉H} k = total − 2·Σ_{h∈H} rowSums[h] + Σ_{h≠h'∈H} k(h, h')`, and for
 * a held-out row h, `Σ_{i∉H} k(xᵢ, h) = rowSums[h] − Σ_{h'∈H, h'≠h} k(h, h')`. Both need only the
 * (2W−1)² kernel block of H. Cost: n(n−1)/2 kernel evaluations, once.
 */
export interface KernelSums {
  readonly rowSums: Float64Array;
  readonly total: number;
}

/** Computes {@link KernelSums} for `x` with the kernel `exp(−gamma·‖a−b‖²)`. */
export function kernelSums(x: Matrix, gamma: number): KernelSums {
  return runToEnd(kernelSumsSteps(x, gamma));
}

/**
 * {@link kernelSums} in steps: yields after about every {@link PAIRS_PER_STEP} kernel evaluations, so that an
 * async caller can give the event loop a turn; returns the sums.
 */
export function* kernelSumsSteps(x: Matrix, gamma: number): Generator<void, KernelSums> {
  const n = x.rows;
  const rowSums = new Float64Array(n);
  const loop = pairKernel(x.cols);
  let i = 0;
  while (i < n) {
    // Rows i… have n − i − 1 pairs each: take rows until the step holds about PAIRS_PER_STEP pairs.
    let to = i;
    let pairs = 0;
    while (to < n && pairs < PAIRS_PER_STEP) pairs += n - ++to;
    loop(x.data, n, gamma, rowSums, null, i, to);
    i = to;
    if (i < n) yield;
  }
  let total = 0;
  for (let k = 0; k < n; k++) total += rowSums[k]!;
  return { rowSums, total };
}

/** Kernel evaluations between two yields of the step generators: about 20–60 ms of work here. */
export const PAIRS_PER_STEP = 1_000_000;

/** Runs a step generator to its end, synchronously. */
export function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * The kernel block of a held-out set, and what follows from it: for held-out rows y₀…y_{L−1} (L = 2W − 1,
 * taken from the end of `indices`), `block` is the L×L kernel matrix (zero diagonal), `cross[a]` the kernel sum
 * of yₐ against the sub-reference, and `refTerm` the ref–ref term `Σ_{i≠j} k/(R(R−1))`.
 */
export interface HeldOut {
  readonly block: Float64Array;
  readonly cross: Float64Array;
  readonly refTerm: number;
}

/** Scratch buffers reused across bootstraps (no allocation per bootstrap). */
export class HeldOutScratch {
  readonly rows: Float64Array;
  readonly block: Float64Array;
  readonly cross: Float64Array;
  /** Kernel row sums within the block. */
  readonly local: Float64Array;
  constructor(
    readonly length: number,
    readonly cols: number,
  ) {
    this.rows = new Float64Array(length * cols);
    this.block = new Float64Array(length * length);
    this.cross = new Float64Array(length);
    this.local = new Float64Array(length);
  }
}

/** Fills `scratch` for the held-out rows `indices[n−L…n−1]`; see {@link HeldOut}. */
export function heldOut(
  x: Matrix,
  sums: KernelSums,
  gamma: number,
  indices: Int32Array,
  scratch: HeldOutScratch,
): HeldOut {
  const n = x.rows;
  const d = x.cols;
  const L = scratch.length;
  const R = n - L;
  const rows = scratch.rows;
  const block = scratch.block;
  const cross = scratch.cross;
  // Copy the held-out rows next to each other: the L² loop below then reads contiguous memory.
  let rowSumH = 0;
  for (let a = 0; a < L; a++) {
    const h = indices[n - L + a]!;
    rows.set(x.data.subarray(h * d, h * d + d), a * d);
    rowSumH += sums.rowSums[h]!;
    cross[a] = sums.rowSums[h]!;
  }
  // The block's diagonal is never written, so it stays 0.
  const local = scratch.local;
  local.fill(0);
  pairKernel(d)(rows, L, gamma, local, block);
  let blockSum = 0;
  for (let a = 0; a < L; a++) {
    cross[a]! -= local[a]!;
    blockSum += local[a]!;
  }
  const refSum = sums.total - 2 * rowSumH + blockSum;
  return { block, cross, refTerm: refSum / (R * (R - 1)) };
}

/**
 * Unbiased MMD² between the sub-reference and the window y_w…y_{w+W−1} of a held-out set, for w = 0…count−1,
 * sliding in O(W) per step: `out[w] = refTerm + Σ_{a≠b} k(yₐ,y_b)/(W(W−1)) − 2·Σₐ cross[a]/(RW)`.
 */
export function slidingMmd(
  held: HeldOut,
  L: number,
  W: number,
  R: number,
  count: number,
  out: (w: number, value: number) => void,
): void {
  const { block, cross, refTerm } = held;
  let kyy = 0;
  let kxy = 0;
  for (let a = 0; a < W; a++) {
    kxy += cross[a]!;
    for (let b = a + 1; b < W; b++) kyy += 2 * block[a * L + b]!;
  }
  const yyNorm = 1 / (W * (W - 1));
  const xyNorm = 2 / (R * W);
  for (let w = 0; w < count; w++) {
    out(w, refTerm + kyy * yyNorm - kxy * xyNorm);
    if (w + 1 < count) {
      const leaving = w;
      const entering = w + W;
      let sLeave = 0;
      let sEnter = 0;
      for (let b = w + 1; b < w + W; b++) {
        sLeave += block[leaving * L + b]!;
        sEnter += block[entering * L + b]!;
      }
      kyy += 2 * (sEnter - sLeave);
      kxy += cross[entering]! - cross[leaving]!;
    }
  }
}

/** Options of {@link bootstrapThresholdsSteps}. */
export interface BootstrapOptions {
  readonly ert: number;
  readonly windowSize: number;
  readonly nBootstraps: number;
  readonly random: Random;
}

/**
 * Per-step thresholds for an expected run time (ERT) under no drift, as alibi-detect's `MMDDriftOnline`
 * configures them. Each bootstrap b draws a random held-out set of 2W − 1 rows (the rest is the
 * sub-reference) and computes the MMD² of its W windows. Then, for w = 0…W−1, `threshold[w]` is the type-7
 * (1 − 1/ERT)-quantile of the step-w statistics of the bootstraps that have not yet detected, and every
 * bootstrap at or above it is dropped (conditioning on survival makes the run length about geometric with
 * mean ERT).
 *
 * Cost: n²/2 kernel evaluations once ({@link kernelSums}, passed in) plus B·(2W−1)²/2 for the held-out blocks.
 *
 * @throws RangeError when fewer than ERT bootstraps survive some step (the quantile would be undefined, as
 *   in alibi): increase `nBootstraps`
 *
 * Runs in steps of about {@link PAIRS_PER_STEP} kernel evaluations (drive it with {@link runToEnd} to block).
 */
export function* bootstrapThresholdsSteps(
  x: Matrix,
  sums: KernelSums,
  gamma: number,
  options: BootstrapOptions,
): Generator<void, Float64Array> {
  const { ert, windowSize: W, nBootstraps: B, random } = options;
  const n = x.rows;
  const L = 2 * W - 1;
  const R = n - L;
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  const scratch = new HeldOutScratch(L, x.cols);
  // Column-major: the threshold pass reads one step across all bootstraps.
  const stats = new Float64Array(B * W);
  const perStep = Math.max(1, Math.floor(PAIRS_PER_STEP / ((L * (L - 1)) / 2)));
  for (let b = 0; b < B; b++) {
    if (b > 0 && b % perStep === 0) yield;
    shuffleTail(indices, L, random);
    const held = heldOut(x, sums, gamma, indices, scratch);
    slidingMmd(held, L, W, R, W, (w, v) => {
      stats[w * B + b] = v;
    });
  }
  const thresholds = new Float64Array(W);
  let survivors = new Int32Array(B);
  for (let b = 0; b < B; b++) survivors[b] = b;
  const level = 1 - 1 / ert;
  const values = new Float64Array(B);
  for (let w = 0; w < W; w++) {
    const count = survivors.length;
    if (count < ert) {
      throw new RangeError(
        `MMD calibration: only ${count} of ${B} bootstraps survive to step ${w}, fewer than the ERT ${ert}, so ` +
          `the (1 − 1/ERT)-quantile is undefined; use more bootstraps (about ${Math.ceil(
            (2 * ert) / Math.pow(level, W - 1),
          )} for ERT ${ert} and window ${W})`,
      );
    }
    for (let i = 0; i < count; i++) values[i] = stats[w * B + survivors[i]!]!;
    const threshold = quantile(values.subarray(0, count), level);
    thresholds[w] = threshold;
    const next = new Int32Array(count);
    let kept = 0;
    for (let i = 0; i < count; i++) {
      if (values[i]! < threshold) next[kept++] = survivors[i]!;
    }
    survivors = next.subarray(0, kept);
  }
  return thresholds;
}
