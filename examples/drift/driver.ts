import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { PrometheusModel } from '@gangplank/metrics';
import type { PrometheusModelOptions } from '@gangplank/metrics';
import { sleep } from '../lib/main.js';
import { splitMnist, type MnistSet, type MnistSplit } from '../lib/mnist.js';
import { toTensors } from '../lib/model.js';
import { defaultModelDir } from '../lib/paths.js';
import { mulberry32, randomInt, type Random } from '../lib/prng.js';
import { loadSavedModel } from '../lib/saved-model.js';
import { initTf } from '../lib/tf.js';
import { alertmanagerUrl, firingAlerts } from './alerts.js';

/** Softmax outputs as plain rows: what the detectors read, copied before the tensors are disposed. */
export type OutputRows = number[][];

/** The part of `@gangplank/metrics`' drift detectors the driver uses (they all implement it). */
export interface Detector {
  readonly name: string;
  check(x: unknown, y: OutputRows): { driftDetected?: number; pValue?: number; testStatistic?: number };
  windowFill?(): { readonly size: number; readonly capacity: number };
}

export interface DriftExampleOptions {
  /** Port of the `/metrics` server Prometheus scrapes as job `mnist`. @default 8561 */
  port?: number;
  /** Seconds of predictions on all digits. @default 900 (the seed's) */
  noDriftSeconds?: number;
  /** Seconds of predictions with every 0 left out (the drift), at most. @default 900 */
  driftSeconds?: number;
  /** Pause between batches, in seconds (the seed had none; the pause leaves CPU to Prometheus). @default 0.1 */
  intervalSeconds?: number;
  /**
   * Alertmanager to watch during the drift phase; `null` to not watch.
   * @default '127.0.0.1:9093'
   */
  alertmanager?: string | null;
  /** End the drift phase as soon as the alert fires in Alertmanager. @default true */
  stopWhenAlerted?: boolean;
  /** @default examples/models/mnist_convnet */
  modelDir?: string;
  /** @default 1 */
  seed?: number;
  /** @default console.log */
  log?: (line: string) => void;
  /** Called once the metrics server listens, with its URL. */
  onListening?: (url: string) => void;
  signal?: AbortSignal;
}

/** What one drift example plugs into the driver. */
export interface DriftScenario {
  /** The alert that drift should fire (`DriftDetected`, `DriftIncidentRatioHigh`). */
  alertname: string;
  /** Samples per prediction call. */
  batchSize: (random: Random) => number;
  /**
   * Builds the detector once the model is loaded, e.g. from its outputs on the training or validation images
   * (reference data the detector compares live predictions with). Test images are what the example predicts.
   */
  createDetector: (model: LayersModel, data: MnistSplit) => Detector;
  /** A short status of the detector for the progress lines. */
  describe: (detector: Detector) => string;
}

export interface PhaseSummary {
  predictions: number;
  batches: number;
  seconds: number;
}

export interface DriftExampleResult {
  noDrift: PhaseSummary;
  drift: PhaseSummary;
  /** Seconds from the start of the drift phase to the alert in Alertmanager, if it was seen. */
  alertAfterSeconds?: number;
  /**
   * The alert was already active in Alertmanager when the drift began (a false alarm of the no-drift phase, or a
   * leftover of an earlier run): then the alert seen later does not show that this drift fired it.
   */
  alertBeforeDrift?: boolean;
  metricsUrl: string;
}

/**
 * Runs a drift example: the trained model behind a `PrometheusModel` with a drift detector, first fed uniformly
 * drawn test digits, then digits without any 0 (the seed's drift), while Alertmanager is watched for the alert.
 */
