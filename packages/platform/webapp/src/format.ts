/** Text of times, durations and numbers as the page shows them. Pure (the clock is passed in). */

export function when(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** `1h 2m 3s`, `2m 3s`, `3s`; empty when the run has not started. */
export function duration(startedAt: string | undefined, finishedAt: string | undefined, now: number): string {
  if (!startedAt) return '';
  const end = finishedAt ? Date.parse(finishedAt) : now;
  let s = Math.max(0, Math.round((end - Date.parse(startedAt)) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  return `${h ? `${h}h ` : ''}${h || m ? `${m}m ` : ''}${s}s`;
}

/** Four significant digits, no exponent for ordinary magnitudes. */
export function number(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

/** Seconds as `1:02:03` or `2:03`, for the relative-time axis. */
export function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
