/**
 * A client pointed at a server that is still starting: while the connection is refused it waits (up to
 * `connectWaitMs`, saying so once), for writes too, since a refused request never reached a server; with no wait
 * it fails at once. Real sockets: the port is free until the test's server listens on it.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { GangplankClient, UnreachableError } from '../../src/client/index.js';
import { freePort } from '@gangplank/stack';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Starts listening on `port` once `client` has been refused `refusals` times (counted through its sleeps). */
function listenAfter(
  port: number,
  refusals: number,
): { sleep: (ms: number) => Promise<void>; asked: string[] } {
  const asked: string[] = [];
  let slept = 0;
  const sleep = async (ms: number): Promise<void> => {
    slept++;
    if (slept === refusals) {
      server = createServer((req, res) => {
        asked.push(`${req.method} ${req.url}`);
        res.setHeader('content-type', 'application/json');
        res.end(req.method === 'GET' ? '{}' : '{"id":"w"}');
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 10)));
  };
  return { sleep, asked };
}

describe('client while the server is starting', () => {
  it('waits for a listener, says so once, and then sends the request (a write too)', async () => {
    const port = await freePort();
    const { sleep, asked } = listenAfter(port, 3);
    const notes: string[] = [];
    const client = new GangplankClient({
      url: `http://127.0.0.1:${port}`,
      connectWaitMs: 10_000,
      onWaiting: (line) => notes.push(line),
      sleep,
    });
    expect(await client.toolchains.create({ id: 'w' })).toEqual({ id: 'w' });
    expect(asked).toEqual(['POST /api/v1/toolchain/integration']);
    expect(notes).toEqual([
      `nothing listens at http://127.0.0.1:${port} yet (connection refused); waiting up to 10 s in case the ` +
        'server is still starting …',
    ]);
  });

  it('gives up after connectWaitMs with the unreachable error', async () => {
    const port = await freePort();
    const notes: string[] = [];
    let sleeps = 0;
    const client = new GangplankClient({
      url: `http://127.0.0.1:${port}`,
      connectWaitMs: 1_000,
      onWaiting: (line) => notes.push(line),
      sleep: () => {
        sleeps++;
        return Promise.resolve();
      },
    });
    const err = await client.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect(notes).toHaveLength(1);
    // 1 s of 250 ms polls, then the GET's own two retries.
    expect(sleeps).toBe(4 + 2);
  });

  it('fails at once without connectWaitMs (the library default)', async () => {
    const port = await freePort();
    const client = new GangplankClient({ url: `http://127.0.0.1:${port}`, retries: 0 });
    await expect(client.health()).rejects.toBeInstanceOf(UnreachableError);
  });
});
