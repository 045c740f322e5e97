import { intOption, numberOption, parseOptions, type OptionSpec } from '../lib/args.js';
import type { DriftExampleOptions } from './driver.js';

/** The command-line options both drift examples share. */
const COMMON = {
  port: {
    env: 'GANGPLANK_PREDICT_PORT',
    description: 'port of the /metrics server (scraped as job mnist)',
    default: '8561',
  },
  'no-drift-seconds': { description: 'length of the phase without drift', default: '900' },
  'drift-seconds': { description: 'longest length of the phase with drift (no 0s)', default: '900' },
  interval: { description: 'pause between prediction batches, seconds', default: '0.1' },
  alertmanager: {
    env: 'GANGPLANK_ALERTMANAGER_ADDR',
    description: 'Alertmanager to watch ("none" to not watch)',
    default: '127.0.0.1:9093',
  },
  'keep-going': {
    description: '"yes": keep drifting after the alert fired, until --drift-seconds',
    default: 'no',
  },
  model: {
    env: 'GANGPLANK_MODEL_DIR',
    description: 'folder of the saved model',
    default: 'examples/models/mnist_convnet',
  },
} satisfies Record<string, OptionSpec>;

/** Parses the shared options plus `extra`; returns the driver options and the raw extra values. */
export function parseDriftCli<K extends string>(
  usage: string,
  extra: Record<K, OptionSpec>,
): { driver: DriftExampleOptions; extra: Partial<Record<K, string>> } {
  const o = parseOptions<keyof typeof COMMON | K>(usage, { ...COMMON, ...extra });
  const driver: DriftExampleOptions = {
    port: intOption('port', o.port, 8561, 0),
    noDriftSeconds: numberOption('no-drift-seconds', o['no-drift-seconds'], 900),
    driftSeconds: numberOption('drift-seconds', o['drift-seconds'], 900),
    intervalSeconds: o.interval === '0' ? 0 : numberOption('interval', o.interval, 0.1),
    alertmanager: o.alertmanager === 'none' ? null : (o.alertmanager ?? '127.0.0.1:9093'),
    stopWhenAlerted: o['keep-going'] !== 'yes',
    ...(o.model === undefined ? {} : { modelDir: o.model }),
  };
  return { driver, extra: o };
}
