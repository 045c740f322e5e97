import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBinary } from '@gangplank/stack';
import {
  HISTOGRAM_WEIGHT_BUCKETS_0_3,
  HISTOGRAM_WEIGHT_BUCKETS_1_0,
  TrainTestExporter,
} from '../../src/index.js';
import { emptyHistogram, observeAll } from '../../src/training/histogram.js';
import { formatBound, formatValue, renderFamilies } from '../../src/training/exposition.js';
import { keySegment } from '../../src/training/catalogue.js';
import { fakeClock, fakeModel } from './training-support.js';

function exporterWithState(): TrainTestExporter {
  const clock = fakeClock();
  const e = new TrainTestExporter('127.0.0.1:9', 'j', {
    env: {},
    enabled: true,
    clock,
    model: fakeModel(),
    histogramBuckets: [-0.3, 0, 0.3],
    targetEpochs: 4,
    pushIntervalMs: 0,
  });
  e.trainBegin();
  clock.advance(2000);
  e.epochEnd(0, { loss: 0.5, acc: 0.75, val_loss: 0.625, val_acc: 0.5 }, { samples: 100 });
  clock.advance(1000);
  e.epochEnd(1, { loss: 0.25, acc: 0.875, val_loss: NaN, val_acc: 0.625 }, { samples: 100 });
  return e;
}

