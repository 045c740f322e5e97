/** Shared fakes for the training tests: a clock the test moves, a duck-typed model and a recording transport. */
import type { ExporterClock, ModelLike, PushRequest, Transport } from '../../src/index.js';

export function fakeClock(startWallMs = 1_700_000_000_000): ExporterClock & { advance(ms: number): void } {
  let mono = 0;
  let wall = startWallMs;
  return {
    wallMs: () => wall,
    monotonicMs: () => mono,
    advance(ms: number) {
      mono += ms;
      wall += ms;
    },
  };
}

export function fakeModel(
  weights: Float32Array[] = [new Float32Array([-0.35, -0.1, 0, 0.05, 0.3, 2])],
): ModelLike {
  return {
    countParams: () => weights.reduce((n, w) => n + w.length, 0) + 4,
    getWeights: () => weights.map((w) => ({ dataSync: () => w })),
  };
}

export interface RecordingTransport {
  transport: Transport;
  requests: PushRequest[];
  /** Answer for the next requests; default 200. */
  status: number | 'refuse';
}

export function recordingTransport(): RecordingTransport {
  const rec: RecordingTransport = {
    requests: [],
    status: 200,
    transport: (req) => {
      rec.requests.push(req);
      if (rec.status === 'refuse')
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      return Promise.resolve({ status: rec.status, body: rec.status === 200 ? '' : 'bad' });
    },
  };
  return rec;
}
