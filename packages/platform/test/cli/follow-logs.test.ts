import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/client/index.js';
import { followLogs } from '../../src/cli/follow-logs.js';

/** A Response whose body yields `chunks`, then ends or (with `breakAfter`) errors like a dropped connection. */
function streamResponse(chunks: string[], breakAfter = false): Response {
  const enc = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(enc.encode(chunks[i++]));
      else if (breakAfter) controller.error(new Error('socket hang up'));
      else controller.close();
    },
  });
  return new Response(body);
}

describe('followLogs', () => {
  it('prints each byte once across reconnects whose streams restart from the beginning', async () => {
    // Like a server whose log grows and whose follow stream drops: each open replays everything so far.
    const log = ['epoch 1\n', 'epoch 2\n', 'epoch 3\n', 'done\n'];
    let opens = 0;
    let finished = false;
    const out: string[] = [];
    await followLogs({
      open: (follow) => {
        opens++;
        if (!follow) return Promise.resolve(streamResponse(log));
        const upTo = Math.min(log.length, opens + 1);
        if (upTo === log.length) finished = true;
        return Promise.resolve(streamResponse(log.slice(0, upTo), true));
      },
      write: (t) => out.push(t),
      isFinished: () => Promise.resolve(finished),
      follow: true,
      sleep: () => Promise.resolve(),
    });
    expect(out.join('')).toBe(log.join(''));
    expect(opens).toBeGreaterThan(2);
  });

  it('keeps multi-byte characters whole when a chunk splits them', async () => {
    const bytes = new TextEncoder().encode('météo ✓\n');
    const parts = [bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    });
    const out: string[] = [];
    await followLogs({
      open: () => Promise.resolve(new Response(body)),
      write: (t) => out.push(t),
      isFinished: () => Promise.resolve(true),
      follow: false,
      sleep: () => Promise.resolve(),
    });
    expect(out.join('')).toBe('météo ✓\n');
  });

  it('retries "not started yet" refusals while the training runs, and stops on 404', async () => {
    let calls = 0;
    const out: string[] = [];
    await followLogs({
      open: (follow) => {
        calls++;
        if (follow && calls < 3) return Promise.reject(new ApiError('has not started yet', 500, 'GET log'));
        return Promise.resolve(streamResponse(['hello\n']));
      },
      write: (t) => out.push(t),
      isFinished: () => Promise.resolve(calls >= 3),
      follow: true,
      sleep: () => Promise.resolve(),
    });
    expect(out.join('')).toBe('hello\n');

    await expect(
      followLogs({
        open: () => Promise.reject(new ApiError('entity "x" is not found', 404, 'GET log')),
        write: () => undefined,
        isFinished: () => Promise.resolve(false),
        follow: true,
        sleep: () => Promise.resolve(),
      }),
    ).rejects.toThrow(/not found/);
  });
});
