/**
 * Prometheus text format 0.0.4, rendered synchronously from plain data. The exporter renders its state in one go
 * right before a push, so one push never mixes two epochs (prom-client's `registry.metrics()` is async, and
 * training code could run between its awaits).
 */

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface Sample {
  /** Suffix after the family name (`_bucket`, `_sum`, `_count`), or `''`. */
  suffix?: string;
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** Formats a sample value as Prometheus does: `NaN`, `+Inf`, `-Inf`, otherwise the shortest round-trip decimal. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * Formats a bucket bound the way Python's client does (`-1.0`, `0.0`, `0.05`, `+Inf`), so the `le` labels match
 * what Gangplank 0.5 pushed and its dashboards keep matching.
 */
export function formatBound(b: number): string {
  if (b === Infinity) return '+Inf';
  if (b === -Infinity) return '-Inf';
  if (Number.isNaN(b)) return 'NaN';
  if (Number.isInteger(b) && Math.abs(b) < 1e16) return `${Object.is(b, -0) ? '0' : String(b)}.0`;
  return String(b);
}

/** Escapes a HELP text (`\` and newline). */
export function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Escapes a label value (`\`, `"` and newline). */
export function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Renders families in the given order; every line ends in `\n` (the gateway requires it). */
export function renderFamilies(families: readonly MetricFamily[]): string {
  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples)
      out += `${f.name}${s.suffix ?? ''}${labelText(s.labels)} ${formatValue(s.value)}\n`;
  }
  return out;
}
