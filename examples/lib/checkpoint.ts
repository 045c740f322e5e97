import type { CustomCallbackArgs, LayersModel, Logs } from '@tensorflow/tfjs-layers';

export interface BestCheckpointOptions {
  /** Where to save, e.g. `file:///…/models/mnist_convnet` (needs {@link registerFileRouter} for `file://`). */
  url: string;
  /** The epoch log to minimise. @default 'val_loss' */
  monitor?: string;
  /** Called after each save with the epoch (0-based) and the monitored value. */
  onSave?: (epoch: number, value: number) => void;
}

/**
 * Keras' `ModelCheckpoint(save_best_only=True, monitor="val_loss")` for TF.js: saves `model` whenever the
 * monitored value improves. A plain callback object, so TF.js hands it numbers rather than tensors.
 *
 * Saves without the optimizer state (a third of the size for Adam); the loaders recompile.
 */
export function bestCheckpoint(model: LayersModel, options: BestCheckpointOptions): CustomCallbackArgs {
  const monitor = options.monitor ?? 'val_loss';
  let best = Number.POSITIVE_INFINITY;
  return {
    onEpochEnd: async (epoch: number, logs?: Logs) => {
      const value = logs?.[monitor];
      if (value === undefined) {
        throw new Error(`bestCheckpoint: the epoch logs have no "${monitor}"; pass validation data to fit()`);
      }
      // NaN never compares smaller, so a diverged model never overwrites a good checkpoint.
      if (!(value < best)) return;
      best = value;
      await model.save(options.url);
      options.onSave?.(epoch, value);
    },
  };
}
