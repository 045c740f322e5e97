/** The command-line options both training scripts take, and what they mean for a run. */
import { intOption, type OptionSpec } from '../lib/args.js';
import type { SplitOptions } from '../lib/mnist.js';

export const TRAIN_OPTIONS = {
  epochs: { env: 'GANGPLANK_EPOCHS', description: 'training epochs', default: '10' },
  pushgateway: {
    env: 'GANGPLANK_PUSHGATEWAY_ADDR',
    description: 'Pushgateway address',
    default: '127.0.0.1:9091',
  },
  job: { env: 'GANGPLANK_JOB', description: 'Pushgateway job name', default: 'mnist' },
  'train-images': { description: 'use only this many training images (quick runs)' },
} satisfies Record<string, OptionSpec>;

/** Epochs, gateway, job and data limit from parsed options, leaving out what was not given. */
export function trainRunOptions(o: Partial<Record<keyof typeof TRAIN_OPTIONS, string>>): {
  epochs: number;
  pushgateway?: string;
  job?: string;
  data?: SplitOptions;
} {
  return {
    epochs: intOption('epochs', o.epochs, 10),
    ...(o.pushgateway === undefined ? {} : { pushgateway: o.pushgateway }),
    ...(o.job === undefined ? {} : { job: o.job }),
    ...(o['train-images'] === undefined
      ? {}
      : { data: { trainLimit: intOption('train-images', o['train-images'], 8100) } }),
  };
}
