/**
 * Progress of `gangplank local train run` from the run's history file (JSON lines the exporter appends, see
 * `GANGPLANK_HISTORY_FILE`): the same line `--wait` draws from the server's history.
 */
import { readFile } from 'node:fs/promises';
import { groupHistory, type RecordedPoint } from '../domain/history.js';
import { metricsFromHistory } from './progress-history.js';
import type { RunMetrics } from './progress-metrics.js';

/** Parses the lines (a torn last line is skipped; the first point of a step wins, as on the server). */
export function historyFromLines(text: string): ReturnType<typeof groupHistory> {
  const seen = new Set<string>();
  const points: RecordedPoint[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let point: RecordedPoint;
    try {
      point = JSON.parse(line) as RecordedPoint;
    } catch {
      continue;
    }
    const key = `${point.phase}\u0000${point.name}\u0000${point.step}`;
    if (seen.has(key)) continue;
    seen.add(key);
    points.push(
      'value' in point && typeof point.value === 'string' ? { ...point, value: Number(point.value) } : point,
    );
  }
  return groupHistory(points);
}

export async function readHistoryFileMetrics(file: string): Promise<RunMetrics> {
  try {
    return metricsFromHistory(historyFromLines(await readFile(file, 'utf8')));
  } catch {
    return {};
  }
}
