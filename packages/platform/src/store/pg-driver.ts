/** The PostgreSQL adapter through `pg`: for production and for several API servers sharing one database. */
import pg from 'pg';
import type { SqlDriver, SqlExecutor, SqlParam } from './sql-driver.js';

export interface PgDriverOptions {
  /** `postgres://user@host:port/db`. */
  url: string;
  /** @default 10 */
  maxConnections?: number;
}

export async function openPgDriver(options: PgDriverOptions): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
  // An idle client that loses its server emits 'error' on the pool; without a listener Node would crash.
  pool.on('error', () => undefined);
  const client = await pool.connect();
  client.release();
  const executor = (target: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<Row>(text: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      const result = await target.query(text, params as unknown[]);
      return result.rows as Row[];
    },
  });
  return {
    kind: 'postgres',
    query: (text, params) => executor(pool).query(text, params),
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await work(executor(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    async listen(channel, onMessage, onLost) {
      const client = new pg.Client({ connectionString: options.url });
      let lost = false;
      const lose = (): void => {
        if (!lost) {
          lost = true;
          onLost();
        }
      };
      client.on('error', lose);
      client.on('end', lose);
      client.on('notification', (message) => {
        if (message.channel === channel) onMessage(message.payload ?? '');
      });
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      return async () => {
        lost = true;
        await client.end().catch(() => undefined);
      };
    },
    close: () => pool.end(),
  };
}
