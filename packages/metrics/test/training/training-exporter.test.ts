import { describe, expect, it } from 'vitest';
import {
  MetricsExportError,
  TrainTestExporter,
  basicAuthHandler,
  type TrainTestExporterOptions,
} from '../../src/index.js';
import { fakeClock, fakeModel, recordingTransport, type RecordingTransport } from './training-support.js';

function make(rec: RecordingTransport, options: TrainTestExporterOptions = {}): TrainTestExporter {
  return new TrainTestExporter('127.0.0.1:9091', 'job1', {
    env: {},
    runId: 'r1',
    instance: 'w0',
    pushIntervalMs: 0,
    ...options,
    client: { transport: rec.transport, retry: { retries: 0 }, ...options.client },
  });
}

const trainUrl = 'http://127.0.0.1:9091/metrics/job/job1/run_id/r1/instance/w0/phase/train';
const testUrl = 'http://127.0.0.1:9091/metrics/job/job1/run_id/r1/instance/w0/phase/test';

describe('TrainTestExporter in a hand-written loop', () => {
  it('pushes PUT per epoch to its own group and ends with status succeeded', async () => {
    const rec = recordingTransport();
    const e = make(rec, { model: fakeModel() });
    e.trainBegin({ targetEpochs: 2 });
    for (let epoch = 0; epoch < 2; epoch++) e.epochEnd(epoch, { loss: 1 / (epoch + 1) });
    e.trainEnd();
    await e.close();
    expect(rec.requests.every((r) => r.method === 'PUT' && r.url.href === trainUrl)).toBe(true);
    const last = rec.requests.at(-1)!.body!;
    expect(last).toContain('gangplank_train_loss 0.5\n');
    expect(last).toContain('gangplank_train_epochs_count 2\n');
    expect(last).toContain('gangplank_train_status{state="succeeded"} 1\n');
    expect(last).toMatch(/^gangplank_train_end_timestamp_seconds \d+/m);
    expect(last).toMatch(/^gangplank_exporter_last_push_success_timestamp_seconds [1-9]/m);
  });

  it('records a failed training through trainFailed()', async () => {
    const rec = recordingTransport();
    const e = make(rec);
    e.trainBegin();
    e.epochEnd(0, { loss: NaN });
    e.trainFailed(new Error('diverged'));
    await e.close();
    const last = rec.requests.at(-1)!.body!;
    expect(last).toContain('gangplank_train_status{state="failed"} 1\n');
    expect(last).toContain('gangplank_train_nonfinite_loss_total 1\n');
  });

  it('keeps test results in a separate group (a test push never erases the train series)', async () => {
    const rec = recordingTransport();
    const e = make(rec);
    e.epochEnd(0, { loss: 1 });
    e.recordTest({ loss: 0.5, acc: 0.9 });
    await e.close();
    expect(new Set(rec.requests.map((r) => r.url.href))).toEqual(new Set([trainUrl, testUrl]));
    const test = rec.requests.find((r) => r.url.href === testUrl)!.body!;
    expect(test).toContain('gangplank_test_accuracy 0.9\n');
    expect(test).not.toContain('gangplank_train_');
  });

  it('exports only the listed keys with the metrics option', async () => {
    const rec = recordingTransport();
    const e = make(rec, { metrics: ['loss'] });
    e.epochEnd(0, { loss: 1, acc: 0.5 });
    await e.close();
    expect(rec.requests.at(-1)!.body).toContain('gangplank_train_loss 1\n');
    expect(rec.requests.at(-1)!.body).not.toContain('gangplank_train_acc');
    expect(rec.requests.at(-1)!.body).not.toContain('accuracy');
  });

  it('samples batch metrics at most once per interval and counts every batch', async () => {
    const rec = recordingTransport();
    const clock = fakeClock();
    const e = make(rec, { clock, batchMetrics: { intervalMs: 1000 } });
    e.trainBegin();
    const losses = [0.9, 0.8, 0.7];
    for (const [i, loss] of losses.entries()) {
      e.batchEnd(i, { batch: i, size: 32, loss });
      clock.advance(600);
    }
    const text = e.render('train');
    // Batch 0 (t=0) and batch 2 (t=1200) are sampled; batch 1 (t=600) is not.
    expect(text).toContain('gangplank_train_batch_loss 0.7\n');
    expect(text).toContain('gangplank_train_batches_total 3\n');
    expect(text).not.toContain('gangplank_train_batch_size');
    e.epochEnd(0, { loss: 0.7 });
    expect(e.render('train')).toMatch(/gangplank_train_samples_per_second 53\.33/);
    await e.close();
  });

  it('pushes periodically during a long epoch', async () => {
    const rec = recordingTransport();
    const e = make(rec, { pushIntervalMs: 20 });
    e.trainBegin();
    await expect.poll(() => rec.requests.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    e.trainEnd();
    await e.close();
    expect(rec.requests.every((r) => r.url.href === trainUrl)).toBe(true);
  });

  it('does nothing at all when switched off (option or GANGPLANK_METRICS_ENABLED)', async () => {
    const rec = recordingTransport();
    for (const e of [
      make(rec, { enabled: false }),
      make(rec, { env: { GANGPLANK_METRICS_ENABLED: 'false' } }),
    ]) {
      expect(e.enabled).toBe(false);
      e.trainBegin();
      e.epochEnd(0, { loss: 1 });
      e.trainEnd();
      e.recordTest({ loss: 1 });
      await e.close();
    }
    expect(rec.requests).toEqual([]);
  });
});

describe('TrainTestExporter errors', () => {
  it('with ignoreExceptions (default) reports push failures, counts them, and never throws', async () => {
    const rec = recordingTransport();
    rec.status = 'refuse';
    const problems: Error[] = [];
    const e = make(rec, { onError: (err) => problems.push(err) });
    e.epochEnd(0, { loss: 1 });
    await e.flush();
    expect(() => e.epochEnd(1, { loss: 1 })).not.toThrow();
    rec.status = 200;
    await e.flush();
    expect(problems[0]).toBeInstanceOf(MetricsExportError);
    expect(problems[0]!.message).toMatch(
      /could not push train metrics of job "job1" to the Pushgateway http:\/\/127\.0\.0\.1:9091.*ECONNREFUSED.*GANGPLANK_PUSHGATEWAY_ADDR/,
    );
    // Two failed pushes: the implicit trainBegin's and epoch 0's (queued while the first was in flight).
    expect(rec.requests.at(-1)!.body).toContain('gangplank_exporter_push_failures_total 2\n');
    await expect(e.close()).resolves.toBeUndefined();
  });

  it('with ignoreExceptions: false aborts at the next hook after a failed push', async () => {
    const rec = recordingTransport();
    rec.status = 500;
    const e = make(rec, { ignoreExceptions: false });
    e.epochEnd(0, { loss: 1 });
    await expect.poll(() => e.problems.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(() => e.epochEnd(1, { loss: 1 })).toThrow(/could not push train metrics.*answered 500/);
    await e.close();
  });

  it('with ignoreExceptions: false makes close() reject when the last push fails', async () => {
    const rec = recordingTransport();
    const e = make(rec, { ignoreExceptions: false });
    e.epochEnd(0, { loss: 1 });
    await e.flush();
    rec.status = 500;
    e.trainEnd();
    await expect(e.close()).rejects.toThrow(MetricsExportError);
  });

  it('with ignoreExceptions: false rejects a fit-style hook (so TF.js fit rejects)', async () => {
    const rec = recordingTransport();
    rec.status = 400;
    const e = make(rec, { ignoreExceptions: false });
    await e.onTrainBegin();
    await expect.poll(() => e.problems.length, { timeout: 5000 }).toBeGreaterThan(0);
    await expect(e.onEpochEnd(0, { loss: 1 })).rejects.toThrow(/could not push train metrics.*answered 400/);
    await e.close().catch(() => undefined);
  });

  it('turns a bad address into a reported problem, or a thrown one without ignoreExceptions', async () => {
    const problems: Error[] = [];
    const soft = new TrainTestExporter('ftp://x', 'j', {
      env: {},
      onError: (err) => problems.push(err),
      pushIntervalMs: 0,
    });
    expect(() => soft.epochEnd(0, { loss: 1 })).not.toThrow();
    expect(problems[0]!.message).toMatch(/http or https/);
    await soft.close();
    const strict = new TrainTestExporter('ftp://x', 'j', {
      env: {},
      ignoreExceptions: false,
      pushIntervalMs: 0,
    });
    expect(() => strict.epochEnd(0, { loss: 1 })).toThrow(/http or https/);
    await strict.close();
  });

  it('marks the test failed when evaluate throws, and rethrows', async () => {
    const rec = recordingTransport();
    const e = make(rec);
    const model = {
      evaluate: (): never => {
        throw new Error('shape mismatch');
      },
    };
    expect(() => e.evaluate(model, 1, 2)).toThrow('shape mismatch');
    await e.close();
    expect(rec.requests.at(-1)!.url.href).toBe(testUrl);
    expect(rec.requests.at(-1)!.body).toContain('gangplank_test_status{state="failed"} 1\n');
  });
});

describe('TrainTestExporter as TF.js callbacks', () => {
  it('hooks work detached from the exporter (TF.js calls them with its own this)', async () => {
    const rec = recordingTransport();
    const e = make(rec);
    const { onTrainBegin, onEpochEnd, onTrainEnd } = e;
    const wrapper = { params: { epochs: 4, samples: 64 } };
    await onTrainBegin.call(wrapper);
    await onEpochEnd.call(wrapper, 0, { loss: 0.5, acc: 0.25 });
    await onTrainEnd.call(wrapper);
    await e.close();
    const body = rec.requests.at(-1)!.body!;
    expect(body).toContain('gangplank_train_accuracy 0.25\n');
    expect(body).toContain('gangplank_train_target_epochs 4\n');
    expect(body).toContain('gangplank_train_progress_ratio 0.25\n');
  });

  it('reads scalar tensors (dataSync or data) and never disposes them', async () => {
    const rec = recordingTransport();
    const e = make(rec);
    let disposed = 0;
    const asyncScalar = { data: () => Promise.resolve(new Float32Array([0.5])), dispose: () => disposed++ };
    const syncScalar = { dataSync: () => new Float32Array([0.25]), dispose: () => disposed++ };
    await e.onEpochEnd(0, { loss: asyncScalar, acc: syncScalar, note: 'x' });
    await e.close();
    const body = rec.requests.at(-1)!.body!;
    expect(body).toContain('gangplank_train_loss 0.5\n');
    expect(body).toContain('gangplank_train_accuracy 0.25\n');
    expect(disposed).toBe(0);
  });
});

describe('TrainTestExporter with broken tensors', () => {
  const broken = {
    dataSync: (): never => {
      throw new Error('Tensor is disposed');
    },
    data: (): Promise<never> => Promise.reject(new Error('Tensor is disposed')),
  };

  it('ignoreExceptions: a log tensor that cannot be read never rejects the hook or evaluate()', async () => {
    const rec = recordingTransport();
    const problems: Error[] = [];
    const e = make(rec, { onError: (err) => problems.push(err) });
    await expect(e.onEpochEnd(0, { loss: { data: broken.data } })).resolves.toBeUndefined();
    const result = [broken, broken];
    expect(e.evaluate({ evaluate: () => result }, 1, 2)).toBe(result);
    await expect(e.evaluateDataset({ evaluateDataset: () => Promise.resolve(result) }, 1)).resolves.toBe(
      result,
    );
    await e.close();
    expect(problems.map((p) => p.message).join('\n')).toMatch(/disposed/);
  });

  it('ignoreExceptions: false surfaces the read failure', async () => {
    const e = make(recordingTransport(), { ignoreExceptions: false });
    await expect(e.onEpochEnd(0, { loss: { data: broken.data } })).rejects.toThrow(
      /reading the epoch logs failed: Tensor is disposed/,
    );
    expect(() => e.evaluate({ evaluate: () => broken }, 1, 2)).toThrow(/disposed/);
    await e.close().catch(() => undefined);
  });
});

describe('TrainTestExporter plumbing', () => {
  it("passes the seed's handler option to every push (authentication)", async () => {
    const rec = recordingTransport();
    const e = make(rec, { handler: basicAuthHandler('user', 'pw') });
    e.epochEnd(0, { loss: 1 });
    await e.close();
    expect(rec.requests.at(-1)!.headers['Authorization']).toBe(
      `Basic ${Buffer.from('user:pw').toString('base64')}`,
    );
  });

  it('deleteGroups() removes both groups', async () => {
    const rec = recordingTransport();
    const e = make(rec);
    await e.deleteGroups();
    expect(rec.requests.map((r) => `${r.method} ${r.url.href}`).sort()).toEqual([
      `DELETE ${testUrl}`,
      `DELETE ${trainUrl}`,
    ]);
    await e.close();
  });
});
