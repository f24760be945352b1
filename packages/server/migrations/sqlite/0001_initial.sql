-- The brief's schema, with the corrections in ARCHITECTURE.md: screenshots are de-duplicated per
-- company and may exist before their workflow. Timestamps are ISO 8601 UTC text written by the
-- server ("2026-11-25T21:30:00.123Z"), JSON columns are TEXT holding JSON.

CREATE TABLE companies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  invite_token TEXT UNIQUE NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  email TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL,
  name TEXT,
  role TEXT NOT NULL CHECK (role IN ('admin', 'regular')),
  created_at TEXT NOT NULL,
  last_login_at TEXT
);
CREATE INDEX idx_users_company ON users(company_id);

CREATE TABLE workflows (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  description TEXT,
  starting_url TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'processing', 'active', 'needs_review', 'broken', 'archived')),
  success_rate REAL NOT NULL DEFAULT 0.0,
  total_uses INTEGER NOT NULL DEFAULT 0,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_successful_run TEXT,
  last_failed_run TEXT
);
CREATE INDEX idx_workflows_company_status ON workflows(company_id, status);
CREATE INDEX idx_workflows_created_by ON workflows(created_by);

CREATE TABLE screenshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  workflow_id INTEGER REFERENCES workflows(id) ON DELETE SET NULL,
  hash TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  storage_url TEXT NOT NULL,
  file_size INTEGER,
  width INTEGER,
  height INTEGER,
  format TEXT NOT NULL DEFAULT 'jpeg',
  created_at TEXT NOT NULL,
  UNIQUE (company_id, hash)
);
CREATE INDEX idx_screenshots_workflow ON screenshots(workflow_id);

CREATE TABLE steps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_id INTEGER NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  step_number INTEGER NOT NULL,
  timestamp TEXT,
  action_type TEXT NOT NULL,
  selectors TEXT NOT NULL,
  element_meta TEXT NOT NULL,
  page_context TEXT NOT NULL,
  action_data TEXT,
  dom_context TEXT,
  screenshot_id INTEGER REFERENCES screenshots(id) ON DELETE SET NULL,
  field_label TEXT,
  instruction TEXT,
  ai_confidence REAL,
  ai_model TEXT,
  ai_generated_at TEXT,
  label_edited INTEGER NOT NULL DEFAULT 0,
  instruction_edited INTEGER NOT NULL DEFAULT 0,
  edited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  edited_at TEXT,
  healed_selectors TEXT,
  healed_at TEXT,
  healing_confidence REAL,
  healing_method TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (workflow_id, step_number)
);
CREATE INDEX idx_steps_screenshot ON steps(screenshot_id);

CREATE TABLE health_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_id INTEGER NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  step_id INTEGER REFERENCES steps(id) ON DELETE SET NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  error_type TEXT,
  error_message TEXT,
  healing_confidence REAL,
  deterministic_score INTEGER,
  ai_confidence REAL,
  candidates_evaluated INTEGER,
  page_state_hash TEXT,
  page_url TEXT,
  execution_time_ms INTEGER,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_health_logs_workflow ON health_logs(workflow_id, created_at DESC);
CREATE INDEX idx_health_logs_status ON health_logs(status);
CREATE INDEX idx_health_logs_user ON health_logs(user_id);

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  workflow_id INTEGER REFERENCES workflows(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
  title TEXT NOT NULL,
  message TEXT,
  action_url TEXT,
  read INTEGER NOT NULL DEFAULT 0,
  read_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  read_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX idx_notifications_company ON notifications(company_id, read, created_at DESC);
