import { kerasKey } from '@gangplank/metrics';
import type { CustomCallbackArgs, Logs } from '@tensorflow/tfjs-layers';

export interface ProgressOptions {
  /** Epochs of this run, for "epoch n/m". */
  epochs: number;
  /** Training samples per epoch, for the in-epoch counter. */
  samples: number;
  /** Prints one finished line. @default console.log */
  log?: (line: string) => void;
  /**
   * Redraws an in-epoch line (samples done, running loss) after each batch; for terminals only, since it uses
   * `\r`. @default process.stdout.isTTY
   */
  live?: boolean;
  /** Clock in ms, injectable for tests. @default Date.now */
  now?: () => number;
}

/**
 * `epoch 2/3  loss 0.1234  accuracy 0.9612  val_loss 0.0987  val_accuracy 0.9700  elapsed 48.2 s`: TF.js logs
 * `acc`/`val_acc`; the line names them as Keras does, as the exporter's series and the web app do.
 */
export function formatEpochLine(epoch: number, epochs: number, logs: Logs, elapsedMs: number): string {
  const parts = [`epoch ${epoch + 1}/${epochs}`];
  for (const key of ['loss', 'acc', 'val_loss', 'val_acc', 'learning_rate']) {
    const value = logs[key];
    if (value !== undefined)
      parts.push(`${kerasKey(key)} ${key === 'learning_rate' ? value.toPrecision(3) : value.toFixed(4)}`);
  }
  parts.push(`elapsed ${(elapsedMs / 1000).toFixed(1)} s`);
  return parts.join('  ');
}

/**
 * Shows training progress: one line per epoch (epoch n/m, losses, accuracies, elapsed) and, on a terminal, a
 * live in-epoch line. Pure TF.js in Node prints no progress bar of its own (that logger lives in tfjs-node).
 */
export function progressReporter(options: ProgressOptions): CustomCallbackArgs {
  const log = options.log ?? ((line: string) => console.log(line));
  const live = options.live ?? process.stdout.isTTY === true;
  const now = options.now ?? Date.now;
  let start = now();
  let epoch = 0;
  let seen = 0;
  let lastDraw = 0;
  return {
    onTrainBegin: () => {
      start = now();
    },
    onEpochBegin: (e: number) => {
      epoch = e;
      seen = 0;
    },
    onBatchEnd: (_batch: number, logs?: Logs) => {
      if (!live) return;
      seen += logs?.['size'] ?? 0;
      const t = now();
      // Redrawing more than ~4 times a second only costs time.
      if (t - lastDraw < 250) return;
      lastDraw = t;
      const loss = logs?.['loss'];
      process.stdout.write(
        `\repoch ${epoch + 1}/${options.epochs}  ${seen}/${options.samples} samples` +
          `${loss === undefined ? '' : `  batch loss ${loss.toFixed(4)}`}  elapsed ${((t - start) / 1000).toFixed(1)} s   `,
      );
    },
    onEpochEnd: (e: number, logs?: Logs) => {
      if (live) process.stdout.write('\r\x1b[2K');
      log(formatEpochLine(e, options.epochs, logs ?? {}, now() - start));
    },
  };
}
