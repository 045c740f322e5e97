/**
 * Migration 2: run history. One row per (run, phase, name, step), the idempotency key of recording; a run's row
 * counts its points so the per-run bound is checked without counting rows.
 */
export const migration0002 = {
  version: 2,
  name: 'run-history',
  sql: `
ALTER TABLE training_runs ADD COLUMN history_points INTEGER NOT NULL DEFAULT 0;

CREATE TABLE training_run_history (
  run_id TEXT NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
  phase TEXT NOT NULL CHECK (phase IN ('train', 'test')),
  name TEXT NOT NULL,
  step BIGINT NOT NULL,
  -- seconds since the Unix epoch, as the training recorded it
  time DOUBLE PRECISION NOT NULL,
  -- a scalar point's value (NaN and infinities kept); NULL for a histogram
  value DOUBLE PRECISION,
  -- a histogram point: {"buckets":[{"le":…,"count":…}],"sum":…,"count":…}; NULL for a scalar
  histogram JSONB,
  PRIMARY KEY (run_id, phase, name, step)
);
`,
};
