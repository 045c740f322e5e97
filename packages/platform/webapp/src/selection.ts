/** The runs picked for comparison, kept in localStorage so picks from several pages add up. */
import type { RunRef } from './route.js';

const KEY = 'gangplank.compare';

function same(a: RunRef, b: RunRef): boolean {
  return a.trainingId === b.trainingId && a.runId === b.runId;
}

export function selectedRuns(): RunRef[] {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter(
      (r): r is RunRef =>
        typeof r === 'object' &&
        r !== null &&
        typeof (r as RunRef).trainingId === 'string' &&
        typeof (r as RunRef).runId === 'string',
    );
  } catch {
    return [];
  }
}

export function isSelected(ref: RunRef): boolean {
  return selectedRuns().some((r) => same(r, ref));
}

const listeners = new Set<() => void>();

export function onSelectionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setSelected(ref: RunRef, on: boolean): void {
  const rest = selectedRuns().filter((r) => !same(r, ref));
  localStorage.setItem(KEY, JSON.stringify(on ? [...rest, ref] : rest));
  for (const listener of listeners) listener();
}

export function clearSelection(): void {
  localStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}
