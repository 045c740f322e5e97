import type { Matrix } from './rows.js';

/** How full a detector's window is, for `gangplank_predict_drift_window_fill_ratio`. */
export interface WindowFill {
  readonly size: number;
  readonly capacity: number;
}

/** With no window (`windowSize` 0) each batch is tested on its own, so the last batch is the whole window. */
export function fillOf(window: { readonly size: number }, windowSize: number, lastBatch: number): WindowFill {
  return windowSize === 0
    ? { size: lastBatch, capacity: lastBatch }
    : { size: window.size, capacity: windowSize };
}

/** A sliding window of the last `capacity` samples (rows of `cols` numbers); the oldest are dropped first. */
export class RowWindow {
  private readonly data: Float64Array;
  private start = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly cols: number,
  ) {
    this.data = new Float64Array(capacity * cols);
  }

  get size(): number {
    return this.count;
  }

  /** Appends every row of `m` (only the last `capacity` rows matter when `m` is larger than the window). */
  push(m: Matrix): void {
    const d = this.cols;
    const first = Math.max(0, m.rows - this.capacity);
    for (let i = first; i < m.rows; i++) {
      const slot = (this.start + this.count) % this.capacity;
      this.data.set(m.data.subarray(i * d, i * d + d), slot * d);
      if (this.count < this.capacity) this.count++;
      else this.start = (this.start + 1) % this.capacity;
    }
  }

  /** The values of column `k` of the held rows, oldest first. */
  column(k: number): Float64Array {
    const out = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++)
      out[i] = this.data[((this.start + i) % this.capacity) * this.cols + k]!;
    return out;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }
}

/** A sliding window of the last `capacity` category labels. */
export class LabelWindow<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  push(labels: Iterable<T>): void {
    for (const v of labels) {
      if (this.items.length < this.capacity) {
        this.items.push(v);
      } else {
        this.items[this.start] = v;
        this.start = (this.start + 1) % this.capacity;
      }
    }
  }

  values(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.items.length = 0;
    this.start = 0;
  }
}
