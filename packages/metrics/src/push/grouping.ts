/**
 * Grouping-key paths: `/metrics/job/<job>{/<label>/<value>}`. Values that the gateway's router would mangle go as
 * `<name>@base64/<base64url>`: Pushgateway 1.5.1 answers 301 to `%2F` or `//` in the path (prom-client then reports
 * success and stores nothing), and an empty value only works as `<name>@base64/=`.
 */
import { isValidLabelName, sanitizeLabelName } from '../names.js';

/** The job and grouping labels that name one group on the gateway. */
export interface PushTarget {
  job: string;
  /** Grouping labels besides `job`; their order is the order in the URL. @default {} */
  grouping?: Readonly<Record<string, string>>;
}

// Only these characters go in plain; `.` and `..` alone are path segments a router cleans away.
const PLAIN = /^[A-Za-z0-9_.~-]+$/;

/** RFC 4648 §5 base64url without padding; `=` for the empty string (the gateway's spelling of an empty value). */
export function base64url(value: string): string {
  return value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url');
}

/** True when `value` can go in a path segment as is. */
export function isPlainSegment(value: string): boolean {
  return PLAIN.test(value) && value !== '.' && value !== '..';
}

function segment(name: string, value: string): string {
  return isPlainSegment(value) ? `${name}/${value}` : `${name}@base64/${base64url(value)}`;
}

/**
 * Builds the path below the gateway's prefix, e.g. `/metrics/job/mnist/run_id/r1/path@base64/L3Zhcg`. Invalid label
 * names are sanitised (never fatal); a `job` key in `grouping` is ignored because the job is given apart.
 */
export function groupingPath(target: PushTarget): string {
  const parts = ['/metrics', segment('job', target.job)];
  for (const [rawName, value] of Object.entries(target.grouping ?? {})) {
    const name = isValidLabelName(rawName) ? rawName : sanitizeLabelName(rawName);
    if (name === 'job') continue;
    parts.push(segment(name, value));
  }
  return parts.join('/');
}

/** A stable identity for a group (job + labels, order-insensitive), used to coalesce pushes per group. */
export function groupingKeyId(target: PushTarget): string {
  const labels = Object.entries(target.grouping ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([target.job, labels]);
}
