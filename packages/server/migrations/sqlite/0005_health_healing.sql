-- Walkthrough reports: idempotent per company on the client's entry id; runs grouped by run_id.
ALTER TABLE health_logs ADD COLUMN company_id INTEGER;
ALTER TABLE health_logs ADD COLUMN client_id TEXT;
ALTER TABLE health_logs ADD COLUMN run_id TEXT;
-- run: a run's outcome (success, failed, abandoned); step: one step of it. (step_id alone cannot
-- tell: a deleted step leaves its entries with step_id NULL.)
ALTER TABLE health_logs ADD COLUMN kind TEXT NOT NULL DEFAULT 'step';
CREATE UNIQUE INDEX idx_health_logs_client ON health_logs(company_id, client_id);
CREATE INDEX idx_health_logs_runs ON health_logs(workflow_id, kind, id);

-- Auto-heal decisions, kept 24 h per (step, page state): one AI call per changed page.
CREATE TABLE heal_decisions (
  step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
  page_state_hash TEXT NOT NULL,
  decision TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (step_id, page_state_hash)
);

-- Candidates an admin refused for a page state: never proposed again there.
CREATE TABLE heal_rejections (
  step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
  page_state_hash TEXT NOT NULL,
  selector TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (step_id, page_state_hash, selector)
);

-- Heals used for one session (confidence 0.60-0.80), waiting for an admin.
CREATE TABLE heal_reviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  workflow_id INTEGER NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
  step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  confidence REAL NOT NULL,
  method TEXT NOT NULL,
  selector TEXT NOT NULL,
  candidate TEXT NOT NULL,
  previous_selector TEXT,
  current_screenshot_key TEXT,
  current_width INTEGER,
  current_height INTEGER,
  page_url TEXT,
  page_state_hash TEXT,
  created_at INTEGER NOT NULL,
  decided_at INTEGER,
  decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX idx_heal_reviews_company ON heal_reviews(company_id, status, id);
