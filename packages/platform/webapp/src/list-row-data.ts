/**
 * What the list fetches per row, only for rows on screen: the latest run (start, duration) and, when a metric
 * column or the picker wants them, its metric summaries from the run history. Requests are batched (one history
 * request for every row that came into view together); rows of running runs are fetched again after a refresh.
 */
import { errorText, HttpError } from './api.js';
import { getRun, runsHistory, type WireRun } from './endpoints.js';
import { metricKey, scalars, summarize, type Summary } from './history.js';
import type { Row } from './list-model.js';

export interface RowData {
  runs: ReadonlyMap<string, WireRun>;
  /** Metric summaries by run id, then by metric key. */
  metrics: ReadonlyMap<string, ReadonlyMap<string, Summary>>;
  /** Metric keys seen so far. */
  metricNames: ReadonlySet<string>;
  /** Why metric values are missing (empty while the history loads fine). */
  historyNote(): string;
  /** Watches these row elements (`data-id`); those that come into view are fetched. */
  observe(elements: readonly HTMLElement[]): void;
  /** Forgets what is watched (before the table is rebuilt). */
  unobserve(): void;
  /** After a refresh: runs not finished are fetched again when on screen. */
  markStale(isFinished: (run: WireRun) => boolean): void;
  /** Fetches every row on screen that needs it (after a metric column was added). */
  queueVisible(): void;
  dispose(): void;
}

export function rowData(options: {
  rowById: () => ReadonlyMap<string, Row>;
  wantsHistory: () => boolean;
  /** Rows whose data arrived, to be redrawn. */
  onLoaded: (rows: readonly Row[]) => void;
}): RowData {
  const runs = new Map<string, WireRun>();
  const stale = new Set<string>();
  const metrics = new Map<string, Map<string, Summary>>();
  const metricNames = new Set<string>();
  let historyNote = '';
  const pending = new Set<string>();
  const visible = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const abort = new AbortController();

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const id = (entry.target as HTMLElement).dataset.id;
      if (!id) continue;
      if (entry.isIntersecting) {
        visible.add(id);
        queue(id);
      } else visible.delete(id);
    }
  });

  function queue(id: string): void {
    const row = options.rowById().get(id);
    if (!row?.runId) return;
    const needRun = !runs.has(row.runId) || stale.has(row.runId);
    const needHistory =
      options.wantsHistory() && !historyNote && (!metrics.has(row.runId) || stale.has(row.runId));
    if (!needRun && !needHistory) return;
    pending.add(id);
    clearTimeout(flushTimer);
    flushTimer = setTimeout(() => void flush(), 30);
  }

  async function flush(): Promise<void> {
    const batch = [...pending]
      .map((id) => options.rowById().get(id))
      .filter((r): r is Row => r?.runId !== undefined);
    pending.clear();
    if (batch.length === 0 || disposed) return;
    const refs = batch.map((r) => ({ trainingId: r.id, runId: r.runId ?? '' }));
    const loads: Promise<unknown>[] = refs.map(async (ref) => {
      try {
        runs.set(ref.runId, await getRun(ref));
      } catch {
        // deleted meanwhile: the next refresh drops the row
      }
    });
    if (options.wantsHistory() && !historyNote) {
      loads.push(
        runsHistory(refs, abort.signal).then(
          (answer) => {
            for (const run of answer.runs) {
              const byKey = new Map<string, Summary>();
              for (const series of scalars(run)) {
                const summary = summarize(series.points);
                metricNames.add(metricKey(series));
                if (summary) byKey.set(metricKey(series), summary);
              }
              metrics.set(run.runId, byKey);
            }
          },
          (error: unknown) => {
            historyNote =
              error instanceof HttpError && error.status === 404
                ? 'Metric columns need the run history, which this server does not serve.'
                : `Run history: ${errorText(error)}`;
          },
        ),
      );
    }
    await Promise.all(loads);
    if (disposed) return;
    for (const ref of refs) stale.delete(ref.runId);
    options.onLoaded(batch);
  }

  return {
    runs,
    metrics,
    metricNames,
    historyNote: () => historyNote,
    observe(elements) {
      for (const element of elements) observer.observe(element);
    },
    unobserve() {
      observer.disconnect();
      visible.clear();
    },
    markStale(isFinished) {
      for (const [runId, run] of runs) if (!isFinished(run)) stale.add(runId);
    },
    queueVisible() {
      for (const id of visible) queue(id);
    },
    dispose() {
      disposed = true;
      abort.abort();
      observer.disconnect();
      clearTimeout(flushTimer);
    },
  };
}
