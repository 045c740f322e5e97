import { describe, expect, it } from 'vitest';
import { singleFlight } from '../../src/dispatcher/single-flight.js';

/** A round the test lets finish when it wants. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('singleFlight', () => {
  it('runs one round at a time, and one more round for any number of calls during a round', async () => {
    const gates = [gate(), gate()];
    let rounds = 0;
    let inFlight = 0;
    let most = 0;
    const run = singleFlight(async () => {
      const mine = gates[rounds++];
      inFlight++;
      most = Math.max(most, inFlight);
      await mine?.wait;
      inFlight--;
    });
    const first = run();
    const during = [run(), run(), run()];
    await Promise.all(during); // calls during a round return at once
    expect(rounds).toBe(1);
    gates[0]?.open();
    gates[1]?.open();
    await first;
    expect(rounds).toBe(2);
    expect(most).toBe(1);
    await run();
    expect(rounds).toBe(3);
  });

  it('goes round again when the work asks for it, until it stops asking', async () => {
    let rounds = 0;
    const run = singleFlight(() => Promise.resolve(++rounds < 4));
    await run();
    expect(rounds).toBe(4);
  });

  it('stops going round once its condition turns false', async () => {
    let rounds = 0;
    let wanted = true;
    const run = singleFlight(
      () => {
        rounds++;
        if (rounds === 2) wanted = false;
        return Promise.resolve(true);
      },
      { while: () => wanted },
    );
    await run();
    expect(rounds).toBe(2);
  });

  it('rejects the round that threw and starts afresh on the next call', async () => {
    let rounds = 0;
    const run = singleFlight(() => {
      rounds++;
      return rounds === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
    });
    await expect(run()).rejects.toThrow('boom');
    await run();
    expect(rounds).toBe(2);
  });
});
