/** Toolchain integrations: plain documents keyed by id. */
import { AlreadyExistsError, NotFoundError } from '../domain/errors.js';
import type { ToolchainIntegration, ToolchainIntegrationSpec } from '../domain/types.js';
import type { SqlContext } from './sql-context.js';
import { count, iso, json, type Row } from './sql-values.js';
import type { ListResult, Page } from './store.js';

function toToolchain(row: Row): ToolchainIntegration {
  return {
    id: String(row.id),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    spec: row.spec as ToolchainIntegrationSpec,
    status: {},
  };
}

export class SqlToolchains {
  constructor(private readonly context: SqlContext) {}

  async list(page: Page): Promise<ListResult<ToolchainIntegration>> {
    const { driver } = this.context;
    // $1 page size, $2 offset.
    const rows = await driver.query('SELECT * FROM toolchain_integrations ORDER BY id LIMIT $1 OFFSET $2', [
      page.size,
      page.size * page.page,
    ]);
    const total = await driver.query<{ n: string }>('SELECT count(*) AS n FROM toolchain_integrations');
    return { items: rows.map(toToolchain), total: count(total) };
  }

  async get(id: string): Promise<ToolchainIntegration | undefined> {
    const rows = await this.context.driver.query('SELECT * FROM toolchain_integrations WHERE id = $1', [id]);
    return rows[0] ? toToolchain(rows[0]) : undefined;
  }

  async create(id: string, spec: ToolchainIntegrationSpec): Promise<ToolchainIntegration> {
    // $1 id, $2 spec, $3 now (created and updated).
    const rows = await this.context.driver.query(
      `INSERT INTO toolchain_integrations (id, spec, created_at, updated_at) VALUES ($1, $2::jsonb, $3, $3)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [id, json(spec), this.context.clock()],
    );
    if (!rows[0]) throw new AlreadyExistsError(id);
    return toToolchain(rows[0]);
  }

  async update(id: string, spec: ToolchainIntegrationSpec): Promise<ToolchainIntegration> {
    // $1 id, $2 spec, $3 now.
    const rows = await this.context.driver.query(
      'UPDATE toolchain_integrations SET spec = $2::jsonb, updated_at = $3 WHERE id = $1 RETURNING *',
      [id, json(spec), this.context.clock()],
    );
    if (!rows[0]) throw new NotFoundError(id);
    return toToolchain(rows[0]);
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.context.driver.query(
      'DELETE FROM toolchain_integrations WHERE id = $1 RETURNING id',
      [id],
    );
    return rows.length > 0;
  }
}
