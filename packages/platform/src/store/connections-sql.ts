/**
 * Connections. The secret fields of a spec are sealed together into the `secrets` column (see `secret-box.ts`);
 * the rest stays readable JSON. Reads open them again: the port hands out plain text and the server masks it.
 */
import { AlreadyExistsError, BadRequestError, NotFoundError } from '../domain/errors.js';
import type { Connection, ConnectionSpec } from '../domain/types.js';
import { SECRET_FIELDS } from '../domain/types.js';
import type { SecretBox } from './secret-box.js';
import type { SqlContext } from './sql-context.js';
import type { SqlParam } from './sql-driver.js';
import { count, inList, iso, json, type Row } from './sql-values.js';
import type { ConnectionListQuery, ListResult } from './store.js';

export class SqlConnections {
  /** @param box seals secrets; without it, storing a secret is refused. */
  constructor(
    private readonly context: SqlContext,
    private readonly box: SecretBox | undefined,
  ) {}

  /**
   * Refuses to run when stored secrets cannot be read: no key configured, or a key that does not open them.
   */
  async checkSecrets(): Promise<void> {
    const rows = await this.context.driver.query<{ secrets: string }>(
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

  async list(query: ConnectionListQuery): Promise<ListResult<Connection>> {
    const { driver } = this.context;
    // One parameter per type filtered on, then the page size and offset.
    const params: SqlParam[] = [];
    const filter = query.type?.length ? ` WHERE type IN ${inList(params, query.type)}` : '';
    const countParams = [...params];
    params.push(query.size, query.size * query.page);
    const rows = await driver.query(
      `SELECT * FROM connections${filter} ORDER BY id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const total = await driver.query<{ n: string }>(
      `SELECT count(*) AS n FROM connections${filter}`,
      countParams,
    );
    return { items: rows.map((r) => this.toConnection(r)), total: count(total) };
  }

  async get(id: string): Promise<Connection | undefined> {
    const rows = await this.context.driver.query('SELECT * FROM connections WHERE id = $1', [id]);
    return rows[0] ? this.toConnection(rows[0]) : undefined;
  }

  async create(id: string, spec: ConnectionSpec): Promise<Connection> {
    const [open, secrets] = this.seal(spec);
    // $1 id, $2 type (a column, for the type filter), $3 public spec, $4 sealed secrets or null, $5 now.
    const rows = await this.context.driver.query(
      `INSERT INTO connections (id, type, spec, secrets, created_at, updated_at) VALUES ($1, $2, $3::jsonb, $4, $5, $5)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [id, spec.type, open, secrets, this.context.clock()],
    );
    if (!rows[0]) throw new AlreadyExistsError(id);
    return this.toConnection(rows[0]);
  }

  async update(id: string, spec: ConnectionSpec): Promise<Connection> {
    const [open, secrets] = this.seal(spec);
    // As in create: $1 id, $2 type, $3 public spec, $4 sealed secrets or null, $5 now.
    const rows = await this.context.driver.query(
      `UPDATE connections SET type = $2, spec = $3::jsonb, secrets = $4, updated_at = $5 WHERE id = $1 RETURNING *`,
      [id, spec.type, open, secrets, this.context.clock()],
    );
    if (!rows[0]) throw new NotFoundError(id);
    return this.toConnection(rows[0]);
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.context.driver.query('DELETE FROM connections WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }
}
