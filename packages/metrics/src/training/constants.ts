/** Bucket bounds for weight histograms, with exactly the values of Python Gangplank 0.5 (`+Inf` is implied). */

/** -1.0, -0.9, …, 0.9, 1.0: 21 bounds, for weights in [-1, 1]. */
export const HISTOGRAM_WEIGHT_BUCKETS_1_0: readonly number[] = Object.freeze([
  -1.0, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
  0.9, 1.0,
]);

/** -0.30, -0.25, …, 0.25, 0.30: 13 bounds, for weights in [-0.3, 0.3]. */
export const HISTOGRAM_WEIGHT_BUCKETS_0_3: readonly number[] = Object.freeze([
  -0.3, -0.25, -0.2, -0.15, -0.1, -0.05, 0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3,
]);
