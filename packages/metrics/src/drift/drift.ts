/**
 * The result of one drift check, as in Python Gangplank's `Drift` named tuple: every field is optional, and a
 * field left `undefined` leaves its metric untouched.
 *
 * - `driftDetected`: drift incidents found in this check; ADDED to `gangplank_predict_drift_detected_total`.
 * - `pValue`: SET on `gangplank_predict_drift_p_value`.
 * - `testStatistic`: SET on `gangplank_predict_drift_test_statistic`.
 */
export interface Drift {
  readonly driftDetected?: number;
  readonly pValue?: number;
  readonly testStatistic?: number;
}

/**
 * A drift function in Gangplank's shape: called with a prediction's inputs `x` and outputs `y`.
 * It may be async. `PrometheusModel` calls it off the request path.
 */
export type DriftFunction<X = unknown, Y = unknown> = (x: X, y: Y) => Drift | Promise<Drift>;

/**
 * A stateful drift detector that plugs into `PrometheusModel` with no glue code: `PrometheusModel` calls
 * `check(x, y)` off the request path, one call at a time (never concurrently), and exposes `windowFill()`
 * when the detector has one.
 */
export interface DriftDetector<X = unknown, Y = unknown> {
  /** Short stable name, used as a bounded label value (e.g. `chi_square`, `ks`, `mmd_online`). */
  readonly name: string;
  check(x: X, y: Y): Drift | Promise<Drift>;
  /** How full the detector's sliding window is, as samples held and capacity. */
  windowFill?(): { readonly size: number; readonly capacity: number };
}
