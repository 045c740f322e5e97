/** The page's hash routes: `#/` list, `#/training/<id>[/<runId>]` a run, `#/compare?runs=<id>/<runId>,…`. Pure. */

/** One run of one training, as the compare view and the history routes name it. */
export interface RunRef {
  trainingId: string;
  runId: string;
}

export type Route =
  | { view: 'list' }
  | { view: 'run'; trainingId: string; runId?: string }
  | { view: 'compare'; runs: RunRef[] };

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** `a/r1,b/r2` (each part URI-encoded) → refs; malformed items are dropped. */
export function parseRunRefs(text: string): RunRef[] {
  const refs: RunRef[] = [];
  for (const item of text.split(',')) {
    const [trainingId, runId, ...rest] = item.split('/');
    if (trainingId && runId && rest.length === 0)
      refs.push({ trainingId: decode(trainingId), runId: decode(runId) });
  }
  return refs;
}

export function formatRunRefs(refs: readonly RunRef[]): string {
  return refs.map((r) => `${encodeURIComponent(r.trainingId)}/${encodeURIComponent(r.runId)}`).join(',');
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] === 'training' && parts[1]) {
    const trainingId = decode(parts[1]);
    return parts[2] ? { view: 'run', trainingId, runId: decode(parts[2]) } : { view: 'run', trainingId };
  }
  if (parts[0] === 'compare') {
    // Read raw: decoding the whole value first would turn an encoded `,` or `/` inside an id into a separator.
    const runs =
      query
        .split('&')
        .find((p) => p.startsWith('runs='))
        ?.slice('runs='.length) ?? '';
    return { view: 'compare', runs: parseRunRefs(runs) };
  }
  return { view: 'list' };
}

export function runHref(trainingId: string, runId?: string): string {
  return `#/training/${encodeURIComponent(trainingId)}${runId ? `/${encodeURIComponent(runId)}` : ''}`;
}

/** The compare route; the refs list keeps `,` and `/` readable (URLSearchParams would encode them). */
export function compareHref(refs: readonly RunRef[]): string {
  return `#/compare?runs=${formatRunRefs(refs)}`;
}
