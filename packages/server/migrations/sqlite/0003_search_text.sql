-- Case-insensitive search beyond ASCII: the server writes name and description case-folded
-- (Unicode) here. Rows from before get SQLite's ASCII lower-casing until they are next saved.
ALTER TABLE workflows ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE workflows SET search_text = LOWER(name || ' ' || COALESCE(description, ''));
