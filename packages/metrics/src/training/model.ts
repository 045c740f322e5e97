/**
 * Duck types for TF.js objects. The library never imports TF.js (an optional peer): anything with the same shape
 * works, including hand-written models in tests.
 */
import type { NumericArray } from './histogram.js';

/** A tensor or scalar as far as we read it: `dataSync()` (preferred, no await) or `data()`. Never disposed here. */
export interface TensorLike {
  dataSync?(): NumericArray;
  data?(): Promise<NumericArray>;
}

/** A model variable (`tf.LayerVariable`): `read()` gives its tensor. */
export interface VariableLike {
  read?(): TensorLike;
  trainable?: boolean;
}

/** The parts of a `tf.LayersModel` the exporter uses; all optional. */
export interface ModelLike {
  countParams?(): number;
  /** TF.js returns the live variables: we read them and never dispose them. */
  getWeights?(trainableOnly?: boolean): TensorLike[];
  weights?: (VariableLike & TensorLike)[];
  trainableWeights?: (VariableLike & TensorLike)[];
  /** Names of `evaluate`'s outputs, e.g. `['loss', 'acc']`. */
  metricsNames?: string[];
  evaluate?(x: unknown, y: unknown, args?: unknown): TensorLike | TensorLike[];
  evaluateDataset?(dataset: unknown, args?: unknown): Promise<TensorLike | TensorLike[]>;
}

/** `fit` parameters as TF.js passes them to callbacks (`this.params`). */
export interface FitParams {
  epochs?: number;
  initialEpoch?: number;
  samples?: number;
  steps?: number;
  batchSize?: number;
}

/** What `evaluate` gives back: one scalar tensor, or one per metric. */
export type Evaluated = TensorLike | TensorLike[];

/** A model whose `evaluate` returns `R`: what the exporters' `evaluate` conveniences run and hand back. */
export type EvaluatingModel<R> = Omit<ModelLike, 'evaluate'> & {
  evaluate(x: unknown, y: unknown, args?: unknown): R;
};

export type Logs = Readonly<Record<string, unknown>>;

export function isTensorLike(v: unknown): v is TensorLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    (typeof (v as TensorLike).dataSync === 'function' || typeof (v as TensorLike).data === 'function')
  );
}

export function looksLikeModel(v: unknown): v is ModelLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    (typeof (v as ModelLike).countParams === 'function' ||
      typeof (v as ModelLike).getWeights === 'function' ||
      Array.isArray((v as ModelLike).weights))
  );
}

/** First element of a scalar's data, synchronously when the tensor allows it; `undefined` otherwise. */
export function scalarSync(t: TensorLike): number | undefined {
  if (typeof t.dataSync !== 'function') return undefined;
  const d = t.dataSync();
  return d.length > 0 ? Number(d[0]) : undefined;
}

/** First element of a scalar's data. */
export async function scalarValue(t: TensorLike): Promise<number | undefined> {
  const sync = scalarSync(t);
  if (sync !== undefined || typeof t.data !== 'function') return sync;
  const d = await t.data();
  return d.length > 0 ? Number(d[0]) : undefined;
}

/** The entries worth reading, in their order: numbers (bigints made numbers) and tensors still to be read. */
function readableEntries(logs: Logs | undefined): [string, number | TensorLike][] {
  const out: [string, number | TensorLike][] = [];
  for (const [k, v] of Object.entries(logs ?? {})) {
    if (typeof v === 'number') out.push([k, v]);
    else if (typeof v === 'bigint') out.push([k, Number(v)]);
    else if (isTensorLike(v)) out.push([k, v]);
  }
  return out;
}

/**
 * Numeric log entries. Numbers pass; scalar tensors are read (`dataSync()` first); anything else (strings,
 * arrays, objects) is skipped, as Gangplank 0.5 skipped non-numbers.
 */
export async function resolveLogs(logs: Logs | undefined): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, v] of readableEntries(logs)) {
    const n = typeof v === 'number' ? v : await scalarValue(v);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** Like {@link resolveLogs} but synchronous: tensors without `dataSync()` are skipped. */
export function resolveLogsSync(logs: Logs | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of readableEntries(logs)) {
    const n = typeof v === 'number' ? v : scalarSync(v);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** Weight arrays to histogram: trainable ones when the model can tell them apart, all otherwise. */
export function weightTensors(model: ModelLike): TensorLike[] {
  if (typeof model.getWeights === 'function') return model.getWeights(true);
  const vars = model.trainableWeights ?? model.weights?.filter((w) => w.trainable !== false) ?? [];
  return vars.map((v) => (typeof v.read === 'function' ? v.read() : v));
}

/** Reads a weight tensor's values synchronously when possible. */
export function tensorDataSync(t: TensorLike): NumericArray | undefined {
  return typeof t.dataSync === 'function' ? t.dataSync() : undefined;
}
