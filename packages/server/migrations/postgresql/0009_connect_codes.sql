-- One-time codes that sign the extension in (createConnectCode → authConnect): only the code's
-- SHA-256 is kept, and a row is deleted when it is used. Times are Unix milliseconds.
CREATE TABLE connect_codes (
  code_hash TEXT PRIMARY KEY,
  company_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at BIGINT NOT NULL
);
CREATE INDEX idx_connect_codes_user ON connect_codes(user_id);
CREATE INDEX idx_connect_codes_expires ON connect_codes(expires_at);
