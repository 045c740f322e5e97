/**
 * The one SQL implementation of the {@link Store} port, over a {@link SqlDriver} (PGlite or `pg`). Timestamps
 * come from an injectable clock so lease expiry is testable; with several servers their clocks should agree to
 * well under a lease (NTP).
 */
import { randomBytes } from 'node:crypto';
import { AlreadyExistsError, BadRequestError, LeaseLostError, NotFoundError } from '../domain/errors.js';
import type {
  Connection,
  ConnectionSpec,
  LogChunk,
  ModelTraining,
  ModelTrainingSpec,
  ModelTrainingStatus,
  StoredLogChunk,
  ToolchainIntegration,
  ToolchainIntegrationSpec,
  TrainingArtifact,
  TrainingRun,
  TrainingState,
} from '../domain/types.js';
import { SECRET_FIELDS, TRAINING_STATES } from '../domain/types.js';
import type { SecretBox } from './secret-box.js';
import { TrainingCache } from './training-cache.js';
import type { SqlDriver, SqlExecutor, SqlParam } from './sql-driver.js';
import type {
  ConnectionListQuery,
  ListResult,
  Page,
  RunPatch,
  Store,
  TrainingListQuery,
  TrainingSortField,
} from './store.js';

type Row = Record<string, unknown>;

export interface SqlStoreOptions {
  /** Seals connection secrets; without it, storing a secret is refused. */
  secretBox?: SecretBox;
  /** @default () => new Date() */
  clock?: () => Date;
  /** Cache trainings read by id (see {@link TrainingCache}). @default true */
  cache?: boolean;
}

/** NOTIFY channel carrying the ids of changed trainings between servers sharing a PostgreSQL database. */
export const TRAINING_CHANGES_CHANNEL = 'gangplank_training_changes';

const ACTIVE = `('scheduling', 'running')`;

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

function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

function optionalIso(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : iso(value);
}

function optional<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Process output may hold NUL bytes or broken surrogates, which PostgreSQL refuses in text and jsonb: they
 * become U+FFFD instead of failing the write.
 */
export function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATES, '\uFFFD');
}

function sanitize(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(sanitize);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), sanitize(v)]));
  }
  return value;
}

function json(value: unknown): string {
  return JSON.stringify(sanitize(value));
}

/** `IN ($k, $k+1, …)` placeholders for `values`, appended to `params`. */
function inList(params: SqlParam[], values: readonly string[]): string {
  const start = params.length;
  params.push(...values);
  return `(${values.map((_, i) => `$${start + i + 1}`).join(', ')})`;
}

