/** Prometheus durations (`5m`, `1h30m`, `250ms`), parsed to and formatted from milliseconds. Pure. */

const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
} as const;

type Unit = keyof typeof UNIT_MS;

/** Units from the largest down, as Prometheus prints them (it never prints weeks unless they are exact). */
const FORMAT_ORDER: readonly Unit[] = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** One or more `<integer><unit>` parts; `ms` is tried before `m`. */
const DURATION_RE = /^(?:\d+(?:ms|[smhdwy]))+$/;
const PART_RE = /(\d+)(ms|[smhdwy])/g;

/** True for a valid Prometheus duration such as `5m`, `1h30m` or `0s`. */
export function isDuration(text: string): boolean {
  return DURATION_RE.test(text);
}

/** Parses a Prometheus duration to milliseconds; throws on anything else (`5 min`, `-1m`, `1.5h`). */
export function parseDuration(text: string): number {
  if (!isDuration(text)) {
    throw new RangeError(`not a Prometheus duration: "${text}" (use e.g. 30s, 5m, 1h30m, 250ms)`);
  }
  let total = 0;
  for (const match of text.matchAll(PART_RE)) total += Number(match[1]) * UNIT_MS[match[2] as Unit];
  return total;
}

/** Formats milliseconds as a Prometheus duration, rounding to whole milliseconds (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format ${ms} ms as a duration`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of FORMAT_ORDER) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
