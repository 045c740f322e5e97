/** Messages between the exporter's thread and its push worker (structured-cloned: plain data only). */
import type { PushgatewayClientOptions } from './client.js';
import type { PushErrorKind } from './errors.js';
import type { PushTarget } from './grouping.js';
import type { FlushResult } from './queue.js';
import type { PushMethod } from './transport.js';

/** Client options that can cross a thread: no functions (handler, transport, runtime stay in-thread). */
export type CloneableClientOptions = Omit<PushgatewayClientOptions, 'handler' | 'transport' | 'runtime'>;

export interface WorkerInit {
  address: string;
  client: CloneableClientOptions;
  maxGroups?: number;
}

export type ToWorker =
  | { type: 'push'; key: string; method: PushMethod; target: PushTarget; body: string | undefined }
  | { type: 'flush'; id: number; timeoutMs: number }
  | { type: 'close'; id: number; timeoutMs: number };

export interface OutcomeError {
  message: string;
  kind: PushErrorKind;
  status?: number;
  attempts?: number;
}

export type FromWorker =
  | { type: 'outcome'; key: string; method: PushMethod; ok: boolean; error?: OutcomeError }
  | { type: 'done'; id: number; result: FlushResult };
