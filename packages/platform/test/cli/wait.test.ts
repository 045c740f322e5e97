import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GangplankClient } from '../../src/client/index.js';
import { CliFailure } from '../../src/cli/errors.js';
import { ProgressPrinter } from '../../src/cli/progress.js';
import { describeOutcome, waitForTraining } from '../../src/cli/wait.js';
import { FakeApi } from './support/fake-api.js';

const api = new FakeApi();
let client: GangplankClient;

beforeAll(async () => {
  client = new GangplankClient({ url: await api.start() });
  await client.trainings.create({ id: 'w', spec: { toolchain: 't' } });
});
afterAll(() => api.stop());

/** A clock that advances only when the code sleeps. */
function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = 1_000_000;
  return { now: () => t, sleep: (ms) => ((t += ms), Promise.resolve()) };
}

describe('waitForTraining', () => {
  it('draws live progress with metrics of the run on a terminal and returns the final training', async () => {
    api.stateScript.set('w', ['running', 'running', 'succeeded']);
    let screen = '';
    const seen: { runId?: string; job?: string }[] = [];
    let epoch = 0;
    const final = await waitForTraining(client, 'w', {
      timeoutMs: 60_000,
      ...fakeClock(),
      printer: new ProgressPrinter({ write: (t: string) => (screen += t) }, true),
      metrics: (match) => {
        seen.push(match);
        epoch++;
        return Promise.resolve({ epoch, epochs: 3, loss: 1 / epoch });
      },
    });
    expect(final.status?.state).toBe('succeeded');
    expect(seen[0]).toEqual({ runId: 'w-run-1', job: 'w', training: 'w' });
    expect(screen.split('\r\x1b[2K').filter(Boolean)).toEqual([
      'running  0s  epoch 1/3  loss 1.0000',
      'running  1s  epoch 2/3  loss 0.5000',
      'succeeded  2s  epoch 3/3  loss 0.3333\n',
    ]);
    expect(describeOutcome(final)).toBe('training w succeeded');
  });

  it('gives up after the timeout with a hint, leaving the training running', async () => {
    api.stateScript.set('w', ['running', 'running', 'running', 'running']);
    await expect(waitForTraining(client, 'w', { timeoutMs: 2000, ...fakeClock() })).rejects.toThrow(
      CliFailure,
    );
    api.stateScript.set('w', ['running']);
    await expect(waitForTraining(client, 'w', { timeoutMs: 0, ...fakeClock() })).rejects.toThrow(
      /did not finish within 0 s \(state: running\); it keeps running: watch it with gangplank train logs --id w --follow/,
    );
  });
});
