/**
 * What the compare view tabulates: the hyperparameters of several runs (marking those that differ) and each
 * metric's min, max and last per run. Pure.
 */
import { metricKey, summarize, isCurve, type ScalarSeries, type Summary } from './history.js';

export interface ParamRow {
  name: string;
  /** One per run; `undefined` where a run lacks the parameter. */
  values: (string | undefined)[];
  differs: boolean;
}

export function paramRows(params: readonly (Record<string, string> | undefined)[]): ParamRow[] {
  const names = [...new Set(params.flatMap((p) => Object.keys(p ?? {})))].sort();
  return names.map((name) => {
    const values = params.map((p) => p?.[name]);
    return { name, values, differs: new Set(values).size > 1 };
  });
}

export interface MetricColumn {
  key: string;
  /** One per run. */
  summaries: (Summary | undefined)[];
}

/** Every curve metric any run recorded, with each run's summary, losses first. */
export function metricColumns(runs: readonly (readonly ScalarSeries[])[]): MetricColumn[] {
  const keys = [...new Set(runs.flatMap((series) => series.filter((s) => isCurve(s.name)).map(metricKey)))];
  keys.sort((a, b) => Number(!a.includes('loss')) - Number(!b.includes('loss')) || a.localeCompare(b));
  return keys.map((key) => ({
    key,
    summaries: runs.map((series) => {
      const found = series.find((s) => metricKey(s) === key);
      return found ? summarize(found.points) : undefined;
    }),
  }));
}

/** A metric key as shown: `val_loss`, `test accuracy`. */
export function metricLabel(key: string): string {
  return key.startsWith('train/') ? key.slice('train/'.length) : key.replace('/', ' ');
}
