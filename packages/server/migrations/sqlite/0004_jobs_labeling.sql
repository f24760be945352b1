-- The embedded job queue (JOB_QUEUE unset / no REDIS_URL) and, with Redis, its outbox: jobs
-- written in the same transaction as the change that asks for them, handed to Redis after commit.
-- Times are milliseconds since the epoch.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'leased', 'dead', 'outbox')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  leased_until INTEGER,
  lease_owner TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX idx_jobs_ready ON jobs(state, run_at);

-- Periodic tasks: whoever moves next_run_at forward runs the period (once across processes).
CREATE TABLE job_schedule (
  name TEXT PRIMARY KEY,
  next_run_at INTEGER NOT NULL
);

-- Labels reused for steps with the same element signature (per company).
CREATE TABLE label_cache (
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  signature TEXT NOT NULL,
  field_label TEXT NOT NULL,
  instruction TEXT NOT NULL,
  confidence REAL NOT NULL,
  ai_model TEXT NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (company_id, signature)
);

-- pending: queued for labeling; done: labeled; fallback: every provider failed, a local label.
ALTER TABLE steps ADD COLUMN label_status TEXT;
-- When labeling of the workflow was (last) queued, for the watchdog.
ALTER TABLE workflows ADD COLUMN labeling_started_at INTEGER;
