-- Case-insensitive search beyond ASCII: the server writes name and description case-folded
-- (Unicode) here; rows from before get PostgreSQL's lower().
ALTER TABLE workflows ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE workflows SET search_text = LOWER(name || ' ' || COALESCE(description, ''));
