export {};
export { PrometheusModel } from './prediction/prometheus-model.js';
export type {
  PrometheusModelConstructor,
  PrometheusModelHandle,
  PredictInput,
  PredictOutput,
} from './prediction/prometheus-model.js';
export type { PrometheusModelOptions, PrometheusModelErrorSource } from './prediction/options.js';
export { countSamples } from './prediction/sample-count.js';
export { InvalidDriftResultError } from './prediction/drift-worker.js';
export type { DriftSource } from './prediction/drift-worker.js';
export {
  PREDICT_METRIC,
  PREDICT_HELP,
  DEFAULT_LATENCY_BUCKETS,
  DEFAULT_BATCH_BUCKETS,
  MAX_ERROR_CLASSES,
} from './prediction/names.js';
export { metricsHandler } from './serve/handler.js';
export type { MetricsHandlerOptions, MetricsRequestHandler } from './serve/handler.js';
export { renderMetrics } from './serve/exposition.js';
export type { Exposition, MetricsSource } from './serve/exposition.js';
export { startMetricsServer, MetricsServerError } from './serve/server.js';
export type { MetricsServer, MetricsServerOptions } from './serve/server.js';
