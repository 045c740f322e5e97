import { parseDocument, isMap, isSeq } from 'yaml';
import { formatDuration, parseDuration } from './duration.js';

/** How to shorten (or lengthen) the time windows of alert and recording rules. */
export interface RuleWindowOptions {
  /**
   * Factor applied to every range window (`[5m]`, subquery ranges and steps, `offset`) and every `for:` of the
   * rules. `0.1` turns `avg_over_time(x[5m]) < 0.05` with `for: 1m` into `[30s]` with `for: 6s`, which lets an
   * end-to-end test drive an alert to Alertmanager within a minute.
   * @default 1
   */
  timeScale?: number;
  /**
   * Smallest range window after scaling, e.g. four scrape intervals so that `rate()` still sees samples.
   * `for:` durations have no floor (0s means "fire at once").
   * @default '0s'
   */
  minWindow?: string;
}

/** A duration inside `[…]` (`[5m]`, `[1h:30s]`, `[10m:]`) or after `offset`. */
const RANGE_RE = /\[((?:\d+(?:ms|[smhdwy]))+)(?::((?:\d+(?:ms|[smhdwy]))+)?)?\]/g;
const OFFSET_RE = /\boffset\s+(-?)((?:\d+(?:ms|[smhdwy]))+)/g;

/** Scales the durations inside one PromQL expression. Pure. */
export function scaleExpressionWindows(expr: string, timeScale: number, minWindowMs = 0): string {
  const scale = (text: string, floorMs: number) =>
    formatDuration(Math.max(floorMs, parseDuration(text) * timeScale));
  return expr
    .replace(RANGE_RE, (whole: string, range: string, step: string | undefined) => {
      const scaledRange = scale(range, minWindowMs);
      if (!whole.includes(':')) return `[${scaledRange}]`;
      return `[${scaledRange}:${step === undefined ? '' : scale(step, 0)}]`;
    })
    .replace(OFFSET_RE, (_all, sign: string, offset: string) => `offset ${sign}${scale(offset, 0)}`);
}

/**
 * Renders a Prometheus rule file with its windows scaled by {@link RuleWindowOptions.timeScale}; comments and
 * layout survive. Thresholds in seconds (e.g. `time() - push_time_seconds > 900`) are numbers, not windows, and
 * stay as they are. Throws on a file that is not a rule file. Pure.
 */
export function scaleRuleWindows(source: string, options: RuleWindowOptions = {}): string {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    throw new RangeError(`rule time scale must be a positive number, got ${timeScale}`);
  }
  const minWindowMs = parseDuration(options.minWindow ?? '0s');
  const doc = parseDocument(source);
  if (doc.errors.length > 0) throw new Error(`rule file is not valid YAML: ${doc.errors[0]!.message}`);
  if (timeScale === 1 && minWindowMs === 0) return source;
  const groups = doc.get('groups');
  if (!isSeq(groups)) throw new Error('rule file has no `groups:` list');
  for (const group of groups.items) {
    if (!isMap(group)) continue;
    const rules = group.get('rules');
    if (!isSeq(rules)) continue;
    for (const rule of rules.items) {
      if (!isMap(rule)) continue;
      const expr = rule.get('expr');
      if (typeof expr === 'string') rule.set('expr', scaleExpressionWindows(expr, timeScale, minWindowMs));
      const forValue = rule.get('for');
      if (typeof forValue === 'string') rule.set('for', formatDuration(parseDuration(forValue) * timeScale));
    }
  }
  return doc.toString({ lineWidth: 0 });
}
