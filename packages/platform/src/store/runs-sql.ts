/**
 * Training runs and their leases. A worker claims `scheduling` runs with `FOR UPDATE SKIP LOCKED` (two workers
 * never get the same run), renews the lease while it follows them, and writes to them only while it holds the
 * lease or nobody does.
 */
import { randomBytes } from 'node:crypto';
import { LeaseLostError, NotFoundError } from '../domain/errors.js';
import type { ModelTrainingSpec, TrainingArtifact, TrainingRun, TrainingState } from '../domain/types.js';
import type { SqlContext } from './sql-context.js';
import type { SqlExecutor, SqlParam } from './sql-driver.js';
import { ACTIVE_STATES, inList, iso, json, optional, optionalIso, storable, type Row } from './sql-values.js';
import type { RunPatch } from './store.js';

export function toRun(row: Row): TrainingRun {
  const run: TrainingRun = {
    id: String(row.id),
    trainingId: String(row.training_id),
    seq: Number(row.seq),
    spec: row.spec as ModelTrainingSpec,
    state: row.state as TrainingState,
    artifacts: (row.artifacts as TrainingArtifact[] | null) ?? [],
    createdAt: iso(row.created_at),
    cancelRequested: Boolean(row.cancel_requested),
  };
  const reason = optional(row.reason as string | null);
  if (reason !== undefined) run.reason = reason;
  const message = optional(row.message as string | null);
  if (message !== undefined) run.message = message;
  if (row.exit_code !== null && row.exit_code !== undefined) run.exitCode = Number(row.exit_code);
  const podName = optional(row.pod_name as string | null);
  if (podName !== undefined) run.podName = podName;
  const startedAt = optionalIso(row.started_at);
  if (startedAt) run.startedAt = startedAt;
  const finishedAt = optionalIso(row.finished_at);
  if (finishedAt) run.finishedAt = finishedAt;
  const claimedBy = optional(row.claimed_by as string | null);
  if (claimedBy !== undefined) run.claimedBy = claimedBy;
  const lease = optionalIso(row.lease_expires_at);
  if (lease) run.leaseExpiresAt = lease;
  const cancelReason = optional(row.cancel_reason as string | null);
  if (cancelReason !== undefined) run.cancelReason = cancelReason;
  if (row.executor_handle !== null && row.executor_handle !== undefined)
    run.executorHandle = row.executor_handle;
  return run;
}

function newRunId(trainingId: string, seq: number): string {
  return `${trainingId}-${seq}-${randomBytes(4).toString('hex')}`;
}

/** Inserts run number `seq` of a training, `scheduling`, with a snapshot of `spec`. */
export async function insertRun(
  tx: SqlExecutor,
  trainingId: string,
  seq: number,
  spec: ModelTrainingSpec,
  now: Date,
): Promise<TrainingRun> {
  const rows = await tx.query(
    `INSERT INTO training_runs (id, training_id, seq, spec, state, created_at)
     VALUES ($1, $2, $3, $4::jsonb, 'scheduling', $5) RETURNING *`,
    [newRunId(trainingId, seq), trainingId, seq, json(spec), now],
  );
  return toRun(rows[0] as Row);
}

/**
 * Cancels the still-active runs of a training (a newer run supersedes them): those nobody holds finish at once,
 * held ones get a cancel request for their worker.
 */
async function supersede(tx: SqlExecutor, trainingId: string, now: Date): Promise<void> {
  const reason = 'superseded by a newer run';
  // $1 training id, $2 reason (message and cancel reason), $3 now (an older lease counts as nobody's).
  await tx.query(
    `UPDATE training_runs SET state = 'failed', reason = 'Cancelled', message = $2, finished_at = $3,
       cancel_requested = TRUE, cancel_reason = $2, claimed_by = NULL, lease_expires_at = NULL
     WHERE training_id = $1 AND state = 'scheduling' AND (claimed_by IS NULL OR lease_expires_at < $3)`,
    [trainingId, reason, now],
  );
  await tx.query(
    `UPDATE training_runs SET cancel_requested = TRUE, cancel_reason = $2
     WHERE training_id = $1 AND state IN ${ACTIVE_STATES} AND NOT cancel_requested`,
    [trainingId, reason],
  );
}

/**
 * Inserts the next run of a training (number `run_count + 1`, with `spec`, else the stored spec) after
 * superseding its active runs; the caller records it on the training row. The row lock serialises run numbers of
 * one training across servers.
 */
