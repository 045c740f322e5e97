/**
 * The run history from the exporter's side, against real HTTP servers: every epoch value, batch sample, test
 * result and weights histogram reaches the endpoint exactly once per (phase, name, step) through failures, a
 * hanging server never slows the hooks, the buffer bound drops and counts, and the file sink writes JSON lines.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_ENV, TrainTestExporter, type HistoryPoint } from '../../src/index.js';
import { fakeClock, fakeModel, recordingTransport } from '../training/training-support.js';

interface Endpoint {
  url: string;
  /** Every point the endpoint accepted, repeats included. */
  received: HistoryPoint[];
  authorizations: (string | undefined)[];
  requests: number;
  close(): Promise<void>;
}

type Answer = (request: IncomingMessage, response: ServerResponse, n: number) => boolean;

/** A history endpoint that answers through `answer` first (true = handled) and otherwise stores and says 200. */
async function endpoint(answer: Answer = () => false): Promise<Endpoint> {
  const state: Endpoint = {
    url: '',
    received: [],
    authorizations: [],
    requests: 0,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((request, response) => {
    state.requests += 1;
    if (answer(request, response, state.requests)) return;
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      state.authorizations.push(request.headers.authorization);
      state.received.push(...(JSON.parse(body) as { points: HistoryPoint[] }).points);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/model/training/t/runs/r/history`;
  return state;
}

const servers: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function keyOf(p: HistoryPoint): string {
  return `${p.phase}/${p.name}/${p.step}`;
}

function exporterFor(
  env: Record<string, string>,
  extra: ConstructorParameters<typeof TrainTestExporter>[2] = {},
) {
  return new TrainTestExporter('127.0.0.1:9', 'job', {
    env,
    client: { transport: recordingTransport().transport },
    pushThread: false,
    onError: () => undefined,
    ...extra,
  });
}

/** An exporter recording to a new endpoint that answers through `answer`, and the problems it reports. */
async function recordingTo(answer: Answer, extra: ConstructorParameters<typeof TrainTestExporter>[2] = {}) {
  const server = await endpoint(answer);
  servers.push(server);
  const problems: Error[] = [];
  const exporter = exporterFor(
    { [HISTORY_ENV.url]: server.url },
    { onError: (e) => problems.push(e), ...extra },
  );
  return { server, exporter, problems };
}

describe('run history from TrainTestExporter', () => {
  it('records each epoch, batch sample, test result and weights histogram, with the run credential', async () => {
    const server = await endpoint();
    servers.push(server);
    const clock = fakeClock();
    const exporter = exporterFor(
      { [HISTORY_ENV.url]: server.url, [HISTORY_ENV.token]: 'gprun.t.r.sig' },
      { clock, model: fakeModel(), histogramBuckets: [-0.2, 0, 0.2], batchMetrics: { intervalMs: 0 } },
    );
    exporter.trainBegin({ targetEpochs: 3 });
    for (let epoch = 0; epoch < 3; epoch++) {
      exporter.batchEnd(0, { loss: 1 - epoch / 10 });
      clock.advance(50);
      exporter.epochEnd(epoch, { loss: 1 / (epoch + 1), acc: epoch / 3, val_loss: 2, learning_rate: 0.01 });
    }
    exporter.trainEnd();
    exporter.recordTest({ loss: 0.25, acc: 0.9 });
    await exporter.close();
    const keys = server.received.map(keyOf).sort();
    expect(keys).toEqual(
      [
        ...[1, 2, 3].flatMap((s) =>
          ['loss', 'accuracy', 'val_loss', 'learning_rate', 'model_weights'].map((n) => `train/${n}/${s}`),
        ),
        'train/batch_loss/1',
        'train/batch_loss/2',
        'train/batch_loss/3',
        // trainEnd's histogram repeats step 3: the server keeps the first.
        'train/model_weights/3',
        'test/loss/3',
        'test/accuracy/3',
        'test/model_weights/3',
      ].sort(),
    );
    const accuracy = server.received.find((p) => keyOf(p) === 'train/accuracy/2');
    expect(accuracy).toEqual({
      phase: 'train',
      name: 'accuracy',
      step: 2,
      time: 1_700_000_000.1,
      value: 1 / 3,
    });
    const histogram = server.received.find((p) => keyOf(p) === 'train/model_weights/1');
    expect(histogram).toMatchObject({
      kind: 'histogram',
      buckets: [
        { le: -0.2, count: 1 },
        { le: 0, count: 3 },
        { le: 0.2, count: 4 },
        { le: '+Inf', count: 6 },
      ],
      count: 6,
    });
    expect(new Set(server.authorizations)).toEqual(new Set(['Bearer gprun.t.r.sig']));
    expect(exporter.historyStats).toEqual({
      sent: server.received.length,
      dropped: 0,
      refused: 0,
      pending: 0,
    });
  });

  it('retries through refusals and 503s, keeping every point; non-finite values travel as text', async () => {
    const { server, exporter, problems } = await recordingTo((_request, response, n) => {
      if (n > 3) return false;
      response.writeHead(503).end('{"message":"restarting"}');
      return true;
    });
    for (let epoch = 0; epoch < 5; epoch++) exporter.epochEnd(epoch, { loss: epoch === 4 ? NaN : epoch });
    await exporter.close(20_000);
    expect(server.received.filter((p) => p.name === 'loss').map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    expect(server.received.find((p) => p.step === 5)).toMatchObject({ value: 'NaN' });
    expect(problems.some((e) => e.message.includes('503 restarting'))).toBe(true);
  });

  it('never holds the training up on a server that accepts and never answers; close gives up at its deadline', async () => {
    const { server, exporter, problems } = await recordingTo(() => true, {
      history: { requestTimeoutMs: 200 },
    });
    for (let epoch = 0; epoch < 20; epoch++) exporter.epochEnd(epoch, { loss: epoch });
    await exporter.close(300);
    expect(exporter.historyStats).toMatchObject({ sent: 0, pending: 20 });
    expect(problems.map((e) => e.message)).toContain(
      `run history: 20 points not delivered to ${server.url} before close`,
    );
  });

  it('drops and counts past the buffer bound, and says so once', async () => {
    const { exporter, problems } = await recordingTo(() => true, {
      history: { bufferPoints: 10, requestTimeoutMs: 100 },
    });
    for (let epoch = 0; epoch < 15; epoch++) exporter.epochEnd(epoch, { loss: epoch });
    expect(exporter.historyStats).toMatchObject({ dropped: 5, pending: 10 });
    expect(problems.filter((e) => e.message.includes('buffer is full'))).toHaveLength(1);
    await exporter.close(0);
  });

  it('drops a batch the server refuses for good (the run ended) instead of retrying it', async () => {
    const { server, exporter } = await recordingTo((_request, response) => {
      response.writeHead(403).end('{"message":"run r has ended"}');
      return true;
    });
    exporter.epochEnd(0, { loss: 1 });
    await exporter.close();
    expect(server.requests).toBe(1);
    expect(exporter.historyStats).toMatchObject({ refused: 1, pending: 0 });
  });

  it('appends JSON lines to GANGPLANK_HISTORY_FILE when no server records them', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gangplank-history-'));
    try {
      const file = path.join(dir, 'history.jsonl');
      const exporter = exporterFor({ [HISTORY_ENV.file]: file });
      exporter.epochEnd(0, { loss: 0.5 });
      exporter.epochEnd(1, { loss: 0.25 });
      await exporter.close();
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as HistoryPoint);
      expect(lines.map((p) => [p.name, p.step, 'value' in p ? p.value : undefined])).toEqual([
        ['loss', 1, 0.5],
        ['loss', 2, 0.25],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('records nothing without an endpoint, or with metrics off', async () => {
    const server = await endpoint();
    servers.push(server);
    const off = exporterFor({ [HISTORY_ENV.url]: server.url, GANGPLANK_METRICS_ENABLED: 'false' });
    off.epochEnd(0, { loss: 1 });
    await off.close();
    const none = exporterFor({});
    none.epochEnd(0, { loss: 1 });
    await none.close();
    expect(server.requests).toBe(0);
    expect(none.historyStats).toBeUndefined();
  });
});
