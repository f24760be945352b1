-- Workflows as the API serves them: a version for ETags, the starting URL's origin for "what can
-- I run on this site?", a step count kept with the steps, the expected outcome of each step, and
-- screenshots with a thumbnail, attached to workflows when a step refers to them.
ALTER TABLE workflows ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workflows ADD COLUMN starting_origin TEXT NOT NULL DEFAULT '';
ALTER TABLE workflows ADD COLUMN step_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX idx_workflows_company_origin ON workflows(company_id, starting_origin);
CREATE INDEX idx_workflows_company_updated ON workflows(company_id, updated_at DESC);

ALTER TABLE steps ADD COLUMN expected_outcome JSONB;

ALTER TABLE screenshots ADD COLUMN thumbnail_key TEXT;
ALTER TABLE screenshots ADD COLUMN client_step_id TEXT;
ALTER TABLE screenshots ADD COLUMN attached_at TIMESTAMPTZ;
CREATE INDEX idx_screenshots_unattached ON screenshots(attached_at, created_at);
