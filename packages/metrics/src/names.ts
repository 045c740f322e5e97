/**
 * Metric and label name sanitising. Bad names are repaired, never fatal: Gangplank 0.5 dropped a whole epoch's push
 * when one log key (e.g. `top-5 acc`) was not a valid name; we rewrite the key instead.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when `name` is a valid Prometheus metric name (text format 0.0.4). */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** True when `name` is a valid label name that users may set (names starting with `__` are reserved). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

/**
 * Turns any string into a snake_case name segment that is valid inside a metric or label name:
 * camelCase becomes snake_case (`categoricalAccuracy` → `categorical_accuracy`, because `promtool check metrics`
 * rejects camelCase), every other invalid character (including `:`, reserved for recording rules) becomes `_`,
 * runs of `_` collapse, and leading/trailing `_` are trimmed. Returns `''` when nothing usable is left.
 */
export function snakeCase(raw: string): string {
  return raw
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

/**
 * Sanitises a full metric name: see {@link snakeCase}; a name that would start with a digit gets a leading `_`,
 * and an empty result becomes `unnamed`. The result always satisfies {@link isValidMetricName} and has no `:`.
 */
export function sanitizeMetricName(raw: string): string {
  const s = snakeCase(raw);
  if (s === '') return 'unnamed';
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

/**
 * Sanitises a label name like {@link sanitizeMetricName}. Because runs of `_` collapse and leading `_` are trimmed,
 * the result never starts with the reserved `__`.
 */
export function sanitizeLabelName(raw: string): string {
  return sanitizeMetricName(raw);
}
