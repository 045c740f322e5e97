/**
 * Run logs: chunks numbered 1, 2, … per run. The run row holds the last number (`log_seq`), so appending is one
 * row lock and one insert, and two writers of one run never pick the same numbers.
 */
import { NotFoundError } from '../domain/errors.js';
import type { LogChunk, StoredLogChunk } from '../domain/types.js';
import type { SqlContext } from './sql-context.js';
import type { SqlParam } from './sql-driver.js';
import { iso, storable } from './sql-values.js';

export class SqlLogs {
  constructor(private readonly context: SqlContext) {}

  async append(runId: string, chunks: readonly LogChunk[]): Promise<number> {
    if (chunks.length === 0) return this.lastSeq(runId);
    const now = this.context.clock().toISOString();
    return this.context.driver.transaction(async (tx) => {
      // $1 run id, $2 how many chunks: reserves their numbers, returns the last.
      const rows = await tx.query<{ log_seq: string | number }>(
        'UPDATE training_runs SET log_seq = log_seq + $2 WHERE id = $1 RETURNING log_seq',
        [runId, chunks.length],
      );
      if (!rows[0]) throw new NotFoundError(runId);
      const last = Number(rows[0].log_seq);
      // $1 run id, then seq, stream, text and time per chunk.
      const params: SqlParam[] = [runId];
      const values = chunks.map((chunk, i) => {
        params.push(
          last - chunks.length + i + 1,
          chunk.stream,
          storable(chunk.text),
          new Date(chunk.time ?? now),
        );
        const n = params.length;
        return `($1, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await tx.query(
        `INSERT INTO training_run_logs (run_id, seq, stream, chunk, time) VALUES ${values.join(', ')}`,
        params,
      );
      return last;
    });
  }

  /** A plain read: no row lock, no write. */
  async lastSeq(runId: string): Promise<number> {
    const rows = await this.context.driver.query<{ log_seq: string | number }>(
      'SELECT log_seq FROM training_runs WHERE id = $1',
      [runId],
    );
    if (!rows[0]) throw new NotFoundError(runId);
    return Number(rows[0].log_seq);
  }

  async read(runId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<StoredLogChunk[]> {
    // $1 run id, $2 the last number already seen, $3 at most this many.
    const rows = await this.context.driver.query(
      'SELECT seq, stream, chunk, time FROM training_run_logs WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [runId, options.afterSeq ?? 0, options.limit ?? 10_000],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      stream: r.stream as StoredLogChunk['stream'],
      text: String(r.chunk),
      time: iso(r.time),
    }));
  }
}
