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
export { TrainTestExporter } from './training/exporter.js';
export type { TrainTestExporterOptions } from './training/exporter-options.js';
export { HISTORY_ENV } from './history/history-options.js';
export type { HistoryOptions } from './history/history-options.js';
export type { HistoryStats } from './history/history-recorder.js';
export type { HistoryPoint, HistoryBucket } from './history/history-point.js';
export { kerasKey } from './training/keras-names.js';
export type { LogKeyNames } from './training/keras-names.js';
export { MetricsExportError } from './training/push-policy.js';
export type { ExporterClock } from './training/clock.js';
export { HISTOGRAM_WEIGHT_BUCKETS_1_0, HISTOGRAM_WEIGHT_BUCKETS_0_3 } from './training/constants.js';
export type { ModelLike, TensorLike, VariableLike, FitParams, Logs } from './training/model.js';
export type { Phase, RunStatus } from './training/catalogue.js';
export { PushgatewayClient, basicAuthHandler } from './push/client.js';
export type {
  PushgatewayClientOptions,
  PushHandler,
  PushBody,
  PushResult,
  SendOptions,
  ClientRuntime,
} from './push/client.js';
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
export { chiSquareSf, upperRegularizedGamma } from './drift/special.js';
export { chiSquareGoodnessOfFit, chiSquareContingency, chiSquareTwoSample } from './drift/chi-square.js';
export type {
  ChiSquareResult,
  ChiSquareContingencyResult,
  ChiSquareTwoSampleResult,
  ChiSquareGoodnessOfFitOptions,
  ChiSquareContingencyOptions,
} from './drift/chi-square.js';
export { ksTwoSample, ksStatistic, KS_EXACT_MAX_N } from './drift/ks.js';
export type { KsMethod, KsTwoSampleOptions, KsTwoSampleResult } from './drift/ks.js';
export { kolmogorovSmirnovSf, smirnovSf } from './drift/kolmogorov.js';
export { quantile } from './drift/quantile.js';
export { bonferroni, benjaminiHochberg } from './drift/correction.js';
export type { Correction, CorrectionResult } from './drift/correction.js';
export { seededRandom } from './drift/random.js';
export type { Random } from './drift/random.js';
export { medianHeuristicSigma, mmd2Unbiased } from './drift/kernel.js';
export type { MedianHeuristicOptions } from './drift/kernel.js';
export { toMatrix } from './drift/rows.js';
export type { Matrix, RowsInput } from './drift/rows.js';
export { OnlineMmd } from './drift/mmd-online.js';
export type { OnlineMmdOptions, OnlineMmdStep, OnlineMmdState } from './drift/mmd-online.js';
export { MmdDriftDetector } from './drift/mmd-detector.js';
export type { MmdDriftDetectorOptions, MmdDriftDetectorBehaviour } from './drift/mmd-detector.js';
export { ChiSquareDetector } from './drift/chi-square-detector.js';
export type { ChiSquareDetectorOptions, Category } from './drift/chi-square-detector.js';
export { KsDetector } from './drift/ks-detector.js';
export type { KsDetectorOptions, KsDetectorResult } from './drift/ks-detector.js';
export type { WatchedData } from './drift/watch.js';
export type { Drift, DriftDetector, DriftFunction } from './drift/drift.js';
