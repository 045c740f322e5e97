/** The recorder alone: the train/test state machine with a test-driven clock, no gateway, no timers. */
import { describe, expect, it } from 'vitest';
import type { Phase } from '../../src/training/catalogue.js';
import { renderFamilies } from '../../src/training/exposition.js';
import { TrainTestRecorder } from '../../src/training/recorder.js';
import { toError } from '../../src/to-error.js';
import { fakeClock, fakeModel } from './training-support.js';

function recorder(options: { histogramBuckets?: number[]; countParams?: () => number } = {}) {
  const clock = fakeClock();
  const changes: Phase[] = [];
  const problems: Error[] = [];
  const model = fakeModel();
  if (options.countParams) model.countParams = options.countParams;
  const r = new TrainTestRecorder({
    clock,
    model,
    histogramBuckets: options.histogramBuckets,
    onChange: (p) => changes.push(p),
    onProblem: (e) => problems.push(e),
  });
  return { r, clock, changes, problems, text: (p: Phase) => renderFamilies(r.families(p)) };
}

describe('TrainTestRecorder', () => {
  it('turns begin, epochs and end into state, asking for a push at each change', () => {
    const { r, clock, changes, text } = recorder({ histogramBuckets: [0, 0.1] });
    r.trainBegin({ targetEpochs: 2 });
    clock.advance(1500);
    r.epochEnd(0, { loss: 0.5 }, { samples: 300 });
    clock.advance(500);
    r.trainEnd();
    expect(changes).toEqual(['train', 'train', 'train']);
    const t = text('train');
    expect(t).toContain('gangplank_train_epochs_count 1\n');
    expect(t).toContain('gangplank_train_elapsed_time_seconds 1.5\n');
    expect(t).toContain('gangplank_train_samples_per_second 200\n');
    expect(t).toContain('gangplank_train_model_parameters_count 10\n');
    expect(t).toContain('gangplank_train_model_weights_bucket{le="0.0"} 3\n');
    expect(t).toContain('gangplank_train_status{state="succeeded"} 1\n');
  });

  it('reports an unreadable model as a problem and keeps the rest', () => {
    const { r, problems, text } = recorder({
      countParams: () => {
        throw new Error('not built');
      },
    });
    r.trainBegin();
    r.epochEnd(0, { loss: 1 });
    expect(problems[0]!.message).toBe('model.countParams() failed: not built');
    expect(text('train')).toContain('gangplank_train_epochs_count 1\n');
  });

  it('counts push outcomes into the phase and keeps them across runs', () => {
    const { r, clock, text } = recorder();
    r.pushed('test', false);
    r.pushed('test', true);
    r.testBegin();
    r.testEnd({ loss: 2 });
    const t = text('test');
    expect(t).toContain('gangplank_exporter_push_failures_total 1\n');
    expect(t).toContain(`gangplank_exporter_last_push_success_timestamp_seconds ${clock.wallMs() / 1000}\n`);
  });
});

describe('toError', () => {
  it('keeps errors and wraps anything else thrown', () => {
    const e = new TypeError('x');
    expect(toError(e)).toBe(e);
    expect(toError('boom').message).toBe('boom');
    expect(toError(undefined)).toBeInstanceOf(Error);
  });
});
