/**
 * The training read cache and what keeps it coherent: every write evicts the training it touched here and, with
 * PostgreSQL, `NOTIFY`s the other servers sharing the database, which evict on receipt (see {@link TrainingCache}).
 */
import type { ModelTraining } from '../domain/types.js';
import type { SqlDriver } from './sql-driver.js';
import { TrainingCache } from './training-cache.js';

/** NOTIFY channel carrying the ids of changed trainings between servers sharing a PostgreSQL database. */
export const TRAINING_CHANGES_CHANNEL = 'gangplank_training_changes';

export class TrainingChanges {
  private readonly cache = new TrainingCache();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly driver: SqlDriver,
    enabled = true,
  ) {
    if (!enabled) this.cache.disable();
  }

  /**
   * With PostgreSQL, subscribes to other servers' training changes; without the subscription (it failed or was
   * lost) the cache is off, since it could not hear about their writes.
   */
  async start(): Promise<void> {
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

  async stop(): Promise<void> {
    await this.stopListening?.();
    this.stopListening = undefined;
  }

  /** Reads through the cache; `read` runs on a miss and its result is cached unless a write raced it. */
  async read(id: string, read: () => Promise<ModelTraining | undefined>): Promise<ModelTraining | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const token = this.cache.token(id);
    const training = await read();
    if (training) this.cache.set(id, training, token);
    return training;
  }

  /** Evicts a training here and, with PostgreSQL, on the other servers. */
  async changed(id: string): Promise<void> {
    this.cache.evict(id);
    if (this.driver.kind === 'postgres') {
      // $1 channel, $2 training id (the payload).
      await this.driver.query('SELECT pg_notify($1, $2)', [TRAINING_CHANGES_CHANNEL, id]);
    }
  }
}
