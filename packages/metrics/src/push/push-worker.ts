/**
 * The push worker: a thread of its own that holds the Pushgateway client and the coalescing queue, so pushes go out
 * on time while the training's thread is busy in a synchronous loop. It keeps the latest body of each group; the
 * client renders per attempt, so every retry sends the newest state the training has posted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PushgatewayClient } from './client.js';
import { CoalescingPushQueue } from './queue.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('push-worker.js runs as a worker thread only');
const init = workerData as WorkerInit;
const post = (message: FromWorker): void => port.postMessage(message);

const client = new PushgatewayClient(init.address, init.client);
const latest = new Map<string, string | undefined>();
const queue = new CoalescingPushQueue(client, {
  ...(init.maxGroups !== undefined ? { maxGroups: init.maxGroups } : {}),
  onOutcome: (o) =>
    post({
      type: 'outcome',
      key: o.key,
      method: o.method,
      ok: o.ok,
      ...(o.error
        ? {
            error: {
              message: o.error.message,
              kind: o.error.kind,
              ...(o.error.status !== undefined ? { status: o.error.status } : {}),
              attempts: o.error.attempts,
            },
          }
        : {}),
    }),
});

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'push': {
      latest.set(m.key, m.body);
      const { key } = m;
      queue.enqueue({ method: m.method, target: m.target, render: () => latest.get(key) ?? '' });
      return;
    }
    case 'flush':
      void queue.flush(m.timeoutMs).then((result) => post({ type: 'done', id: m.id, result }));
      return;
    case 'close':
      void queue.close(m.timeoutMs).then((result) => {
        client.close();
        post({ type: 'done', id: m.id, result });
        port.close();
      });
      return;
  }
});
