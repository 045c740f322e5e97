/** Wall and monotonic clocks, in milliseconds; injected by tests. */
export interface ExporterClock {
  /** Unix time in ms. @default Date.now */
  wallMs(): number;
  /** Monotonic ms, for durations. @default performance.now */
  monotonicMs(): number;
}

export const SYSTEM_CLOCK: ExporterClock = { wallMs: () => Date.now(), monotonicMs: () => performance.now() };
