/** A run's logs as a plain-text stream, read page by page from the store; followed until the run ends. */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import type { TrainingRun } from '../../domain/types.js';
import { FINISHED_STATES } from '../../domain/types.js';
import type { Store } from '../../store/store.js';

const PAGE = 1000;

async function* runLogs(
  store: Store,
  runId: string,
  follow: boolean,
  pollMs: number,
  signal: AbortSignal,
): AsyncGenerator<string> {
  let after = 0;
  let finishedSeen = false;
  while (!signal.aborted) {
    const chunks = await store.readLogs(runId, { afterSeq: after, limit: PAGE });
    for (const chunk of chunks) {
      after = chunk.seq;
      yield chunk.text;
    }
    if (chunks.length === PAGE) continue;
    if (!follow || finishedSeen) return;
    const run = await store.getRun(runId);
    // One more read after the run finished collects what was written just before the state changed.
    if (!run || FINISHED_STATES.includes(run.state)) finishedSeen = true;
    else await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
}

/** Sends the logs of `run` (empty when the training has no run yet); a client that hangs up stops the stream. */
export function sendRunLogs(
  reply: FastifyReply,
  store: Store,
  run: TrainingRun | undefined,
  options: { follow: boolean; pollMs: number },
): FastifyReply {
  const abort = new AbortController();
  reply.raw.on('close', () => abort.abort());
  reply.type('text/plain; charset=utf-8');
  if (!run) return reply.send('');
  const lines = runLogs(store, run.id, options.follow, options.pollMs, abort.signal);
  return reply.send(Readable.from(lines, { objectMode: false }));
}