describe('exposition', () => {
  it('renders the exact Gangplank 0.5 names and HELP texts, plus ours, in one snapshot', async () => {
    const e = exporterWithState();
    expect(e.render('train')).toBe(
      [
        '# HELP gangplank_train_loss loss',
        '# TYPE gangplank_train_loss gauge',
        'gangplank_train_loss 0.25',
        '# HELP gangplank_train_accuracy accuracy',
        '# TYPE gangplank_train_accuracy gauge',
        'gangplank_train_accuracy 0.875',
        '# HELP gangplank_train_val_loss val_loss',
        '# TYPE gangplank_train_val_loss gauge',
        'gangplank_train_val_loss NaN',
        '# HELP gangplank_train_val_accuracy val_accuracy',
        '# TYPE gangplank_train_val_accuracy gauge',
        'gangplank_train_val_accuracy 0.625',
        '# HELP gangplank_train_model_parameters_count The number of trainable and non-trainable model weights',
        '# TYPE gangplank_train_model_parameters_count gauge',
        'gangplank_train_model_parameters_count 10',
        '# HELP gangplank_train_epochs_count The number of completed training epochs',
        '# TYPE gangplank_train_epochs_count gauge',
        'gangplank_train_epochs_count 2',
        '# HELP gangplank_train_elapsed_time_seconds The amount of time spent training the model',
        '# TYPE gangplank_train_elapsed_time_seconds gauge',
        'gangplank_train_elapsed_time_seconds 3',
        '# HELP gangplank_train_model_weights model trainable weights',
        '# TYPE gangplank_train_model_weights histogram',
        'gangplank_train_model_weights_bucket{le="-0.3"} 1',
        'gangplank_train_model_weights_bucket{le="0.0"} 3',
        // float32(0.3) = 0.30000001… is above the bound 0.3: like any client, it lands in +Inf only.
        'gangplank_train_model_weights_bucket{le="0.3"} 4',
        'gangplank_train_model_weights_bucket{le="+Inf"} 6',
        `gangplank_train_model_weights_sum ${[-0.35, -0.1, 0, 0.05, 0.3, 2].map((v) => Math.fround(v)).reduce((a, b) => a + b, 0)}`,
        'gangplank_train_model_weights_count 6',
        '# HELP gangplank_train_epoch_duration_seconds Duration of the last completed training epoch, validation included',
        '# TYPE gangplank_train_epoch_duration_seconds gauge',
        'gangplank_train_epoch_duration_seconds 1',
        '# HELP gangplank_train_samples_per_second Training samples processed per second in the last completed epoch',
        '# TYPE gangplank_train_samples_per_second gauge',
        'gangplank_train_samples_per_second 100',
        '# HELP gangplank_train_target_epochs The epoch count the training is set to reach',
        '# TYPE gangplank_train_target_epochs gauge',
        'gangplank_train_target_epochs 4',
        '# HELP gangplank_train_progress_ratio Completed epochs divided by the target epochs',
        '# TYPE gangplank_train_progress_ratio gauge',
        'gangplank_train_progress_ratio 0.5',
        '# HELP gangplank_train_nonfinite_loss_total Epoch and batch ends that reported a NaN or infinite loss',
        '# TYPE gangplank_train_nonfinite_loss_total counter',
        'gangplank_train_nonfinite_loss_total 1',
        '# HELP gangplank_train_start_timestamp_seconds Unix time at which the training started',
        '# TYPE gangplank_train_start_timestamp_seconds gauge',
        'gangplank_train_start_timestamp_seconds 1700000000',
        '# HELP gangplank_train_status State of the training: 1 for the current one of running, succeeded, failed',
        '# TYPE gangplank_train_status gauge',
        'gangplank_train_status{state="running"} 1',
        'gangplank_train_status{state="succeeded"} 0',
        'gangplank_train_status{state="failed"} 0',
        '# HELP gangplank_exporter_push_failures_total Pushes of this group that failed after their retries',
        '# TYPE gangplank_exporter_push_failures_total counter',
        'gangplank_exporter_push_failures_total 0',
        '# HELP gangplank_exporter_last_push_success_timestamp_seconds Unix time of the last successful push of this group (0 before the first)',
        '# TYPE gangplank_exporter_last_push_success_timestamp_seconds gauge',
        'gangplank_exporter_last_push_success_timestamp_seconds 0',
        '',
      ].join('\n'),
    );
    await e.close(10);
  });

  it('keeps the exact bucket constants of Gangplank 0.5', () => {
    expect(HISTOGRAM_WEIGHT_BUCKETS_1_0).toEqual([
      -1, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
      0.9, 1,
    ]);
    expect(HISTOGRAM_WEIGHT_BUCKETS_0_3).toEqual([
      -0.3, -0.25, -0.2, -0.15, -0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3,
    ]);
    expect(Object.isFrozen(HISTOGRAM_WEIGHT_BUCKETS_0_3)).toBe(true);
  });

  it('formats values and le bounds like the Prometheus clients', () => {
    expect([NaN, Infinity, -Infinity, 0.1, 1e-7, 3].map(formatValue)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '0.1',
      '1e-7',
      '3',
    ]);
    expect([-1, 0, -0, 0.05, 1, Infinity].map(formatBound)).toEqual([
      '-1.0',
      '0.0',
      '0.0',
      '0.05',
      '1.0',
      '+Inf',
    ]);
  });

  it('escapes HELP texts and label values', () => {
    expect(
      renderFamilies([
        { name: 'x', help: 'a\\b\nc', type: 'gauge', samples: [{ labels: { l: 'q"\\\n' }, value: 1 }] },
      ]),
    ).toBe('# HELP x a\\\\b\\nc\n# TYPE x gauge\nx{l="q\\"\\\\\\n"} 1\n');
  });

  it('sanitises log keys instead of failing, and keeps the raw key as HELP', async () => {
    const e = new TrainTestExporter('127.0.0.1:9', 'j', { env: {}, pushIntervalMs: 0 });
    e.epochEnd(0, {
      'top-5 acc': 0.9,
      categoricalAccuracy: 0.8,
      '1st': 1,
      sample_count: 3,
      'ok:metric': 2,
      note: 'text' as unknown as number,
    });
    const text = e.render('train');
    expect(text).toContain('# HELP gangplank_train_top_5_acc top-5 acc\n');
    expect(text).toContain('gangplank_train_categorical_accuracy 0.8\n');
    expect(text).toContain('gangplank_train_1st 1\n');
    expect(text).toContain('gangplank_train_sample_count_value 3\n');
    expect(text).toContain('gangplank_train_ok_metric 2\n');
    expect(text).not.toContain('note');
    await e.close(10);
  });

  it('skips (and reports once) a log key that would reuse a built-in name', async () => {
    const problems: Error[] = [];
    const e = new TrainTestExporter('127.0.0.1:9', 'j', {
      env: {},
      pushIntervalMs: 0,
      onError: (err) => problems.push(err),
    });
    e.epochEnd(0, { elapsed_time_seconds: 99, status: 1, loss: 1 });
    const text = e.render('train');
    e.render('train');
    expect(text).toMatch(/^gangplank_train_elapsed_time_seconds 0\.\d+$/m);
    expect(text).not.toContain('gangplank_train_elapsed_time_seconds 99');
    expect(text).not.toMatch(/^gangplank_train_status 1$/m);
    expect(problems.map((p) => p.message).filter((m) => m.includes('built-in'))).toHaveLength(2);
    await e.close(10);
  });

  it('keySegment makes promtool-reserved suffixes safe', () => {
    expect(['loss', 'count', 'x_sum', 'le_bucket', 'account'].map(keySegment)).toEqual([
      'loss',
      'count_value',
      'x_sum_value',
      'le_bucket_value',
      'account',
    ]);
  });
});

