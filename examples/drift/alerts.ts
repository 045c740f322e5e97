/** One alert as Alertmanager's API v2 (`GET /api/v2/alerts`) lists it. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed' };
}

/** `127.0.0.1:9093` or `http://…` → base URL without a trailing slash. */
export function alertmanagerUrl(address: string): string {
  const url = /^https?:\/\//.test(address) ? address : `http://${address}`;
  return url.replace(/\/+$/, '');
}

/**
 * The alerts named `alertname` that Alertmanager holds (firing alerts Prometheus sent it; resolved ones drop out).
 * Throws with the address in the message when Alertmanager cannot be reached.
 */
export async function firingAlerts(
  address: string,
  alertname: string,
  matchers: Readonly<Record<string, string>> = {},
): Promise<AlertmanagerAlert[]> {
  const filters = Object.entries({ alertname, ...matchers }).map(
    ([k, v]) => `filter=${encodeURIComponent(`${k}="${v}"`)}`,
  );
  const url = `${alertmanagerUrl(address)}/api/v2/alerts?${filters.join('&')}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new Error(`cannot reach Alertmanager at ${alertmanagerUrl(address)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!res.ok) throw new Error(`Alertmanager answered ${res.status} to ${url}: ${(await res.text()).trim()}`);
  return (await res.json()) as AlertmanagerAlert[];
}
