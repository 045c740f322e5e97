/** What every view gets from the shell: the caller's access and a place for messages. */
import type { Access } from './permissions.js';

export interface ViewContext {
  access: Access;
  /** Shows a message above the view (empty string clears it). */
  notify: (message: string) => void;
}

/** A mounted view; `dispose` stops its polling and aborts its requests. */
export interface View {
  dispose(): void;
}