describe('weights histogram over typed arrays', () => {
  it('matches a per-value reference (counts, cumulative buckets, sum) for any data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: false, noDefaultInfinity: false }), { maxLength: 200 }),
        fc.uniqueArray(fc.double({ min: -2, max: 2, noNaN: true }), { maxLength: 8 }),
        (raw, rawBounds) => {
          const bounds = [...rawBounds].sort((a, b) => a - b);
          const values = Float32Array.from(raw);
          const h = emptyHistogram(bounds);
          observeAll(h, values);
          const expected = new Array<number>(bounds.length + 1).fill(0);
          let sum = 0;
          for (const v of values) {
            sum += v;
            const i = bounds.findIndex((b) => v <= b);
            expected[i < 0 ? bounds.length : i]! += 1;
          }
          return (
            h.count === values.length &&
            Array.from(h.counts).every((c, i) => c === expected[i]) &&
            (Object.is(h.sum, sum) || Math.abs(h.sum - sum) <= 1e-9 * Math.max(1, Math.abs(sum)))
          );
        },
      ),
    );
  });

  it('puts a value equal to a bound in that bound (le is inclusive)', () => {
    const h = emptyHistogram([-0.3, 0, 0.3]);
    observeAll(h, new Float64Array([-0.3, 0, 0.3]));
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 0]);
  });
});

describe('promtool check metrics', () => {
  const promtool = findBinary('promtool');

  it.skipIf(promtool === undefined)(
    'finds nothing in our exposition but the three legacy _count gauges',
    async () => {
      const e = exporterWithState();
      e.batchEnd(0, { batch: 0, size: 8, loss: 0.1 });
      e.trainEnd();
      e.recordTest({ loss: 0.1, acc: 0.9, categoricalCrossentropy: 0.2 });
      const lint = (text: string): string[] => {
        const r = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
        return `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
      };
      expect(lint(e.render('train')).sort()).toEqual([
        'gangplank_train_epochs_count non-histogram and non-summary metrics should not have "_count" suffix',
        'gangplank_train_model_parameters_count non-histogram and non-summary metrics should not have "_count" suffix',
      ]);
      expect(lint(e.render('test'))).toEqual([
        'gangplank_test_model_parameters_count non-histogram and non-summary metrics should not have "_count" suffix',
      ]);
      // And promtool does flag a bad exposition, so the check can fail.
      expect(lint('# TYPE x counter\nx 1\n').join('\n')).toMatch(/_total/);
      await e.close(10);
    },
  );
});
