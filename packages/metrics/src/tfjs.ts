/**
 * @module @gangplank/metrics/tfjs
 * The training exporter as a real `tf.Callback` (TF.js, `@tensorflow/tfjs-layers`, is this entry's peer
 * dependency): `model.fit(x, y, { callbacks: [exporter] })` hands it the model, as Keras does.
 */
export { TrainTestExporter } from './training/tfjs-callback.js';
export type { TrainTestExporterOptions } from './training/exporter-options.js';
export { HISTOGRAM_WEIGHT_BUCKETS_1_0, HISTOGRAM_WEIGHT_BUCKETS_0_3 } from './training/constants.js';
export { MetricsExportError } from './training/push-policy.js';
export type { LogKeyNames } from './training/keras-names.js';
