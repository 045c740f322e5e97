/** Migration 1: resources, training runs and their logs. Never edit a released migration; add the next number. */
export const migration0001 = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE toolchain_integrations (
  id VARCHAR(64) PRIMARY KEY,
  spec JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE connections (
  id VARCHAR(64) PRIMARY KEY,
  type TEXT NOT NULL,
  -- the spec without its secret fields
  spec JSONB NOT NULL,
  -- AES-256-GCM sealed JSON of the secret fields, NULL when there are none
  secrets TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX connections_type ON connections (type);

CREATE TABLE trainings (
  id VARCHAR(64) PRIMARY KEY,
  spec JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  latest_run_id TEXT,
  run_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE training_runs (
  id TEXT PRIMARY KEY,
  training_id VARCHAR(64) NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  spec JSONB NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('scheduling', 'running', 'succeeded', 'failed', 'unknown')),
  reason TEXT,
  message TEXT,
  exit_code INTEGER,
  pod_name TEXT,
  artifacts JSONB NOT NULL DEFAULT '[]',
  created_at TIMESTAMPTZ NOT NULL,
  started_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  claimed_by TEXT,
  lease_expires_at TIMESTAMPTZ,
  cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
  cancel_reason TEXT,
  executor_handle JSONB,
  log_seq BIGINT NOT NULL DEFAULT 0,
  UNIQUE (training_id, seq)
);
CREATE INDEX training_runs_claimable ON training_runs (created_at) WHERE state = 'scheduling';
CREATE INDEX training_runs_claimed_by ON training_runs (claimed_by) WHERE claimed_by IS NOT NULL;

CREATE TABLE training_run_logs (
  run_id TEXT NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  stream TEXT NOT NULL,
  chunk TEXT NOT NULL,
  time TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (run_id, seq)
);
`,
};
