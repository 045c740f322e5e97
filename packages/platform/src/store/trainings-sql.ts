/**
 * Trainings. Each one has runs (see `runs-sql.ts`); its status mirrors its latest run, joined in on every read.
 * Create and update also start a run, in the same transaction.
 */
import { AlreadyExistsError, NotFoundError } from '../domain/errors.js';
import type {
  ModelTraining,
  ModelTrainingSpec,
  ModelTrainingStatus,
  TrainingArtifact,
  TrainingRun,
  TrainingState,
} from '../domain/types.js';
import { TRAINING_STATES } from '../domain/types.js';
import { insertNextRun, insertRun } from './runs-sql.js';
import type { SqlContext } from './sql-context.js';
import type { SqlExecutor, SqlParam } from './sql-driver.js';
import { count, inList, iso, json, type Row } from './sql-values.js';
import type { ListResult, TrainingListQuery, TrainingSortField } from './store.js';

const TRAINING_SELECT = `SELECT t.id, t.spec, t.created_at, t.updated_at, t.latest_run_id,
  r.state, r.reason, r.message, r.exit_code, r.pod_name, r.artifacts
  FROM trainings t LEFT JOIN training_runs r ON r.id = t.latest_run_id`;

const SORT_COLUMNS: Record<TrainingSortField, string> = {
  id: 't.id',
  createdAt: 't.created_at',
  updatedAt: 't.updated_at',
  state: "COALESCE(r.state, 'unknown')",
  modelName: "t.spec->'model'->>'name'",
};

function toTraining(row: Row): ModelTraining {
  const status: ModelTrainingStatus = { state: (row.state as TrainingState | null) ?? 'unknown' };
  if (typeof row.pod_name === 'string' && row.pod_name !== '') status.podName = row.pod_name;
  if (row.exit_code !== null && row.exit_code !== undefined) status.exitCode = Number(row.exit_code);
  if (typeof row.reason === 'string' && row.reason !== '') status.reason = row.reason;
  if (typeof row.message === 'string' && row.message !== '') status.message = row.message;
  const artifacts = row.artifacts as TrainingArtifact[] | null;
  if (artifacts && artifacts.length > 0) status.artifacts = artifacts;
  if (typeof row.latest_run_id === 'string') status.runId = row.latest_run_id;
  return {
    id: String(row.id),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    spec: row.spec as ModelTrainingSpec,
    status,
  };
}

async function readTraining(tx: SqlExecutor, id: string): Promise<ModelTraining> {
  const rows = await tx.query(`${TRAINING_SELECT} WHERE t.id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError(id);
  return toTraining(rows[0]);
}

export class SqlTrainings {
  constructor(private readonly context: SqlContext) {}

  async list(query: TrainingListQuery): Promise<ListResult<ModelTraining>> {
    // One parameter per filter value, then the page size and offset.
    const params: SqlParam[] = [];
    const where: string[] = [];
    if (query.toolchain?.length) where.push(`t.spec->>'toolchain' IN ${inList(params, query.toolchain)}`);
    if (query.modelName?.length) where.push(`t.spec->'model'->>'name' IN ${inList(params, query.modelName)}`);
    if (query.modelVersion?.length)
      where.push(`t.spec->'model'->>'version' IN ${inList(params, query.modelVersion)}`);
    if (query.state?.length) where.push(`COALESCE(r.state, 'unknown') IN ${inList(params, query.state)}`);
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const sort = query.sort ?? { field: 'id', descending: false };
    const direction = sort.descending ? 'DESC' : 'ASC';
    const order = ` ORDER BY ${SORT_COLUMNS[sort.field]} ${direction}${sort.field === 'id' ? '' : `, t.id ${direction}`}`;
    const countParams = [...params];
    params.push(query.size, query.size * query.page);
    // The window count saves a second round trip; only an empty page needs the separate count.
    const rows = await this.context.driver.query(
      `${TRAINING_SELECT.replace(' FROM trainings', ', count(*) OVER () AS total_count FROM trainings')}${filter}${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    if (rows[0]) return { items: rows.map(toTraining), total: Number(rows[0].total_count) };
    const total = await this.context.driver.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM trainings t LEFT JOIN training_runs r ON r.id = t.latest_run_id${filter}`,
      countParams,
    );
    return { items: [], total: count(total) };
  }

  async get(id: string): Promise<ModelTraining | undefined> {
    return this.context.changes.read(id, async () => {
      const rows = await this.context.driver.query(`${TRAINING_SELECT} WHERE t.id = $1`, [id]);
      return rows[0] ? toTraining(rows[0]) : undefined;
    });
  }

  async create(id: string, spec: ModelTrainingSpec): Promise<{ training: ModelTraining; run: TrainingRun }> {
    const { driver, clock, changes } = this.context;
    const now = clock();
    return driver
      .transaction(async (tx) => {
        // $1 id, $2 spec, $3 now (created and updated); run 1 is inserted next.
        const inserted = await tx.query(
          `INSERT INTO trainings (id, spec, created_at, updated_at, run_count) VALUES ($1, $2::jsonb, $3, $3, 1)
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [id, json(spec), now],
        );
        if (inserted.length === 0) throw new AlreadyExistsError(id);
        const run = await insertRun(tx, id, 1, spec, now);
        await tx.query('UPDATE trainings SET latest_run_id = $2 WHERE id = $1', [id, run.id]);
        return { training: await readTraining(tx, id), run };
      })
      .finally(() => changes.changed(id));
  }

  async update(id: string, spec: ModelTrainingSpec): Promise<{ training: ModelTraining; run: TrainingRun }> {
    const { driver, clock, changes } = this.context;
    const now = clock();
    return driver
      .transaction(async (tx) => {
        const { run, seq } = await insertNextRun(tx, id, now, spec);
        // $1 id, $2 spec, $3 now, $4 the new latest run, $5 its number.
        await tx.query(
          'UPDATE trainings SET spec = $2::jsonb, updated_at = $3, latest_run_id = $4, run_count = $5 WHERE id = $1',
          [id, json(spec), now, run.id, seq],
        );
        return { training: await readTraining(tx, id), run };
      })
      .finally(() => changes.changed(id));
  }

  /** Runs and logs go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const rows = await this.context.driver.query('DELETE FROM trainings WHERE id = $1 RETURNING id', [id]);
    await this.context.changes.changed(id);
    return rows.length > 0;
  }

  async countByState(): Promise<Record<TrainingState, number>> {
    const counts = Object.fromEntries(TRAINING_STATES.map((s) => [s, 0])) as Record<TrainingState, number>;
    const rows = await this.context.driver.query<{ state: TrainingState; n: string }>(
      `SELECT COALESCE(r.state, 'unknown') AS state, count(*) AS n
       FROM trainings t LEFT JOIN training_runs r ON r.id = t.latest_run_id GROUP BY 1`,
    );
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }
}
