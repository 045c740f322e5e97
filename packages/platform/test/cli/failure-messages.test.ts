/** Failures say why (issue 15 item 7): outcome lines for failed and cancelled runs, and a URL that is no API. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOutcome } from '../../src/cli/wait.js';
import { ApiError, GangplankClient } from '../../src/client/index.js';

describe('describeOutcome', () => {
  it('a failure shows its message (the error tail) and how to read the whole log', () => {
    const line = describeOutcome({
      id: 'broken',
      spec: {},
      status: {
        state: 'failed',
        reason: 'Failed',
        exitCode: 3,
        message: 'the entry point exited with code 3; ERROR: data file /data/missing.csv not found',
        runId: 'broken-run-2',
      },
    });
    expect(line).toBe(
      'training broken failed; reason: Failed; exit code 3; the entry point exited with code 3; ' +
        'ERROR: data file /data/missing.csv not found\n' +
        'the whole log: gangplank train logs --id broken --run broken-run-2',
    );
  });

  it('a cancel reads as cancelled, without the exit code of the signal', () => {
    const line = describeOutcome({
      id: 'fake-a',
      spec: {},
      status: { state: 'failed', reason: 'Cancelled', exitCode: 143, message: 'cancelled by a user' },
    });
    expect(line).toBe('training fake-a cancelled; cancelled by a user');
  });
});

describe('a URL that is not a Gangplank API', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // Answers like the Pushgateway does on an unknown path.
    server = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('404 page not found\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is named as such, with the likely cause and the API port', async () => {
    const client = new GangplankClient({ url });
    const error = await client.trainings.get('wine').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(
      `${url} does not look like a Gangplank/Odahu API server (got 404 text/plain from GET /api/v1/model/training/wine); ` +
        'is it the Pushgateway? The API listens on :5000 by default',
    );
  });
});
