import { describe, expect, it } from 'vitest';
import { PushError } from '../../src/push/errors.js';
import { CoalescingPushQueue, type PushOutcome, type PushSender } from '../../src/push/queue.js';
import type { PushTarget } from '../../src/push/grouping.js';

interface Call {
  method: string;
  job: string;
  body: string | undefined;
  resolve: () => void;
  reject: (e: Error) => void;
  signal: AbortSignal | undefined;
}

/** A sender whose pushes stay in flight until the test settles them. */
function manualSender(): PushSender & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    send: (method, target, body, options) =>
      new Promise((resolve, reject) => {
        const call: Call = {
          method,
          job: target.job,
          body: body?.(),
          resolve: () => resolve({ status: 200, body: '', attempts: 1, durationMs: 1 }),
          reject,
          signal: options?.signal,
        };
        options?.signal?.addEventListener('abort', () =>
          reject(new PushError('cancelled', { kind: 'aborted', method, url: '' })),
        );
        calls.push(call);
      }),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const t = (job: string, phase = 'train'): PushTarget => ({ job, grouping: { phase } });

describe('CoalescingPushQueue', () => {
  it('keeps one push in flight per group and sends only the newest pending state after it', async () => {
    const sender = manualSender();
    const q = new CoalescingPushQueue(sender);
    let state = 0;
    const target = t('j');
    for (let epoch = 1; epoch <= 5; epoch++) {
      state = epoch;
      q.enqueue({ method: 'PUT', target, render: () => `epoch ${state}\n` });
    }
    expect(sender.calls.map((c) => c.body)).toEqual(['epoch 1\n']);
    expect(q.coalesced).toBe(3);
    sender.calls[0]!.resolve();
    await tick();
    // Rendered when sent: the newest state, even though it was queued as epoch 2.
    expect(sender.calls.map((c) => c.body)).toEqual(['epoch 1\n', 'epoch 5\n']);
    sender.calls[1]!.resolve();
    expect(await q.flush(1000)).toEqual({ complete: true, unfinished: 0 });
  });

  it('pushes different groups independently (train and test never wait on each other)', () => {
    const sender = manualSender();
    const q = new CoalescingPushQueue(sender);
    q.enqueue({ method: 'PUT', target: t('j', 'train'), render: () => 'a\n' });
    q.enqueue({ method: 'PUT', target: t('j', 'test'), render: () => 'b\n' });
    expect(sender.calls.map((c) => c.body)).toEqual(['a\n', 'b\n']);
  });

  it('reports each outcome and survives a throwing hook', async () => {
    const sender = manualSender();
    const outcomes: PushOutcome[] = [];
    const q = new CoalescingPushQueue(sender, {
      onOutcome: (o) => {
        outcomes.push(o);
        throw new Error('hook bug');
      },
    });
    q.enqueue({ method: 'PUT', target: t('a'), render: () => '' });
    q.enqueue({ method: 'PUT', target: t('b'), render: () => '' });
    sender.calls[0]!.resolve();
    sender.calls[1]!.reject(new PushError('down', { kind: 'network', method: 'PUT', url: '' }));
    await q.flush(1000);
    expect(outcomes.map((o) => [o.target.job, o.ok, o.error?.message])).toEqual([
      ['a', true, undefined],
      ['b', false, 'down'],
    ]);
  });

  it('is bounded: beyond maxGroups the oldest pending push is dropped and reported', () => {
    const sender = manualSender();
    const outcomes: PushOutcome[] = [];
    const q = new CoalescingPushQueue(sender, { maxGroups: 2, onOutcome: (o) => outcomes.push(o) });
    // a and b go in flight; their next states wait; c needs a slot and evicts a's pending state.
    q.enqueue({ method: 'PUT', target: t('a'), render: () => 'a1' });
    q.enqueue({ method: 'PUT', target: t('b'), render: () => 'b1' });
    q.enqueue({ method: 'PUT', target: t('a'), render: () => 'a2' });
    q.enqueue({ method: 'PUT', target: t('b'), render: () => 'b2' });
    q.enqueue({ method: 'PUT', target: t('c'), render: () => 'c1' });
    expect(q.dropped).toBe(1);
    expect(outcomes[0]!.error?.kind).toBe('dropped');
    expect(outcomes[0]!.target.job).toBe('a');
    expect(q.size).toBe(4);
  });

  it('flush() reports unfinished work at its deadline without cancelling it', async () => {
    const sender = manualSender();
    const q = new CoalescingPushQueue(sender);
    q.enqueue({ method: 'PUT', target: t('a'), render: () => '' });
    expect(await q.flush(20)).toEqual({ complete: false, unfinished: 1 });
    expect(sender.calls[0]!.signal?.aborted).toBe(false);
    sender.calls[0]!.resolve();
    expect(await q.flush(1000)).toEqual({ complete: true, unfinished: 0 });
  });

  it('close() cancels what is left after its deadline and refuses new pushes', async () => {
    const sender = manualSender();
    const outcomes: PushOutcome[] = [];
    const q = new CoalescingPushQueue(sender, { onOutcome: (o) => outcomes.push(o) });
    q.enqueue({ method: 'PUT', target: t('a'), render: () => '1' });
    q.enqueue({ method: 'PUT', target: t('a'), render: () => '2' });
    const result = await q.close(20);
    expect(result.complete).toBe(false);
    expect(sender.calls[0]!.signal?.aborted).toBe(true);
    expect(outcomes.map((o) => o.error?.kind)).toEqual(['dropped', 'aborted']);
    q.enqueue({ method: 'PUT', target: t('a'), render: () => '3' });
    expect(outcomes.at(-1)!.error?.message).toMatch(/closed/);
    expect(sender.calls).toHaveLength(1);
  });

  it('a DELETE replaces a pending PUT of the same group (latest wins)', async () => {
    const sender = manualSender();
    const q = new CoalescingPushQueue(sender);
    q.enqueue({ method: 'PUT', target: t('a'), render: () => '1' });
    q.enqueue({ method: 'PUT', target: t('a'), render: () => '2' });
    q.enqueue({ method: 'DELETE', target: t('a') });
    sender.calls[0]!.resolve();
    await tick();
    expect(sender.calls.map((c) => c.method)).toEqual(['PUT', 'DELETE']);
    sender.calls[1]!.resolve();
    await q.flush(1000);
  });
});
