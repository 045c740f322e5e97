/**
 * The TF.js callback protocol on top of the exporter's plain calls. TF.js wraps a plain callbacks object in a
 * `CustomCallback` and calls the hooks with `this` bound to that wrapper, which holds the model and fit params;
 * the hooks are therefore functions, not methods, and read those through their `this`. Every hook returns a
 * promise, and a throw becomes a rejection, as TF.js expects.
 */
import { toError } from '../to-error.js';
import { looksLikeModel, resolveLogs, type FitParams, type Logs, type ModelLike } from './model.js';

/** What the hooks drive: the exporter's plain calls plus a way to hand it what TF.js knows. */
export interface HookTarget {
  adopt(found: { model?: ModelLike; params?: FitParams }): void;
  trainBegin(): void;
  epochBegin(epoch: number): void;
  epochEnd(epoch: number, logs: Logs): void;
  batchEnd(batch: number, logs: Logs): void;
  trainEnd(logs?: Logs): void;
  /** A problem reading the logs: thrown when `fatal`, else reported and the epoch recorded without them. */
  logsUnreadable(error: Error): void;
}

export interface TfjsHooks {
  readonly onTrainBegin: (logs?: Logs) => Promise<void>;
  readonly onTrainEnd: (logs?: Logs) => Promise<void>;
  readonly onEpochBegin: (epoch: number, logs?: Logs) => Promise<void>;
  readonly onEpochEnd: (epoch: number, logs?: Logs) => Promise<void>;
  readonly onBatchBegin: (batch: number, logs?: Logs) => Promise<void>;
  readonly onBatchEnd: (batch: number, logs?: Logs) => Promise<void>;
}

interface WrapperLike {
  model?: unknown;
  params?: unknown;
}

function settle(fn: () => void): Promise<void> {
  try {
    fn();
    return Promise.resolve();
  } catch (e) {
    return Promise.reject(toError(e));
  }
}

/** What a `CustomCallback` wrapper (the hook's `this`) knows; nothing when the hook was called on `self`. */
function wrapperFindings(ctx: unknown, self: unknown): { model?: ModelLike; params?: FitParams } {
  if (ctx === self || typeof ctx !== 'object' || ctx === null) return {};
  const w = ctx as WrapperLike;
  const found: { model?: ModelLike; params?: FitParams } = {};
  if (looksLikeModel(w.model)) found.model = w.model;
  if (typeof w.params === 'object' && w.params !== null) found.params = { ...(w.params as FitParams) };
  return found;
}

/** The six hooks of `target`; `self` is the object they sit on (a call through it carries no wrapper). */
export function tfjsHooks(target: HookTarget, self: unknown): TfjsHooks {
  const adopt = (ctx: unknown): void => target.adopt(wrapperFindings(ctx, self));
  return {
    onTrainBegin(this: unknown) {
      return settle(() => {
        adopt(this);
        target.trainBegin();
      });
    },
    onEpochBegin(this: unknown, epoch: number) {
      return settle(() => {
        adopt(this);
        target.epochBegin(epoch);
      });
    },
    async onEpochEnd(this: unknown, epoch: number, logs?: Logs) {
      adopt(this);
      // A tf.Callback list hands tf.Scalars; read them (dataSync first, data() otherwise) without disposing them.
      let values: Record<string, number>;
      try {
        values = await resolveLogs(logs);
      } catch (e) {
        target.logsUnreadable(
          new Error(`reading the epoch logs failed: ${toError(e).message}`, { cause: e }),
        );
        values = {};
      }
      target.epochEnd(epoch, values);
    },
    // Always defined, because TF.js calls every hook of a callback list directly when the list starts with a
    // tf.Callback instance. onBatchEnd adds up batch sizes (samples/s) and checks each batch's loss for NaN.
    onBatchBegin: () => Promise.resolve(),
    onBatchEnd(this: unknown, batch: number, logs?: Logs) {
      return settle(() => target.batchEnd(batch, logs ?? {}));
    },
    onTrainEnd(this: unknown, logs?: Logs) {
      return settle(() => {
        adopt(this);
        target.trainEnd(logs);
      });
    },
  };
}
