import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusModel } from '../../src/index.js';
import { promtoolCheck, steppingClock } from './support.js';

/** A toy model: sums each row; an empty batch throws. `apply` is its `__call__`. */
function adder() {
  return {
    predict(x: number[][]): number[][] {
      if (x.length === 0) throw new RangeError('empty batch');
      return x.map((row) => [row.reduce((a, b) => a + b, 0)]);
    },
    apply(x: number[][]): number[][] {
      return x;
    },
  };
}

// Every clock read advances 3 ms: each call takes 3 ms, each drift check 3 ms.
const EXPECTED =
  [
    '# HELP gangplank_predict_total The number of model predictions',
    '# TYPE gangplank_predict_total counter',
    'gangplank_predict_total{model="adder",version="2"} 5',
    '',
    '# HELP gangplank_predict_time_seconds_total The amount of time spent in the predict method',
    '# TYPE gangplank_predict_time_seconds_total counter',
    'gangplank_predict_time_seconds_total{model="adder",version="2"} 0.012',
    '',
    '# HELP gangplank_predict_call_total The number of __call__ invocations',
    '# TYPE gangplank_predict_call_total counter',
    'gangplank_predict_call_total{model="adder",version="2"} 2',
    '',
    '# HELP gangplank_predict_call_time_seconds_total The amount of time spent in the __call__ method',
    '# TYPE gangplank_predict_call_time_seconds_total counter',
    'gangplank_predict_call_time_seconds_total{model="adder",version="2"} 0.003',
    '',
    '# HELP gangplank_predict_latency_seconds Wall time of one instrumented model call, failed calls included',
    '# TYPE gangplank_predict_latency_seconds histogram',
    'gangplank_predict_latency_seconds_bucket{model="adder",version="2",method="predict",le="0.001"} 0',
    'gangplank_predict_latency_seconds_bucket{model="adder",version="2",method="predict",le="0.005"} 4',
    'gangplank_predict_latency_seconds_bucket{model="adder",version="2",method="predict",le="0.01"} 4',
    'gangplank_predict_latency_seconds_bucket{model="adder",version="2",method="predict",le="+Inf"} 4',
    'gangplank_predict_latency_seconds_sum{model="adder",version="2",method="predict"} 0.012',
    'gangplank_predict_latency_seconds_count{model="adder",version="2",method="predict"} 4',
    'gangplank_predict_latency_seconds_bucket{model="adder",version="2",method="apply",le="0.001"} 0',
    'gangplank_predict_latency_seconds_bucket{model="adder",version="2",method="apply",le="0.005"} 1',
    'gangplank_predict_latency_seconds_bucket{model="adder",version="2",method="apply",le="0.01"} 1',
    'gangplank_predict_latency_seconds_bucket{model="adder",version="2",method="apply",le="+Inf"} 1',
    'gangplank_predict_latency_seconds_sum{model="adder",version="2",method="apply"} 0.003',
    'gangplank_predict_latency_seconds_count{model="adder",version="2",method="apply"} 1',
    '',
    '# HELP gangplank_predict_batch_size Samples returned by one successful instrumented model call',
    '# TYPE gangplank_predict_batch_size histogram',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="1"} 2',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="2"} 2',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="4"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="8"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="16"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="32"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="64"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="128"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="256"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="512"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="1024"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="predict",le="+Inf"} 3',
    'gangplank_predict_batch_size_sum{model="adder",version="2",method="predict"} 5',
    'gangplank_predict_batch_size_count{model="adder",version="2",method="predict"} 3',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="1"} 0',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="2"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="4"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="8"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="16"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="32"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="64"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="128"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="256"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="512"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="1024"} 1',
    'gangplank_predict_batch_size_bucket{model="adder",version="2",method="apply",le="+Inf"} 1',
    'gangplank_predict_batch_size_sum{model="adder",version="2",method="apply"} 2',
    'gangplank_predict_batch_size_count{model="adder",version="2",method="apply"} 1',
    '',
    '# HELP gangplank_predict_errors_total Instrumented model calls that threw or rejected, by error class',
    '# TYPE gangplank_predict_errors_total counter',
    'gangplank_predict_errors_total{model="adder",version="2",method="predict",error="RangeError"} 1',
    '',
    '# HELP gangplank_predict_in_flight Instrumented model calls started and not yet finished',
    '# TYPE gangplank_predict_in_flight gauge',
    'gangplank_predict_in_flight{model="adder",version="2"} 0',
    '',
    '# HELP gangplank_predict_drift_detected_total A count of drift detection incidents',
    '# TYPE gangplank_predict_drift_detected_total counter',
    'gangplank_predict_drift_detected_total{model="adder",version="2",detector="function"} 1',
    '',
    '# HELP gangplank_predict_drift_p_value A p-value that quantifies the likelihood that drift has not occurred',
    '# TYPE gangplank_predict_drift_p_value gauge',
    'gangplank_predict_drift_p_value{model="adder",version="2",detector="function"} 0.003',
    '',
    '# HELP gangplank_predict_drift_test_statistic A measure of the distance between observed and expected data',
    '# TYPE gangplank_predict_drift_test_statistic gauge',
    'gangplank_predict_drift_test_statistic{model="adder",version="2",detector="function"} 1.5',
    '',
    '# HELP gangplank_predict_drift_checks_total Drift checks that completed and returned a valid result',
    '# TYPE gangplank_predict_drift_checks_total counter',
    'gangplank_predict_drift_checks_total{model="adder",version="2",detector="function"} 2',
    '',
    '# HELP gangplank_predict_drift_errors_total Drift checks that threw, rejected or returned an invalid result, by error class',
    '# TYPE gangplank_predict_drift_errors_total counter',
    'gangplank_predict_drift_errors_total{model="adder",version="2",detector="function",error="InvalidDriftResultError"} 1',
    '',
    '# HELP gangplank_predict_drift_dropped_total Drift checks discarded unrun because the backlog was full',
    '# TYPE gangplank_predict_drift_dropped_total counter',
    'gangplank_predict_drift_dropped_total{model="adder",version="2",detector="function"} 0',
    '',
    '# HELP gangplank_predict_drift_pending Drift checks queued or running',
    '# TYPE gangplank_predict_drift_pending gauge',
    'gangplank_predict_drift_pending{model="adder",version="2",detector="function"} 0',
    '',
    '# HELP gangplank_predict_drift_time_seconds_total The amount of time spent in drift checks, off the request path',
    '# TYPE gangplank_predict_drift_time_seconds_total counter',
    'gangplank_predict_drift_time_seconds_total{model="adder",version="2",detector="function"} 0.009000000000000001',
    '',
    "# HELP gangplank_predict_drift_window_samples Samples held in the drift detector's sliding window",
    '# TYPE gangplank_predict_drift_window_samples gauge',
    '',
    "# HELP gangplank_predict_drift_window_fill_ratio How full the drift detector's sliding window is, from 0 to 1",
    '# TYPE gangplank_predict_drift_window_fill_ratio gauge',
  ].join('\n') + '\n';

describe('PrometheusModel exposition', () => {
  it('is exactly this text after a known sequence of calls', async () => {
    const results = [
      { driftDetected: 0, pValue: 0.41, testStatistic: 1.5 },
      { driftDetected: 1, pValue: 0.003 },
    ];
    const model = new PrometheusModel(adder(), {
      name: 'adder',
      version: '2',
      clock: steppingClock(3),
      latencyBuckets: [0.001, 0.005, 0.01],
      onError: () => {},
      // The third check returns an invalid result: counted as a drift error, metrics untouched.
      drift: () => results.shift() ?? { driftDetected: 'x' as unknown as number },
    });
    expect(
      model.predict([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    ).toEqual([[3], [7], [11]]);
    expect(model.predict([[7, 8]])).toEqual([[15]]);
    expect(() => model.predict([])).toThrow(RangeError);
    expect(model.apply([[1], [2]])).toEqual([[1], [2]]);
    model.predict([[1, 1]]);
    await model.prometheus.drain();
    const { body, contentType } = await model.prometheus.metrics();
    expect(contentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    expect(body).toBe(EXPECTED);
  });

  it('passes promtool check metrics', () => {
    const result = promtoolCheck(EXPECTED);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
