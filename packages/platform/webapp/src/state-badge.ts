/** The coloured state label of a training or run (cancelled apart from failed). */
import { h } from './dom.js';
import { displayState } from './display-state.js';

export function stateBadge(state: string | undefined, reason?: string | null): HTMLSpanElement {
  const shown = displayState(state, reason);
  return h('span', { class: `state state-${shown}` }, shown);
}
