-- Indexes over run outcomes only (partial): the 99 % of entries that are steps no longer pay for
-- them on insert. The last 50 runs read (workflow_id, id) with their status; the 7-day failure
-- rate, counted on every report with a failed run, reads (workflow_id, created_at) with the
-- status (and kind, so that SQLite reads the index alone), so neither touches step entries or
-- table rows. The index on status alone served no query and cost every insert.
DROP INDEX idx_health_logs_status;
DROP INDEX idx_health_logs_runs;
CREATE INDEX idx_health_logs_runs ON health_logs(workflow_id, id, status, kind) WHERE kind = 'run';
CREATE INDEX idx_health_logs_run_time ON health_logs(workflow_id, created_at, status, kind) WHERE kind = 'run';
