/**
 * Keras' names by default: the series Python Gangplank pushed for the seed's MNIST run (seed 000, its README's
 * `curl … | grep gangplank_train` after epoch 1) come out of the exporter fed the logs TF.js writes for the same
 * run (`acc`, `val_acc`).
 */
import { describe, expect, it } from 'vitest';
import { kerasKey, TrainTestExporter } from '../../src/index.js';
import { fakeClock } from './training-support.js';

/** The seed's Pushgateway output after epoch 1 of `train.py`, labels dropped. */
const SEED_SERIES = [
  'gangplank_train_accuracy 0.9451481699943542',
  'gangplank_train_elapsed_time_seconds 35.109450817108154',
  'gangplank_train_epochs_count 1',
  'gangplank_train_loss 0.1816869080066681',
  'gangplank_train_model_parameters_count 104202',
  'gangplank_train_val_accuracy 0.984333336353302',
  'gangplank_train_val_loss 0.05358922854065895',
];

/** The logs TF.js hands `onEpochEnd` for `metrics: ['accuracy']` with validation data. */
const TFJS_EPOCH_LOGS = {
  val_loss: 0.05358922854065895,
  val_acc: 0.984333336353302,
  loss: 0.1816869080066681,
  acc: 0.9451481699943542,
};

function mnistExporter(options: { logKeys?: 'keras' | 'as-logged' } = {}) {
  const clock = fakeClock();
  const e = new TrainTestExporter('127.0.0.1:9091', 'mnist', {
    env: {},
    clock,
    pushIntervalMs: 0,
    enabled: true,
    model: { countParams: () => 104202 },
    client: { transport: () => Promise.resolve({ status: 200, body: '' }) },
    ...options,
  });
  return { e, clock };
}

/** Sample lines (no comments) of the `gangplank_train_*` families Python Gangplank pushed (not our extras). */
function seedLike(text: string): string[] {
  const names = new Set(SEED_SERIES.map((l) => l.split(' ')[0]));
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#') && names.has(l.split(' ')[0]))
    .sort();
}

describe("Keras' names", () => {
  it("the seed's MNIST epoch, logged by TF.js, gives exactly the seed's series", async () => {
    const { e, clock } = mnistExporter();
    e.trainBegin();
    clock.advance(35_109.450817108154);
    e.epochEnd(0, TFJS_EPOCH_LOGS);
    const text = e.render('train');
    const ours = seedLike(text);
    expect(ours.map((l) => l.split(' ')[0])).toEqual(SEED_SERIES.map((l) => l.split(' ')[0]));
    for (const [i, line] of SEED_SERIES.entries()) {
      const [name, value] = line.split(' ');
      expect(ours[i]!.split(' ')[0]).toBe(name);
      expect(Number(ours[i]!.split(' ')[1])).toBeCloseTo(Number(value), 9);
    }
    expect(text).not.toMatch(/gangplank_train_(val_)?acc /);
    await e.close();
  });

  it("logKeys: 'as-logged' keeps TF.js's keys", async () => {
    const { e } = mnistExporter({ logKeys: 'as-logged' });
    e.epochEnd(0, TFJS_EPOCH_LOGS);
    const text = e.render('train');
    expect(text).toContain('gangplank_train_acc 0.9451481699943542\n');
    expect(text).toContain('gangplank_train_val_acc 0.984333336353302\n');
    expect(text).not.toContain('accuracy');
    await e.close();
  });

  it('spells out only the keys TF.js shortens', () => {
    expect(kerasKey('acc')).toBe('accuracy');
    expect(kerasKey('val_acc')).toBe('val_accuracy');
    expect(kerasKey('ce')).toBe('crossentropy');
    expect(kerasKey('val_ce')).toBe('val_crossentropy');
    for (const kept of ['loss', 'val_loss', 'mse', 'accuracy', 'top_5_acc', 'val_', 'categoricalAccuracy'])
      expect(kerasKey(kept)).toBe(kept);
  });

  it('the metrics filter takes either spelling', async () => {
    const { e } = mnistExporter();
    const f = new TrainTestExporter('127.0.0.1:9091', 'mnist', {
      env: {},
      pushIntervalMs: 0,
      metrics: ['acc'],
    });
    f.epochEnd(0, TFJS_EPOCH_LOGS);
    expect(f.render('train')).toContain('gangplank_train_accuracy 0.9451481699943542\n');
    expect(f.render('train')).not.toContain('gangplank_train_loss');
    await Promise.all([f.close(10), e.close(10)]);
  });
});
