/** Streams a run's log into a `<pre>`, following it while the run runs; keeps the view at the bottom if it was. */
import { authHeaders } from './api.js';
import { logUrl } from './endpoints.js';
import type { RunRef } from './route.js';

export async function followLog(
  pre: HTMLElement,
  ref: RunRef,
  follow: boolean,
  signal: AbortSignal,
): Promise<void> {
  pre.textContent = '';
  try {
    const response = await fetch(logUrl(ref, follow), { headers: authHeaders(), signal });
    if (!response.ok || !response.body) throw new Error(`log: ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) break;
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.append(value);
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    }
    if (!signal.aborted && pre.textContent === '') pre.textContent = '(no log lines)';
  } catch (error) {
    if (!signal.aborted) pre.append(`\n[${error instanceof Error ? error.message : String(error)}]`);
  }
}
