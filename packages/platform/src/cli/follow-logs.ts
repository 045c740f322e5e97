/**
 * Log following that never repeats a line. odahuflowctl restarts the stream from the beginning after each 60 s
 * idle read and prints everything again (reference §5/§8). Here the bytes already written are counted and skipped
 * when a stream is reopened, and a last non-following read after the training ends picks up anything written
 * between a dropped stream and the end.
 */
import { TextDecoder } from 'node:util';
import { ApiError } from '../client/index.js';

export interface FollowOptions {
  /** Opens the log stream (`follow` false for the final read). */
  open: (follow: boolean) => Promise<Response>;
  /** Receives decoded text, in order, each byte exactly once. */
  write: (text: string) => void;
  /** Whether the training has reached a final state. */
  isFinished: () => Promise<boolean>;
  follow: boolean;
  sleep: (ms: number) => Promise<void>;
  /** Wait between reconnects. @default 1000 */
  retryMs?: number;
}

export async function followLogs(options: FollowOptions): Promise<void> {
  const retryMs = options.retryMs ?? 1000;
  const decoder = new TextDecoder();
  let delivered = 0;

  /** Reads one stream, writing only bytes past `delivered`. Returns false when the stream broke. */
  const drain = async (res: Response): Promise<boolean> => {
    let seen = 0;
    if (!res.body) return true;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return true;
        const start = Math.max(0, delivered - seen);
        seen += value.byteLength;
        if (start < value.byteLength) {
          const fresh = value.subarray(start);
          delivered += fresh.byteLength;
          const text = decoder.decode(fresh, { stream: true });
          if (text) options.write(text);
        }
      }
    } catch {
      return false;
    } finally {
      reader.releaseLock();
    }
  };

  if (!options.follow) {
    await drain(await options.open(false));
    flush(decoder, options.write);
    return;
  }

  for (;;) {
    let res: Response | undefined;
    try {
      res = await options.open(true);
    } catch (err) {
      // 404: no such training. Other refusals (e.g. "has not started yet") are retried while it runs.
      if (
        err instanceof ApiError &&
        (err.status === 404 || err.status === 400 || err.status === 401 || err.status === 403)
      ) {
        throw err;
      }
      if (await options.isFinished()) throw err;
    }
    if (res) await drain(res);
    if (await options.isFinished()) {
      // The stream may have dropped before the end: one plain read catches up without repeating.
      await drain(await options.open(false));
      flush(decoder, options.write);
      return;
    }
    await options.sleep(retryMs);
  }
}

function flush(decoder: TextDecoder, write: (text: string) => void): void {
  const rest = decoder.decode();
  if (rest) write(rest);
}
