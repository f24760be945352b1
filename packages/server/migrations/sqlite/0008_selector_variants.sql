-- Selector variants: a step keeps every way its element has been found. The recorded selectors
-- stay in steps.selectors (the recorded variant); heals, approvals and imports add rows here,
-- with their provenance. `selector` is the variant's primary selector and its key in the step.
-- Times are Unix milliseconds, as in the other auto-heal tables.
CREATE TABLE step_selector_variants (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
  selector TEXT NOT NULL,
  selectors TEXT NOT NULL,
  element_meta TEXT,
  source TEXT NOT NULL CHECK (source IN ('healed', 'imported')),
  status TEXT NOT NULL CHECK (status IN ('shared', 'pending', 'rejected')),
  preferred INTEGER NOT NULL DEFAULT 0 CHECK (preferred IN (0, 1)),
  method TEXT NOT NULL CHECK (method IN ('deterministic', 'ai_assisted', 'confirmed', 'approved', 'imported')),
  confidence REAL,
  page_state_hash TEXT,
  created_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (step_id, selector)
);
-- At most one preferred variant per step.
CREATE UNIQUE INDEX idx_selector_variants_preferred ON step_selector_variants(step_id) WHERE preferred = 1;
CREATE INDEX idx_selector_variants_created_by ON step_selector_variants(created_by);

-- Colleagues' answers about a candidate element on a page state: one per user, a new one
-- replaces the user's earlier one.
CREATE TABLE heal_votes (
  step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
  page_state_hash TEXT NOT NULL,
  selector TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  vote TEXT NOT NULL CHECK (vote IN ('confirm', 'reject')),
  how TEXT NOT NULL CHECK (how IN ('asked', 'acted', 'approved')),
  admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (step_id, page_state_hash, selector, user_id)
);
CREATE INDEX idx_heal_votes_selector ON heal_votes(step_id, selector, created_at);
CREATE INDEX idx_heal_votes_user ON heal_votes(user_id);

-- Who decided a heal review: an admin, or colleagues' votes.
ALTER TABLE heal_reviews ADD COLUMN resolution TEXT CHECK (resolution IN ('admin', 'votes'));
UPDATE heal_reviews SET resolution = 'admin' WHERE status <> 'pending';
CREATE INDEX idx_heal_reviews_step ON heal_reviews(step_id, status);

-- Counts changes to a workflow's variants and votes: part of the detail's ETag (not of If-Match,
-- so a colleague's vote does not make an admin's edit fail).
ALTER TABLE workflows ADD COLUMN heal_version INTEGER NOT NULL DEFAULT 0;

-- Steps healed before variants existed had their selectors overwritten by the heal: the first
-- recorded primary was kept in healed_selectors.previous_primary (and the one the last heal
-- replaced in last_replaced). The healed selectors become a shared healed variant, the one the
-- last heal replaced (when it was an earlier heal's) another, and the recorded primary comes
-- back. Recorded css/xpath that a heal overwrote were not kept anywhere and cannot come back.
INSERT INTO step_selector_variants (step_id, selector, selectors, element_meta, source, status, preferred,
                                    method, confidence, page_state_hash, created_at, created_by)
SELECT id, json_extract(selectors, '$.primary'), selectors, NULL, 'healed', 'shared', 0,
       CASE WHEN healing_method IN ('deterministic', 'ai_assisted') THEN healing_method ELSE 'approved' END,
       healing_confidence, NULL,
       COALESCE(CAST(ROUND((julianday(healed_at) - 2440587.5) * 86400000) AS INTEGER), 0), NULL
FROM steps
WHERE healed_selectors IS NOT NULL AND json_valid(healed_selectors) AND json_valid(selectors)
  AND json_type(healed_selectors, '$.previous_primary') = 'text'
  AND json_type(selectors, '$.primary') = 'text'
  AND json_extract(selectors, '$.primary') <> json_extract(healed_selectors, '$.previous_primary');
INSERT INTO step_selector_variants (step_id, selector, selectors, element_meta, source, status, preferred,
                                    method, confidence, page_state_hash, created_at, created_by)
SELECT id, json_extract(healed_selectors, '$.last_replaced'),
       json_object('primary', json_extract(healed_selectors, '$.last_replaced')), NULL, 'healed', 'shared', 0,
       'approved', NULL, NULL,
       COALESCE(CAST(ROUND((julianday(healed_at) - 2440587.5) * 86400000) AS INTEGER), 0), NULL
FROM steps
WHERE healed_selectors IS NOT NULL AND json_valid(healed_selectors) AND json_valid(selectors)
  AND json_type(healed_selectors, '$.previous_primary') = 'text'
  AND json_type(healed_selectors, '$.last_replaced') = 'text'
  AND json_type(selectors, '$.primary') = 'text'
  AND json_extract(healed_selectors, '$.last_replaced') <> json_extract(healed_selectors, '$.previous_primary')
  AND json_extract(healed_selectors, '$.last_replaced') <> json_extract(selectors, '$.primary')
ON CONFLICT (step_id, selector) DO NOTHING;
UPDATE steps
SET selectors = json_set(selectors, '$.primary', json_extract(healed_selectors, '$.previous_primary')),
    healed_selectors = json_object('primary', json_extract(selectors, '$.primary'))
WHERE healed_selectors IS NOT NULL AND json_valid(healed_selectors) AND json_valid(selectors)
  AND json_type(healed_selectors, '$.previous_primary') = 'text'
  AND json_type(selectors, '$.primary') = 'text'
  AND json_extract(selectors, '$.primary') <> json_extract(healed_selectors, '$.previous_primary');