function toRun(row: Row): TrainingRun {
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

function toToolchain(row: Row): ToolchainIntegration {
  return {
    id: String(row.id),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    spec: row.spec as ToolchainIntegrationSpec,
    status: {},
  };
}

function newRunId(trainingId: string, seq: number): string {
  return `${trainingId}-${seq}-${randomBytes(4).toString('hex')}`;
}

export class SqlStore implements Store {
  readonly driver: SqlDriver;
  private readonly box: SecretBox | undefined;
  private readonly clock: () => Date;
  private readonly cache = new TrainingCache();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(driver: SqlDriver, options: SqlStoreOptions = {}) {
    this.driver = driver;
    this.box = options.secretBox;
    this.clock = options.clock ?? (() => new Date());
    if (options.cache === false) this.cache.disable();
  }

  /**
   * With PostgreSQL, subscribes to other servers' training changes so the cache stays coherent; without the
   * subscription (it failed or was lost) the cache is off.
   */
  async startSharing(): Promise<void> {
    if (this.driver.kind !== 'postgres' || !this.cache.isEnabled) return;
    if (!this.driver.listen) {
      this.cache.disable();
      return;
    }
    try {
      this.stopListening = await this.driver.listen(
        TRAINING_CHANGES_CHANNEL,
        (id) => this.cache.evict(id),
        () => this.cache.disable(),
      );
    } catch {
      this.cache.disable();
    }
  }

  /** Evicts a training here and, with PostgreSQL, on the other servers. */
  private async changed(id: string): Promise<void> {
    this.cache.evict(id);
    if (this.driver.kind === 'postgres') {
      await this.driver.query('SELECT pg_notify($1, $2)', [TRAINING_CHANGES_CHANNEL, id]);
    }
  }

  /**
   * Refuses to run when stored secrets cannot be read: no key configured, or a key that does not open them.
   */
  async checkSecrets(): Promise<void> {
    const rows = await this.driver.query<{ secrets: string }>(
      'SELECT secrets FROM connections WHERE secrets IS NOT NULL LIMIT 1',
    );
    const sample = rows[0];
    if (!sample) return;
    if (!this.box) {
      throw new Error(
        'connection secrets are stored but no secret key is configured: set GANGPLANK_SECRET_KEY (or secretKey in the config file) to the key they were written with',
      );
    }
    try {
      this.box.open(sample.secrets);
    } catch {
      throw new Error('the configured secret key cannot decrypt the stored connection secrets (wrong key?)');
    }
  }

  // ---- trainings -------------------------------------------------------------------------------------------

  async listTrainings(query: TrainingListQuery): Promise<ListResult<ModelTraining>> {
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
    const rows = await this.driver.query(
      `${TRAINING_SELECT.replace(' FROM trainings', ', count(*) OVER () AS total_count FROM trainings')}${filter}${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    if (rows[0]) return { items: rows.map(toTraining), total: Number(rows[0].total_count) };
    const total = await this.driver.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM trainings t LEFT JOIN training_runs r ON r.id = t.latest_run_id${filter}`,
      countParams,
    );
    return { items: [], total: Number(total[0]?.n ?? 0) };
  }

  async getTraining(id: string): Promise<ModelTraining | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const token = this.cache.token(id);
    const rows = await this.driver.query(`${TRAINING_SELECT} WHERE t.id = $1`, [id]);
    if (!rows[0]) return undefined;
    const training = toTraining(rows[0]);
    this.cache.set(id, training, token);
    return training;
  }

  private async readTraining(tx: SqlExecutor, id: string): Promise<ModelTraining> {
    const rows = await tx.query(`${TRAINING_SELECT} WHERE t.id = $1`, [id]);
    if (!rows[0]) throw new NotFoundError(id);
    return toTraining(rows[0]);
  }

  private async insertRun(
    tx: SqlExecutor,
    trainingId: string,
    seq: number,
    spec: ModelTrainingSpec,
    now: Date,
  ) {
    const rows = await tx.query(
      `INSERT INTO training_runs (id, training_id, seq, spec, state, created_at)
       VALUES ($1, $2, $3, $4::jsonb, 'scheduling', $5) RETURNING *`,
      [newRunId(trainingId, seq), trainingId, seq, json(spec), now],
    );
    return toRun(rows[0] as Row);
  }

  /** Cancels the still-active runs of a training (a newer run supersedes them). */
  private async supersede(tx: SqlExecutor, trainingId: string, now: Date): Promise<void> {
    const reason = 'superseded by a newer run';
    await tx.query(
      `UPDATE training_runs SET state = 'failed', reason = 'Cancelled', message = $2, finished_at = $3,
         cancel_requested = TRUE, cancel_reason = $2, claimed_by = NULL, lease_expires_at = NULL
       WHERE training_id = $1 AND state = 'scheduling' AND (claimed_by IS NULL OR lease_expires_at < $3)`,
      [trainingId, reason, now],
    );
    await tx.query(
      `UPDATE training_runs SET cancel_requested = TRUE, cancel_reason = $2
       WHERE training_id = $1 AND state IN ${ACTIVE} AND NOT cancel_requested`,
      [trainingId, reason],
    );
  }

  async createTraining(id: string, spec: ModelTrainingSpec) {
    const now = this.clock();
    return this.driver
      .transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO trainings (id, spec, created_at, updated_at, run_count) VALUES ($1, $2::jsonb, $3, $3, 1)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
          [id, json(spec), now],
        );
        if (inserted.length === 0) throw new AlreadyExistsError(id);
        const run = await this.insertRun(tx, id, 1, spec, now);
        await tx.query('UPDATE trainings SET latest_run_id = $2 WHERE id = $1', [id, run.id]);
        return { training: await this.readTraining(tx, id), run };
      })
      .finally(() => this.changed(id));
  }

  async updateTraining(id: string, spec: ModelTrainingSpec) {
    const now = this.clock();
    return this.driver
      .transaction(async (tx) => {
        const rows = await tx.query<{ run_count: number }>(
          'SELECT run_count FROM trainings WHERE id = $1 FOR UPDATE',
          [id],
        );
        const row = rows[0];
        if (!row) throw new NotFoundError(id);
        await this.supersede(tx, id, now);
        const seq = Number(row.run_count) + 1;
        const run = await this.insertRun(tx, id, seq, spec, now);
        await tx.query(
          'UPDATE trainings SET spec = $2::jsonb, updated_at = $3, latest_run_id = $4, run_count = $5 WHERE id = $1',
          [id, json(spec), now, run.id, seq],
        );
        return { training: await this.readTraining(tx, id), run };
      })
      .finally(() => this.changed(id));
  }

  async deleteTraining(id: string): Promise<boolean> {
    const rows = await this.driver.query('DELETE FROM trainings WHERE id = $1 RETURNING id', [id]);
    await this.changed(id);
    return rows.length > 0;
  }

  // ---- toolchain integrations ------------------------------------------------------------------------------

  async listToolchains(page: Page): Promise<ListResult<ToolchainIntegration>> {
    const rows = await this.driver.query(
      'SELECT * FROM toolchain_integrations ORDER BY id LIMIT $1 OFFSET $2',
      [page.size, page.size * page.page],
    );
    const total = await this.driver.query<{ n: string }>('SELECT count(*) AS n FROM toolchain_integrations');
    return { items: rows.map(toToolchain), total: Number(total[0]?.n ?? 0) };
  }

  async getToolchain(id: string): Promise<ToolchainIntegration | undefined> {
    const rows = await this.driver.query('SELECT * FROM toolchain_integrations WHERE id = $1', [id]);
    return rows[0] ? toToolchain(rows[0]) : undefined;
  }

  async createToolchain(id: string, spec: ToolchainIntegrationSpec): Promise<ToolchainIntegration> {
    const rows = await this.driver.query(
      `INSERT INTO toolchain_integrations (id, spec, created_at, updated_at) VALUES ($1, $2::jsonb, $3, $3)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [id, json(spec), this.clock()],
    );
    if (!rows[0]) throw new AlreadyExistsError(id);
    return toToolchain(rows[0]);
  }

  async updateToolchain(id: string, spec: ToolchainIntegrationSpec): Promise<ToolchainIntegration> {
    const rows = await this.driver.query(
      'UPDATE toolchain_integrations SET spec = $2::jsonb, updated_at = $3 WHERE id = $1 RETURNING *',
      [id, json(spec), this.clock()],
    );
    if (!rows[0]) throw new NotFoundError(id);
    return toToolchain(rows[0]);
  }

  async deleteToolchain(id: string): Promise<boolean> {
    return (
      (await this.driver.query('DELETE FROM toolchain_integrations WHERE id = $1 RETURNING id', [id]))
        .length > 0
    );
  }

  // ---- connections -----------------------------------------------------------------------------------------

  private toConnection(row: Row): Connection {
    const spec = { ...(row.spec as ConnectionSpec) };
    if (typeof row.secrets === 'string') {
      if (!this.box) throw new Error('connection secrets are stored but no secret key is configured');
      Object.assign(spec, JSON.parse(this.box.open(row.secrets)) as Partial<ConnectionSpec>);
    }
    return {
      id: String(row.id),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      spec,
      status: {},
    };
  }

  /** Splits a spec into its public part and the sealed secrets (or null). */
  private seal(spec: ConnectionSpec): [string, string | null] {
    const open: Record<string, unknown> = { ...spec };
    const secrets: Record<string, string> = {};
    for (const key of SECRET_FIELDS) {
      const value = spec[key];
      if (value !== undefined) secrets[key] = value;
      delete open[key];
    }
    if (Object.keys(secrets).length === 0) return [json(open), null];
    if (!this.box) {
      throw new BadRequestError(
        'cannot store connection secrets: no secret key is configured on the server (set GANGPLANK_SECRET_KEY)',
      );
    }
    return [json(open), this.box.seal(json(secrets))];
  }

  async listConnections(query: ConnectionListQuery): Promise<ListResult<Connection>> {
    const params: SqlParam[] = [];
    const filter = query.type?.length ? ` WHERE type IN ${inList(params, query.type)}` : '';
    const countParams = [...params];
    params.push(query.size, query.size * query.page);
    const rows = await this.driver.query(
      `SELECT * FROM connections${filter} ORDER BY id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const total = await this.driver.query<{ n: string }>(
      `SELECT count(*) AS n FROM connections${filter}`,
      countParams,
    );
    return { items: rows.map((r) => this.toConnection(r)), total: Number(total[0]?.n ?? 0) };
  }

  async getConnection(id: string): Promise<Connection | undefined> {
    const rows = await this.driver.query('SELECT * FROM connections WHERE id = $1', [id]);
    return rows[0] ? this.toConnection(rows[0]) : undefined;
  }

  async createConnection(id: string, spec: ConnectionSpec): Promise<Connection> {
    const [open, secrets] = this.seal(spec);
    const rows = await this.driver.query(
      `INSERT INTO connections (id, type, spec, secrets, created_at, updated_at) VALUES ($1, $2, $3::jsonb, $4, $5, $5)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [id, spec.type, open, secrets, this.clock()],
    );
    if (!rows[0]) throw new AlreadyExistsError(id);
    return this.toConnection(rows[0]);
  }

  async updateConnection(id: string, spec: ConnectionSpec): Promise<Connection> {
    const [open, secrets] = this.seal(spec);
    const rows = await this.driver.query(
      `UPDATE connections SET type = $2, spec = $3::jsonb, secrets = $4, updated_at = $5 WHERE id = $1 RETURNING *`,
      [id, spec.type, open, secrets, this.clock()],
    );
    if (!rows[0]) throw new NotFoundError(id);
    return this.toConnection(rows[0]);
  }

  async deleteConnection(id: string): Promise<boolean> {
    return (await this.driver.query('DELETE FROM connections WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  // ---- runs ------------------------------------------------------------------------------------------------

  async createRun(trainingId: string): Promise<TrainingRun> {
    const now = this.clock();
    return this.driver
      .transaction(async (tx) => {
        const rows = await tx.query<{ run_count: number; spec: ModelTrainingSpec }>(
          'SELECT run_count, spec FROM trainings WHERE id = $1 FOR UPDATE',
          [trainingId],
        );
        const row = rows[0];
        if (!row) throw new NotFoundError(trainingId);
        await this.supersede(tx, trainingId, now);
        const seq = Number(row.run_count) + 1;
        const run = await this.insertRun(tx, trainingId, seq, row.spec, now);
        await tx.query('UPDATE trainings SET latest_run_id = $2, run_count = $3 WHERE id = $1', [
          trainingId,
          run.id,
          seq,
        ]);
        return run;
      })
      .finally(() => this.changed(trainingId));
  }

  async claimRuns(workerId: string, limit: number, leaseMs: number): Promise<TrainingRun[]> {
    const now = this.clock();
    const rows = await this.driver.query(
      `UPDATE training_runs SET claimed_by = $1, lease_expires_at = $2
       WHERE id IN (
         SELECT id FROM training_runs
         WHERE state = 'scheduling' AND (claimed_by IS NULL OR lease_expires_at < $3)
         ORDER BY created_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [workerId, new Date(now.getTime() + leaseMs), now, Math.max(0, Math.floor(limit))],
    );
    return rows.map(toRun).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async renewLeases(workerId: string, runIds: readonly string[], leaseMs: number): Promise<TrainingRun[]> {
    if (runIds.length === 0) return [];
    const now = this.clock();
    const params: SqlParam[] = [workerId, new Date(now.getTime() + leaseMs)];
    const rows = await this.driver.query(
      `UPDATE training_runs SET lease_expires_at = $2 WHERE claimed_by = $1 AND id IN ${inList(params, runIds)} RETURNING *`,
      params,
    );
    return rows.map(toRun);
  }

  async updateRun(runId: string, patch: RunPatch, options: { workerId?: string } = {}): Promise<TrainingRun> {
    const now = this.clock();
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
    const rows = await this.driver.query(
      `UPDATE training_runs SET ${sets.join(', ')} WHERE id = $1${guard} RETURNING *`,
      params,
    );
    if (rows[0]) {
      const run = toRun(rows[0]);
      await this.changed(run.trainingId);
      return run;
    }
    const existing = await this.getRun(runId);
    if (!existing) throw new NotFoundError(runId);
    throw new LeaseLostError(runId, existing.claimedBy);
  }

  async requestCancel(runId: string, reason: string): Promise<TrainingRun> {
    const run = await this.cancelRun(runId, reason);
    await this.changed(run.trainingId);
    return run;
  }

  private async cancelRun(runId: string, reason: string): Promise<TrainingRun> {
    const now = this.clock();
    return this.driver.transaction(async (tx) => {
      const finished = await tx.query(
        `UPDATE training_runs SET state = 'failed', reason = 'Cancelled', message = $2, finished_at = $3,
           cancel_requested = TRUE, cancel_reason = $2, claimed_by = NULL, lease_expires_at = NULL
         WHERE id = $1 AND state = 'scheduling' AND (claimed_by IS NULL OR lease_expires_at < $3) RETURNING *`,
        [runId, reason, now],
      );
      if (finished[0]) return toRun(finished[0]);
      const flagged = await tx.query(
        `UPDATE training_runs SET cancel_requested = TRUE, cancel_reason = $2
         WHERE id = $1 AND state IN ${ACTIVE} RETURNING *`,
        [runId, reason],
      );
      if (flagged[0]) return toRun(flagged[0]);
      const rows = await tx.query('SELECT * FROM training_runs WHERE id = $1', [runId]);
      if (!rows[0]) throw new NotFoundError(runId);
      return toRun(rows[0]);
    });
  }

  async appendLogs(runId: string, chunks: readonly LogChunk[]): Promise<number> {
    const now = this.clock().toISOString();
    return this.driver.transaction(async (tx) => {
      const rows = await tx.query<{ log_seq: string | number }>(
        'UPDATE training_runs SET log_seq = log_seq + $2 WHERE id = $1 RETURNING log_seq',
        [runId, chunks.length],
      );
      if (!rows[0]) throw new NotFoundError(runId);
      const last = Number(rows[0].log_seq);
      if (chunks.length === 0) return last;
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

  async readLogs(
    runId: string,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<StoredLogChunk[]> {
    const rows = await this.driver.query(
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

  async listRuns(trainingId: string): Promise<TrainingRun[]> {
    const rows = await this.driver.query('SELECT * FROM training_runs WHERE training_id = $1 ORDER BY seq', [
      trainingId,
    ]);
    return rows.map(toRun);
  }

  async getRun(runId: string): Promise<TrainingRun | undefined> {
    const rows = await this.driver.query('SELECT * FROM training_runs WHERE id = $1', [runId]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async listActiveRuns(workerId?: string): Promise<TrainingRun[]> {
    const rows =
      workerId === undefined
        ? await this.driver.query(
            `SELECT * FROM training_runs WHERE state IN ${ACTIVE} ORDER BY created_at, id`,
          )
        : await this.driver.query(
            `SELECT * FROM training_runs WHERE state IN ${ACTIVE} AND claimed_by = $1 ORDER BY created_at, id`,
            [workerId],
          );
    return rows.map(toRun);
  }

  async countTrainingsByState(): Promise<Record<TrainingState, number>> {
    const counts = Object.fromEntries(TRAINING_STATES.map((s) => [s, 0])) as Record<TrainingState, number>;
    const rows = await this.driver.query<{ state: TrainingState; n: string }>(
      `SELECT COALESCE(r.state, 'unknown') AS state, count(*) AS n
       FROM trainings t LEFT JOIN training_runs r ON r.id = t.latest_run_id GROUP BY 1`,
    );
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }

  async close(): Promise<void> {
    await this.stopListening?.();
    await this.driver.close();
  }
}