export async function runDriftExample(
  scenario: DriftScenario,
  options: DriftExampleOptions = {},
): Promise<DriftExampleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  await initTf();
  const model = await loadSavedModel(options.modelDir ?? defaultModelDir());
  const split = splitMnist();
  const { test } = split;
  const t0 = performance.now();
  const detector = scenario.createDetector(model, split);
  log(`${detector.name} detector ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const served = new PrometheusModel<LayersModel>(model, {
    name: 'mnist',
    port: options.port ?? 8561,
    // The detector sees what driftInput returns (rows), not predict's own arguments.
    drift: detector as unknown as NonNullable<PrometheusModelOptions['drift']>,
    // The caller disposes the output tensor right after predict; the check runs later, so copy the rows now.
    driftInput: (x, y) => [undefined, (y as tf.Tensor).arraySync()],
  });
  const images = toTensors(test);
  try {
    const server = await served.prometheus.ready;
    const metricsUrl = server!.url;
    log(`serving prediction and drift metrics on ${metricsUrl}`);
    options.onListening?.(metricsUrl);
    const random = mulberry32(options.seed ?? 1);
    const all = Array.from({ length: test.count }, (_, i) => i);
    const withoutZeros = all.filter((i) => test.labels[i] !== 0);
    const interval = (options.intervalSeconds ?? 0.1) * 1000;

    const runPhase = async (
      name: string,
      pool: number[],
      seconds: number,
      signal?: AbortSignal,
    ): Promise<PhaseSummary> => {
      const start = performance.now();
      const summary: PhaseSummary = { predictions: 0, batches: 0, seconds: 0 };
      let lastReport = start;
      while (
        performance.now() - start < seconds * 1000 &&
        signal?.aborted !== true &&
        options.signal?.aborted !== true
      ) {
        const size = scenario.batchSize(random);
        const indices = Array.from({ length: size }, () => pool[randomInt(random, 0, pool.length - 1)]!);
        tf.tidy(() => {
          const x = tf.gather(images.x, tf.tensor1d(indices, 'int32'));
          served.predict(x);
        });
        summary.predictions += size;
        summary.batches++;
        if (performance.now() - lastReport >= 5000) {
          lastReport = performance.now();
          await served.prometheus.drain();
          log(`${name}: ${summary.predictions} predictions, ${scenario.describe(detector)}`);
        }
        await sleep(interval, signal ?? options.signal);
      }
      await served.prometheus.drain();
      summary.seconds = (performance.now() - start) / 1000;
      log(
        `${name} phase done: ${summary.predictions} predictions in ${summary.batches} batches, ${scenario.describe(detector)}`,
      );
      return summary;
    };

    log(`phase 1: no drift for ${options.noDriftSeconds ?? 900} s (all digits)`);
    const noDrift = await runPhase('no drift', all, options.noDriftSeconds ?? 900);

    const am = options.alertmanager === undefined ? '127.0.0.1:9093' : options.alertmanager;
    let alertAfterSeconds: number | undefined;
    let alertBeforeDrift: boolean | undefined;
    // A few tries: one refused or reset connection (a loaded machine, a keep-alive socket Alertmanager just closed)
    // must not leave the check unanswered.
    for (let attempt = 1; am !== null && alertBeforeDrift === undefined && attempt <= 5; attempt++) {
      try {
        const before = await firingAlerts(am, scenario.alertname, { job: 'mnist' });
        alertBeforeDrift = before.some((a) => a.status.state === 'active');
        if (alertBeforeDrift) log(`note: ${scenario.alertname} is already firing before the drift starts`);
      } catch (error) {
        log(`(${(error as Error).message}${attempt < 5 ? '; trying again' : ''})`);
        if (attempt < 5) await sleep(1000);
      }
    }
    log(`phase 2: drift for up to ${options.driftSeconds ?? 900} s (no 0s)`);
    const driftStart = performance.now();
    const phaseStop = new AbortController();
    const watcher = (async () => {
      if (am === null) return;
      log(`watching ${alertmanagerUrl(am)} for ${scenario.alertname}`);
      let warned = false;
      while (!phaseStop.signal.aborted) {
        try {
          const alerts = await firingAlerts(am, scenario.alertname, { job: 'mnist' });
          const active = alerts.find((a) => a.status.state === 'active');
          if (active !== undefined) {
            alertAfterSeconds = (performance.now() - driftStart) / 1000;
            log(
              `alert ${scenario.alertname} is firing in Alertmanager ${alertAfterSeconds.toFixed(0)} s into the drift: ` +
                `${active.annotations['summary'] ?? ''} (${alertmanagerUrl(am)}/#/alerts)`,
            );
            if (options.stopWhenAlerted ?? true) phaseStop.abort();
            return;
          }
        } catch (error) {
          if (!warned) log(`(${(error as Error).message}; still trying)`);
          warned = true;
        }
        await sleep(1000, phaseStop.signal);
      }
    })();
    const drift = await runPhase('drift', withoutZeros, options.driftSeconds ?? 900, phaseStop.signal);
    phaseStop.abort();
    await watcher;
    if (am !== null && alertAfterSeconds === undefined) {
      log(
        `${scenario.alertname} did not reach Alertmanager during the drift phase; try a longer --drift-seconds`,
      );
    }
    return {
      noDrift,
      drift,
      ...(alertAfterSeconds === undefined ? {} : { alertAfterSeconds }),
      ...(alertBeforeDrift === undefined ? {} : { alertBeforeDrift }),
      metricsUrl,
    };
  } finally {
    tf.dispose([images.x, images.y]);
    await served.prometheus.close();
  }
}

/** The model's softmax outputs on `set`, as rows: the reference data of the detectors. */
export function outputsOn(model: LayersModel, set: MnistSet): OutputRows {
  return tf.tidy(() => {
    const { x, y } = toTensors(set);
    y.dispose();
    return (model.predict(x, { batchSize: 256 }) as tf.Tensor2D).arraySync();
  });
}
