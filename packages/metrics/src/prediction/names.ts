/**
 * The catalogue of prediction metric names, HELP texts, label names and default buckets.
 *
 * The first seven names and their HELP texts are exactly those of Python Gangplank 0.5 (`prometheus_model.py`), so
 * its dashboards and alert rules keep working; everything else is ours.
 */

/** Metric names exposed by `PrometheusModel`. */
export const PREDICT_METRIC = {
  samples: 'gangplank_predict_total',
  seconds: 'gangplank_predict_time_seconds_total',
  callSamples: 'gangplank_predict_call_total',
  callSeconds: 'gangplank_predict_call_time_seconds_total',
  latency: 'gangplank_predict_latency_seconds',
  batchSize: 'gangplank_predict_batch_size',
  errors: 'gangplank_predict_errors_total',
  inFlight: 'gangplank_predict_in_flight',
  driftDetected: 'gangplank_predict_drift_detected_total',
  driftPValue: 'gangplank_predict_drift_p_value',
  driftTestStatistic: 'gangplank_predict_drift_test_statistic',
  driftChecks: 'gangplank_predict_drift_checks_total',
  driftErrors: 'gangplank_predict_drift_errors_total',
  driftDropped: 'gangplank_predict_drift_dropped_total',
  driftPending: 'gangplank_predict_drift_pending',
  driftSeconds: 'gangplank_predict_drift_time_seconds_total',
  driftWindowSamples: 'gangplank_predict_drift_window_samples',
  driftWindowFill: 'gangplank_predict_drift_window_fill_ratio',
} as const;

/** HELP texts; the first seven are Gangplank 0.5's, character for character. */
export const PREDICT_HELP: Readonly<Record<keyof typeof PREDICT_METRIC, string>> = {
  samples: 'The number of model predictions',
  seconds: 'The amount of time spent in the predict method',
  // Gangplank's HELP says "invocations" but its counter adds the batch size; we keep both for compatibility.
  callSamples: 'The number of __call__ invocations',
  callSeconds: 'The amount of time spent in the __call__ method',
  driftDetected: 'A count of drift detection incidents',
  driftPValue: 'A p-value that quantifies the likelihood that drift has not occurred',
  driftTestStatistic: 'A measure of the distance between observed and expected data',
  latency: 'Wall time of one instrumented model call, failed calls included',
  batchSize: 'Samples returned by one successful instrumented model call',
  errors: 'Instrumented model calls that threw or rejected, by error class',
  inFlight: 'Instrumented model calls started and not yet finished',
  driftChecks: 'Drift checks that completed and returned a valid result',
  driftErrors: 'Drift checks that threw, rejected or returned an invalid result, by error class',
  driftDropped: 'Drift checks discarded unrun because the backlog was full',
  driftPending: 'Drift checks queued or running',
  driftSeconds: 'The amount of time spent in drift checks, off the request path',
  driftWindowSamples: "Samples held in the drift detector's sliding window",
  driftWindowFill: "How full the drift detector's sliding window is, from 0 to 1",
};

/**
 * Latency buckets in seconds for inference: 100 µs to 10 s. Small models on CPU answer in tens of microseconds to a
 * few milliseconds, large ones (or remote sessions) in hundreds of milliseconds; prom-client's default buckets start
 * at 5 ms and would put every fast model in the first bucket.
 */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Batch-size buckets (samples per call): powers of two from 1 to 1024. */
export const DEFAULT_BATCH_BUCKETS: readonly number[] = Object.freeze([
  1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024,
]);

/**
 * At most this many distinct error classes get their own `error` label value per registry (prediction and drift
 * errors together); later classes are counted as {@link OTHER_ERROR_CLASS}. It bounds cardinality when errors
 * carry generated class names.
 */
export const MAX_ERROR_CLASSES = 32;

/** The `error` label value for classes beyond {@link MAX_ERROR_CLASSES}. */
export const OTHER_ERROR_CLASS = 'other';
