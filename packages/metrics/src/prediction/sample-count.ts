/**
 * Counting samples in a model's output, for `gangplank_predict_total`. Pure.
 *
 * Gangplank 0.5 adds `len(y)`, which counts outputs instead of samples for multi-output models (8 samples through a
 * 2-output model count as 2) and keys for dict outputs. Here the batch dimension is read instead:
 *
 * - a tensor (anything with a numeric-array `shape`, as in TF.js, or `dims`, as in onnxruntime): its first
 *   dimension, or 1 for a scalar; an unknown (symbolic) first dimension counts as 0;
 * - a list whose first element is a tensor (multi-output `LayersModel.predict`): the first output's batch;
 * - a dict (`NamedTensorMap`, onnxruntime's `run` result): the first value's batch;
 * - any other array or typed array: its length (a nested JS array's rows);
 * - a number, string, boolean or bigint: 1;
 * - anything else (`undefined`, an object with no values, a getter that throws): 1, so a call is never counted as
 *   no sample.
 */

/** Nesting depth of dicts followed before giving up. */
const MAX_DEPTH = 4;

/** Returns the number of samples in a prediction output `y`. */
export function countSamples(y: unknown): number {
  try {
    return batchOf(y, 0) ?? 1;
  } catch {
    // A throwing getter (a proxy, a disposed native handle) must not turn a good prediction into an error.
    return 1;
  }
}

function batchOf(value: unknown, depth: number): number | undefined {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'bigint':
      return 1;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return undefined;
  const shape = shapeOf(value);
  if (shape !== undefined) {
    if (shape.length === 0) return 1;
    const first: unknown = shape[0];
    const n = typeof first === 'bigint' ? Number(first) : first;
    // null (a symbolic batch), -1 (onnx's dynamic axis) or nonsense: the batch is unknown.
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return 0;
    const head: unknown = value[0];
    // A list of tensors is a multi-output result: the first output carries the batch. A list of anything else
    // (rows, records) is the batch itself.
    if (head !== null && typeof head === 'object' && shapeOf(head) !== undefined)
      return batchOf(head, depth + 1);
    return value.length;
  }
  if (ArrayBuffer.isView(value)) return (value as unknown as { length?: number }).length ?? 1;
  if (depth >= MAX_DEPTH) return undefined;
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key)) {
      return batchOf((value as Record<string, unknown>)[key], depth + 1);
    }
  }
  return undefined;
}

/** The shape of a tensor-like value (TF.js `shape`, onnxruntime `dims`), or undefined. */
function shapeOf(value: object): readonly unknown[] | undefined {
  const v = value as { shape?: unknown; dims?: unknown };
  if (Array.isArray(v.shape)) return v.shape as unknown[];
  if (Array.isArray(v.dims)) return v.dims as unknown[];
  return undefined;
}
