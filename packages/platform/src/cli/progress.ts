/**
 * The live progress line of `--wait` and `local train run`: state, elapsed time, epoch n/m, latest loss and
 * accuracy. On a terminal it redraws one line; otherwise it prints a plain line only when something other than
 * the elapsed time changed, so logs and CI output stay short.
 */
import { formatElapsed } from './columns.js';
import type { RunMetrics } from './progress-metrics.js';

export interface ProgressSnapshot extends RunMetrics {
  state: string;
  elapsedMs: number;
}

/** `running  1m05s  epoch 3/10  loss 0.1234  acc 0.9612` */
export function formatProgress(s: ProgressSnapshot, withElapsed = true): string {
  const parts = [s.state];
  if (withElapsed) parts.push(formatElapsed(s.elapsedMs));
  if (s.epoch !== undefined)
    parts.push(s.epochs !== undefined ? `epoch ${s.epoch}/${s.epochs}` : `epoch ${s.epoch}`);
  if (s.loss !== undefined) parts.push(`loss ${s.loss.toFixed(4)}`);
  if (s.accuracy !== undefined) parts.push(`acc ${s.accuracy.toFixed(4)}`);
  return parts.join('  ');
}

export class ProgressPrinter {
  private lastPlain = '';
  private drawn = false;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly tty: boolean,
    private readonly prefix = '',
  ) {}

  update(snapshot: ProgressSnapshot): void {
    this.last = snapshot;
    if (this.tty) {
      this.out.write(`\r\x1b[2K${this.prefix}${formatProgress(snapshot)}`);
      this.drawn = true;
      return;
    }
    const key = formatProgress(snapshot, false);
    if (key === this.lastPlain) return;
    this.lastPlain = key;
    this.out.write(`${this.prefix}${formatProgress(snapshot)}\n`);
  }

  private last: ProgressSnapshot | undefined;

  /** Clears the live line so other output (log lines) can be written; {@link resume} redraws it. */
  suspend(): void {
    if (this.tty && this.drawn) this.out.write('\r\x1b[2K');
  }

  resume(): void {
    if (this.tty && this.drawn && this.last) this.out.write(`${this.prefix}${formatProgress(this.last)}`);
  }

  /** Ends the live line (terminal) so later output starts on a fresh line. */
  done(): void {
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
