/** Every log chunk of a run, read page after page the way the dispatcher reads them, until a page comes back empty. */
import type { Executor, ExecutorHandle, ExecutorLogChunk } from '../../src/executors/executor.js';

export async function allLogs(
  executor: Pick<Executor, 'logs'>,
  handle: ExecutorHandle,
  pageSize = 500,
): Promise<ExecutorLogChunk[]> {
  const out: ExecutorLogChunk[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await executor.logs(handle, cursor, pageSize);
    out.push(...page.chunks);
    cursor = page.cursor;
    if (page.chunks.length === 0) return out;
  }
}
