/**
 * The history's bounded buffer: points wait here until a send confirms them. Past the bound new points are dropped
 * and counted (never the old ones: a retried batch must stay whole, and the first epochs are as worth keeping as
 * the last). Pure.
 */
import type { HistoryPoint } from './history-point.js';

export class PointBuffer {
  private points: HistoryPoint[] = [];
  /** Points refused because the buffer was full, since the start. */
  dropped = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.points.length;
  }

  /** Adds what fits; returns how many points were dropped by this call. */
  add(points: readonly HistoryPoint[]): number {
    const room = Math.max(0, this.capacity - this.points.length);
    const taken = points.length <= room ? points : points.slice(0, room);
    this.points.push(...taken);
    const dropped = points.length - taken.length;
    this.dropped += dropped;
    return dropped;
  }

  /** The oldest `max` points, left in place until {@link confirm}. */
  peek(max: number): HistoryPoint[] {
    return this.points.slice(0, max);
  }

  /** Forgets the oldest `n` points (a send of them succeeded, or they were refused for good). */
  confirm(n: number): void {
    this.points.splice(0, n);
  }
}
