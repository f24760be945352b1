-- Scheduled checks (docs/checker.md). Times are Unix milliseconds.
-- A workflow's check: its settings, and where it stands. Replay values are sealed (AES-256-GCM,
-- the key named by values_key_id); value_step_ids says which steps have one.
CREATE TABLE workflow_checks (
  workflow_id INTEGER PRIMARY KEY REFERENCES workflows(id) ON DELETE CASCADE,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  enabled INTEGER NOT NULL DEFAULT 0,
  interval_minutes INTEGER NOT NULL DEFAULT 60,
  mode TEXT NOT NULL DEFAULT 'locate' CHECK (mode IN ('locate', 'replay')),
  values_key_id TEXT,
  values_sealed TEXT,
  value_step_ids TEXT NOT NULL DEFAULT '[]',
  status TEXT CHECK (status IN ('passed', 'at_risk', 'session_expired', 'error')),
  last_run_id INTEGER,
  last_run_at INTEGER,
  next_run_at INTEGER,
  updated_at INTEGER,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX idx_workflow_checks_due ON workflow_checks(enabled, next_run_at);

CREATE TABLE check_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  workflow_id INTEGER NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  mode TEXT NOT NULL CHECK (mode IN ('locate', 'replay')),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'finished')),
  status TEXT CHECK (status IN ('passed', 'at_risk', 'session_expired', 'error')),
  requested_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  duration_ms INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  steps_total INTEGER NOT NULL DEFAULT 0,
  steps_found INTEGER NOT NULL DEFAULT 0,
  steps_healed INTEGER NOT NULL DEFAULT 0,
  steps_missing INTEGER NOT NULL DEFAULT 0,
  message TEXT
);
CREATE INDEX idx_check_runs_workflow ON check_runs(workflow_id, id);
CREATE INDEX idx_check_runs_finished ON check_runs(finished_at);

-- The filmstrip: one row per step checked.
CREATE TABLE check_run_steps (
  run_id INTEGER NOT NULL REFERENCES check_runs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  step_id INTEGER REFERENCES steps(id) ON DELETE SET NULL,
  step_number INTEGER NOT NULL,
  field_label TEXT,
  outcome TEXT NOT NULL,
  method TEXT,
  score REAL,
  time_ms INTEGER NOT NULL,
  page_url TEXT,
  box TEXT,
  screenshot_key TEXT,
  width INTEGER,
  height INTEGER,
  message TEXT,
  PRIMARY KEY (run_id, idx)
);

-- Signed-in sessions saved for checks, one per (company, origin), sealed at rest.
CREATE TABLE check_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  key_id TEXT NOT NULL,
  sealed TEXT NOT NULL,
  cookie_count INTEGER NOT NULL,
  local_storage_count INTEGER NOT NULL,
  captured_at INTEGER NOT NULL,
  captured_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (company_id, origin)
);

ALTER TABLE workflows ADD COLUMN check_status TEXT;
