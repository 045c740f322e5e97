/** What every view gets from the shell: the caller's access and a place for messages. */
import type { Access } from './permissions.js';

export interface ViewContext {
  /** Resolves once the server said who the token is; views fetch their data meanwhile. */
  access: Promise<Access>;
  /** Shows a message above the view (empty string clears it). */
  notify: (message: string) => void;
}

/** A mounted view; `dispose` stops its polling and aborts its requests. */
export interface View {
  dispose(): void;
}
