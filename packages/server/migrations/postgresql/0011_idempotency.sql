-- Idempotency keys of creating requests (Idempotency-Key): the key is claimed and the answer
-- stored in the transaction that creates, so a retried create returns the first answer and never
-- creates twice. Kept 24 hours. Times are Unix milliseconds.
CREATE TABLE idempotency_keys (
  company_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  idem_key TEXT NOT NULL,
  operation TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status_code BIGINT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (company_id, user_id, idem_key)
);
CREATE INDEX idx_idempotency_keys_created ON idempotency_keys(created_at);
