/** Moving an executor's log pages into the store, behind a cursor the run keeps. */
import type { ExecutorHandle, ExecutorLogChunk, Executor } from '../executors/executor.js';
import type { Store } from '../store/store.js';
import { appendErrorTail } from './error-tail.js';

/** Chunks read from an executor per page. */
export const LOG_PAGE = 1000;

export interface StoreChunk {
  stream: ExecutorLogChunk['stream'];
  text: string;
  time: string;
}

/** The store keeps raw text (the log endpoint concatenates chunks), so complete lines get their newline back. */
export function toStoreChunk(chunk: ExecutorLogChunk): StoreChunk {
  return {
    stream: chunk.stream,
    text: chunk.partial ? chunk.text : `${chunk.text}\n`,
    time: chunk.time.toISOString(),
  };
}

/** Where a run's logs stand: `cursorDirty` says the cursor moved since it was last saved with the run. */
export interface LogPosition {
  run: { id: string };
  handle: ExecutorHandle;
  cursor?: string;
  cursorDirty: boolean;
  errorTail?: string;
}

/** Stores every chunk the executor has after the cursor, page by page, and moves the cursor past them. */
export async function drainLogs(
  executor: Pick<Executor, 'logs'>,
  store: Pick<Store, 'appendLogs'>,
  at: LogPosition,
): Promise<void> {
  for (;;) {
    const page = await executor.logs(at.handle, at.cursor, LOG_PAGE);
    if (page.chunks.length > 0) {
      await store.appendLogs(at.run.id, page.chunks.map(toStoreChunk));
      at.errorTail = appendErrorTail(at.errorTail, page.chunks);
    }
    if (page.cursor !== at.cursor) {
      at.cursor = page.cursor;
      at.cursorDirty = true;
    }
    if (page.chunks.length < LOG_PAGE) return;
  }
}
