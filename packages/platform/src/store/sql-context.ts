import type { SqlDriver } from './sql-driver.js';
import type { TrainingChanges } from './training-changes.js';

/** What every aggregate module of the SQL store works with. */
export interface SqlContext {
  readonly driver: SqlDriver;
  /** Source of every stored timestamp, so lease expiry is testable. */
  readonly clock: () => Date;
  /** Told about every write that touches a training (its status mirrors its latest run). */
  readonly changes: TrainingChanges;
}
