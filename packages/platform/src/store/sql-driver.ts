/** The little a SQL store needs from a database client; PGlite and `pg` both fit behind it. */

export type SqlParam = string | number | boolean | null | Date;

export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly SqlParam[]): Promise<Row[]>;
}

export interface SqlDriver extends SqlExecutor {
  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on error) on one connection. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: `LISTEN channel` on a dedicated connection. `onLost` is called once if that connection
   * fails. Returns a function that stops listening.
   */
  listen?(
    channel: string,
    onMessage: (payload: string) => void,
    onLost: () => void,
  ): Promise<() => Promise<void>>;
  /** `pglite` or `postgres`, for messages and benchmarks. */
  readonly kind: 'pglite' | 'postgres';
}
