/**
 * Must show (issue 12 §1): a training of 20 epochs of ~50 ms runs through the API server on the local executor
 * while its Pushgateway accepts connections and never answers, and the API server is stopped and started again
 * on the same data folder mid-run (the run's process goes on and is re-attached). Every epoch's values are in the
 * history exactly once, and the run's CSV export is written to a file whose path the test prints.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@gangplank/stack';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { NODE_TOOLCHAIN } from '../fixtures/specs.js';
import { twentyEpochs } from './twenty-epochs.js';

const TOKEN = 'history-admin-token';
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let dir: string;
let gateway: Server;
const sockets = new Set<Socket>();
let gatewayAddr = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gangplank-history-e2e-'));
  // A Pushgateway that hangs: it accepts every connection and never answers.
  gateway = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const address = gateway.address();
  if (address === null || typeof address === 'string') throw new Error('no gateway address');
  gatewayAddr = `127.0.0.1:${address.port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => gateway.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function api<T>(server: RunningServer, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T;
}

interface Series {
  name: string;
  phase: string;
  kind?: string;
  points: { step: number; value?: number | null }[];
}

describe('run history through the platform', () => {
  it('keeps every epoch exactly once with a hanging Pushgateway and an API server restart mid-run', async () => {
    const port = await freePort();
    const config = await resolveServerConfig({
      flags: { port, dataDir: path.join(dir, 'data'), logLevel: 'silent', auth: 'on' },
      env: { GANGPLANK_TOKENS: `admin:${TOKEN}` },
      configFile: '/dev/null',
    });
    let server = await startServer(config);
    try {
      const source = path.join(dir, 'source');
      await import('node:fs/promises').then((fs) => fs.mkdir(source, { recursive: true }));
      await writeFile(path.join(source, 'README'), 'history e2e\n');
      await api(server, 'POST', '/api/v1/toolchain/integration', NODE_TOOLCHAIN);
      await api(server, 'POST', '/api/v1/connection', { id: 'src', spec: { type: 'local', uri: source } });
      await api(server, 'POST', '/api/v1/model/training', {
        kind: 'ModelTraining',
        id: 'history-e2e',
        spec: twentyEpochs(gatewayAddr),
      });
      const training = await api<{ status: { runId: string } }>(
        server,
        'GET',
        '/api/v1/model/training/history-e2e',
      );
      const runId = training.status.runId;
      const historyUrl = `/api/v1/model/training/history-e2e/runs/${runId}/history`;
      const lossSteps = async (s: RunningServer): Promise<number> => {
        const { series } = await api<{ series: Series[] }>(s, 'GET', historyUrl);
        return series.find((x) => x.name === 'loss')?.points.length ?? 0;
      };

      // Mid-run: a few epochs are in, the rest are still to come.
      await vi.waitFor(async () => expect(await lossSteps(server)).toBeGreaterThanOrEqual(3), {
        timeout: 60_000,
        interval: 20,
      });
      // The restart really is mid-run: epochs are still to come.
      expect(await lossSteps(server)).toBeLessThan(20);
      await server.close();
      // Epochs that end now find no server: the exporter keeps them and retries.
      await sleep(300);
      server = await startServer(config);

      await vi.waitFor(
        async () => {
          const run = await server.store.getRun(runId);
          expect(run).toMatchObject({ state: 'succeeded' });
        },
        { timeout: 120_000, interval: 100 },
      );
      const { series } = await api<{ series: Series[] }>(server, 'GET', historyUrl);
      const steps = Array.from({ length: 20 }, (_, i) => i + 1);
      for (const name of ['loss', 'accuracy', 'val_loss', 'learning_rate']) {
        const found = series.find((s) => s.name === name && s.phase === 'train');
        expect(
          found?.points.map((p) => p.step),
          name,
        ).toEqual(steps);
      }
      const loss = series.find((s) => s.name === 'loss');
      expect(loss?.points.map((p) => p.value)).toEqual(steps.map((s) => 1 / s));
      const logs = await api<string>(server, 'GET', `/api/v1/model/training/history-e2e/log`);
      expect(logs).toContain('epoch 20/20');

      const csv = await api<string>(server, 'GET', `${historyUrl}?format=csv`);
      expect(csv.split('\n')[0]).toBe('phase,name,step,time,value');
      expect(csv.split('\n').filter((l) => l.startsWith('train,loss,'))).toHaveLength(20);
      const file = path.join(tmpdir(), `gangplank-history-e2e-${runId}.csv`);
      await writeFile(file, csv);
      console.log(`run history CSV export: ${file}\n${csv.split('\n').slice(0, 6).join('\n')}\n…`);
    } finally {
      await server.close();
    }
  }, 240_000);
});
