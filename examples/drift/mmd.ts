/**
 * The seed's online MMD drift example: single test digits through the model; an online MMD detector (alibi-detect's
 * `MMDDriftOnline` algorithm, in TypeScript) compares a sliding window of the last `--window` softmax outputs with
 * the outputs on the held-out validation digits and counts detections in `gangplank_predict_drift_detected_total`. After
 * the phase without drift, every 0 is left out; the share of predictions flagged as drift jumps and
 * `DriftIncidentRatioHigh` (`gangplank:predict_drift_incident_ratio:rate5m > 0.25` for 2m) fires.
 *
 *   npx tsx examples/drift/mmd.ts [--no-drift-seconds 900] [--drift-seconds 900] [--window 200] [--ert 500] …
 */
import { MmdDriftDetector } from '@gangplank/metrics';
import { isMain, runMain } from '../lib/main.js';
import { mulberry32 } from '../lib/prng.js';
import { intOption } from '../lib/args.js';
import { parseDriftCli } from './cli.js';
import {
  outputsOn,
  runDriftExample,
  type DriftExampleOptions,
  type DriftExampleResult,
  type DriftScenario,
} from './driver.js';

export interface MmdExampleOptions extends DriftExampleOptions {
  /** Sliding window W. @default 200 (the seed's) */
  windowSize?: number;
  /** Expected run time without drift, in predictions. @default 500 (the seed's) */
  ert?: number;
  /** Bootstrap samples for the thresholds. @default 5000 (the seed's) */
  nBootstraps?: number;
}

export function mmdScenario(
  options: Pick<MmdExampleOptions, 'windowSize' | 'ert' | 'nBootstraps' | 'seed'> = {},
): DriftScenario {
  return {
    alertname: 'DriftIncidentRatioHigh',
    // One digit per call, as the seed: the detector steps once per prediction.
    batchSize: () => 1,
    createDetector: (model, data) =>
      // Reference = the outputs on the validation digits, not on the training digits as in the seed: the model has
      // not learnt them, like the digits it predicts live, so an overfit model's extra confidence on its own
      // training data is not read as drift; and 900 rows calibrate about 8 times faster than 8,100.
      new MmdDriftDetector<unknown, number[][]>(outputsOn(model, data.validation), {
        windowSize: options.windowSize ?? 200,
        ert: options.ert ?? 500,
        nBootstraps: options.nBootstraps ?? 5000,
        random: mulberry32(options.seed ?? 1),
        // Keep flagging while the window is drifted, as alibi-detect does without reset_state() and as the seed
        // ran it: the incident-ratio alert (> 25 %) expects a detector that keeps reporting a lasting shift.
        // With a reset after each detection, a lasting shift is flagged only every few dozen predictions.
        resetOnDrift: false,
      }),
    describe: (detector) => {
      const last = (detector as MmdDriftDetector).last;
      return last === undefined
        ? 'no step yet'
        : `MMD² ${last.statistic.toExponential(2)} (threshold ${last.threshold.toExponential(2)})${last.isDrift ? ', drift' : ''}`;
    },
  };
}

export function runMmdExample(options: MmdExampleOptions = {}): Promise<DriftExampleResult> {
  return runDriftExample(mmdScenario(options), options);
}

if (isMain(import.meta.url)) {
  const { driver, extra } = parseDriftCli('npx tsx examples/drift/mmd.ts [options]', {
    window: { description: 'sliding window W of the detector', default: '200' },
    ert: { description: 'expected run time without drift, predictions', default: '500' },
    bootstraps: { description: 'bootstrap samples for the thresholds', default: '5000' },
  });
  runMain(async (signal) => {
    await runMmdExample({
      ...driver,
      windowSize: intOption('window', extra.window, 200, 2),
      ert: intOption('ert', extra.ert, 500, 2),
      nBootstraps: intOption('bootstraps', extra.bootstraps, 5000, 10),
      signal,
    });
  });
}