export async function insertNextRun(
  tx: SqlExecutor,
  trainingId: string,
  now: Date,
  spec?: ModelTrainingSpec,
): Promise<{ run: TrainingRun; seq: number }> {
  const rows = await tx.query<{ run_count: number; spec: ModelTrainingSpec }>(
    'SELECT run_count, spec FROM trainings WHERE id = $1 FOR UPDATE',
    [trainingId],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(trainingId);
  await supersede(tx, trainingId, now);
  const seq = Number(row.run_count) + 1;
  return { run: await insertRun(tx, trainingId, seq, spec ?? row.spec, now), seq };
}

export class SqlRuns {
  constructor(private readonly context: SqlContext) {}

  async create(trainingId: string): Promise<TrainingRun> {
    const { driver, clock, changes } = this.context;
    const now = clock();
    return driver
      .transaction(async (tx) => {
        const { run, seq } = await insertNextRun(tx, trainingId, now);
        // $1 training id, $2 the new latest run, $3 its number.
        await tx.query('UPDATE trainings SET latest_run_id = $2, run_count = $3 WHERE id = $1', [
          trainingId,
          run.id,
          seq,
        ]);
        return run;
      })
      .finally(() => changes.changed(trainingId));
  }

  async claim(workerId: string, limit: number, leaseMs: number): Promise<TrainingRun[]> {
    const now = this.context.clock();
    // $1 worker id, $2 lease expiry, $3 now (an older lease is expired), $4 how many.
    const rows = await this.context.driver.query(
      `UPDATE training_runs SET claimed_by = $1, lease_expires_at = $2
       WHERE id IN (
         SELECT id FROM training_runs
         WHERE state = 'scheduling' AND (claimed_by IS NULL OR lease_expires_at < $3)
         ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [workerId, new Date(now.getTime() + leaseMs), now, Math.max(0, Math.floor(limit))],
    );
    // RETURNING keeps no order: sort as the sub-select chose.
    return rows.map(toRun).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async renew(workerId: string, runIds: readonly string[], leaseMs: number): Promise<TrainingRun[]> {
    if (runIds.length === 0) return [];
    const now = this.context.clock();
    // $1 worker id, $2 new lease expiry, $3… the run ids.
    const params: SqlParam[] = [workerId, new Date(now.getTime() + leaseMs)];
    const rows = await this.context.driver.query(
      `UPDATE training_runs SET lease_expires_at = $2 WHERE claimed_by = $1 AND id IN ${inList(params, runIds)} RETURNING *`,
      params,
    );
    return rows.map(toRun);
  }

  async update(runId: string, patch: RunPatch, options: { workerId?: string } = {}): Promise<TrainingRun> {
    const now = this.context.clock();
    // $1 run id, then one parameter per patched column, then (with a worker) its id and now.
    const params: SqlParam[] = [runId];
    const sets: string[] = [];
    const set = (column: string, value: SqlParam, cast = ''): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (patch.state !== undefined) set('state', patch.state);
    if (patch.reason !== undefined) set('reason', patch.reason === null ? null : storable(patch.reason));
    if (patch.message !== undefined) set('message', patch.message === null ? null : storable(patch.message));
    if (patch.exitCode !== undefined) set('exit_code', patch.exitCode);
    if (patch.podName !== undefined) set('pod_name', patch.podName);
    if (patch.artifacts !== undefined) set('artifacts', json(patch.artifacts), '::jsonb');
    if (patch.startedAt !== undefined)
      set('started_at', patch.startedAt === null ? null : new Date(patch.startedAt));
    if (patch.finishedAt !== undefined)
      set('finished_at', patch.finishedAt === null ? null : new Date(patch.finishedAt));
    if (patch.executorHandle !== undefined) set('executor_handle', json(patch.executorHandle), '::jsonb');
    if (patch.release) sets.push('claimed_by = NULL', 'lease_expires_at = NULL');
    if (sets.length === 0) sets.push('id = id');
    let guard = '';
    if (options.workerId !== undefined) {
      params.push(options.workerId, now);
      guard = ` AND (claimed_by IS NULL OR claimed_by = $${params.length - 1} OR lease_expires_at < $${params.length})`;
    }
    const rows = await this.context.driver.query(
      `UPDATE training_runs SET ${sets.join(', ')} WHERE id = $1${guard} RETURNING *`,
      params,
    );
    if (rows[0]) {
      const run = toRun(rows[0]);
      await this.context.changes.changed(run.trainingId);
      return run;
    }
    const existing = await this.get(runId);
    if (!existing) throw new NotFoundError(runId);
    throw new LeaseLostError(runId, existing.claimedBy);
  }

  async requestCancel(runId: string, reason: string): Promise<TrainingRun> {
    const run = await this.cancel(runId, reason);
    await this.context.changes.changed(run.trainingId);
    return run;
  }

  private async cancel(runId: string, reason: string): Promise<TrainingRun> {
    const now = this.context.clock();
    return this.context.driver.transaction(async (tx) => {
      // $1 run id, $2 reason (message and cancel reason), $3 now (an older lease counts as nobody's).
      const finished = await tx.query(
        `UPDATE training_runs SET state = 'failed', reason = 'Cancelled', message = $2, finished_at = $3,
           cancel_requested = TRUE, cancel_reason = $2, claimed_by = NULL, lease_expires_at = NULL
         WHERE id = $1 AND state = 'scheduling' AND (claimed_by IS NULL OR lease_expires_at < $3) RETURNING *`,
        [runId, reason, now],
      );
      if (finished[0]) return toRun(finished[0]);
      const flagged = await tx.query(
        `UPDATE training_runs SET cancel_requested = TRUE, cancel_reason = $2
         WHERE id = $1 AND state IN ${ACTIVE_STATES} RETURNING *`,
        [runId, reason],
      );
      if (flagged[0]) return toRun(flagged[0]);
      const rows = await tx.query('SELECT * FROM training_runs WHERE id = $1', [runId]);
      if (!rows[0]) throw new NotFoundError(runId);
      return toRun(rows[0]);
    });
  }

  async list(trainingId: string): Promise<TrainingRun[]> {
    const rows = await this.context.driver.query(
      'SELECT * FROM training_runs WHERE training_id = $1 ORDER BY seq',
      [trainingId],
    );
    return rows.map(toRun);
  }

  async get(runId: string): Promise<TrainingRun | undefined> {
    const rows = await this.context.driver.query('SELECT * FROM training_runs WHERE id = $1', [runId]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async listActive(workerId?: string): Promise<TrainingRun[]> {
    const { driver } = this.context;
    const rows =
      workerId === undefined
        ? await driver.query(
            `SELECT * FROM training_runs WHERE state IN ${ACTIVE_STATES} ORDER BY created_at, id`,
          )
        : await driver.query(
            `SELECT * FROM training_runs WHERE state IN ${ACTIVE_STATES} AND claimed_by = $1 ORDER BY created_at, id`,
            [workerId],
          );
    return rows.map(toRun);
  }
}
