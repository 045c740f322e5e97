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
export { TrainTestExporter, MetricsExportError } from './training/exporter.js';
export type { TrainTestExporterOptions, ExporterClock } from './training/exporter.js';
export { HISTOGRAM_WEIGHT_BUCKETS_1_0, HISTOGRAM_WEIGHT_BUCKETS_0_3 } from './training/constants.js';
export type { ModelLike, TensorLike, VariableLike, FitParams, Logs } from './training/model.js';
export type { Phase, RunStatus } from './training/catalogue.js';
export { PushgatewayClient, basicAuthHandler } from './push/client.js';
export type { PushgatewayClientOptions, PushHandler, PushBody, PushResult, SendOptions, ClientRuntime } from './push/client.js';
export type { PushRequest, PushResponse, PushMethod, Transport, TlsOptions } from './push/transport.js';
export { PushError } from './push/errors.js';
export type { PushErrorKind } from './push/errors.js';
export { groupingPath, base64url } from './push/grouping.js';
export type { PushTarget } from './push/grouping.js';
export { parseGatewayAddress, InvalidGatewayAddressError } from './push/address.js';
export type { GatewayAddress } from './push/address.js';
export { CoalescingPushQueue } from './push/queue.js';
export type { PushOutcome, PushQueueOptions, FlushResult, QueuedPush, PushSender } from './push/queue.js';
export type { RetryPolicy } from './push/backoff.js';
export { ENV, DEFAULTS, resolveMetricsConfig } from './config.js';
export type { MetricsConfigOptions, ResolvedMetricsConfig } from './config.js';
export { sanitizeMetricName, sanitizeLabelName, isValidMetricName } from './names.js';
