/**
 * Tailing a Slurm job's output files (`--output`/`--error`) into the run's log: what was appended after the last
 * byte already copied, cut at line ends so a line the job is still writing is not split in two log records.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 20;

/** Complete lines of `file` after byte `offset`; with `final`, the unterminated rest too. */
export function readNewLines(
  file: string,
  offset: number,
  final: boolean,
): { lines: string[]; consumed: number; rest?: string } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { lines: [], consumed: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { lines: [], consumed: 0 };
    const parts: Buffer[] = [];
    let position = offset;
    while (position < size) {
      const buf = Buffer.alloc(Math.min(CHUNK, size - position));
      const n = readSync(fd, buf, 0, buf.length, position);
      if (n <= 0) break;
      parts.push(buf.subarray(0, n));
      position += n;
    }
    const data = Buffer.concat(parts);
    const lastNl = data.lastIndexOf(10);
    const whole = lastNl >= 0 ? data.subarray(0, lastNl + 1) : Buffer.alloc(0);
    const lines = whole.length > 0 ? whole.toString('utf8').slice(0, -1).split('\n') : [];
    const cleaned = lines.map((l) => l.replace(/\r$/, ''));
    if (final && lastNl < data.length - 1) {
      return { lines: cleaned, consumed: data.length, rest: data.subarray(lastNl + 1).toString('utf8') };
    }
    return { lines: cleaned, consumed: whole.length };
  } finally {
    closeSync(fd);
  }
}
