/**
 * What the page calls a training's or run's state: Odahu's five, plus `cancelled` for a run that failed because
 * someone cancelled it (reason `Cancelled`, as every executor reports it), so it does not read as a failure. Pure.
 */
import type { TrainingState } from '../../src/domain/types.js';

export type DisplayState = TrainingState | 'cancelled';

export const DISPLAY_STATES: readonly DisplayState[] = [
  'scheduling',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'unknown',
];

export function displayState(state: string | undefined, reason: string | null | undefined): DisplayState {
  if (state === 'failed' && reason === 'Cancelled') return 'cancelled';
  return (DISPLAY_STATES as readonly string[]).includes(state ?? '') ? (state as DisplayState) : 'unknown';
}

export function isFinished(state: string | undefined): boolean {
  return state === 'succeeded' || state === 'failed';
}
