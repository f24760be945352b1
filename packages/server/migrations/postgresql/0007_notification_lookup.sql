-- "One open alert per (workflow, type)" looks up a workflow's unread alert of a type on every
-- alert (every labeled workflow files one): by the company's unread index it read every unread
-- notification of the company, more with every recording. Also serves the cascade when a
-- workflow is deleted.
CREATE INDEX idx_notifications_workflow ON notifications(workflow_id, type, read);
