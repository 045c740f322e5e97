/**
 * The tail of a run's error output, kept while its logs are stored, so a failed run's status message says why
 * (the cause, e.g. `ERROR: data file … not found`, is usually in the last lines of stderr). Pure.
 */

/** Lines and bytes kept: enough for a traceback's end, short enough for a status line and a terminal. */
export const ERROR_TAIL_LINES = 10;
export const ERROR_TAIL_BYTES = 2048;

/** `previous` with the stderr text of `chunks` appended, cut to the last lines and bytes. */
export function appendErrorTail(
  previous: string | undefined,
  chunks: ReadonlyArray<{ stream: string; text: string; partial?: boolean }>,
): string | undefined {
  let text = previous ?? '';
  for (const chunk of chunks) {
    if (chunk.stream === 'stderr') text += chunk.partial ? chunk.text : `${chunk.text}\n`;
  }
  if (text === '') return previous;
  const lines = text.split('\n');
  // A trailing newline leaves an empty last element: keep it so the next chunk starts a new line.
  let kept = lines.slice(-(ERROR_TAIL_LINES + 1)).join('\n');
  if (Buffer.byteLength(kept) > ERROR_TAIL_BYTES) {
    kept = Buffer.from(kept)
      .subarray(-ERROR_TAIL_BYTES)
      .toString('utf8')
      .replace(/^\uFFFD+/, '');
  }
  return kept;
}

/** A failed run's status message with the error tail under it (unchanged when there is no tail). */
export function messageWithErrorTail(
  message: string | null | undefined,
  tail: string | undefined,
): string | null {
  const lines = tail?.trimEnd();
  if (!lines) return message ?? null;
  return `${message ? `${message}; ` : ''}last lines of its error output:\n${lines}`;
}
