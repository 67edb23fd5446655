-- The agenda as printed: the item's printed number ("27a"), its kind, section, placement, the sentence
-- after its parts, the seconder, and its place in the running order.
ALTER TABLE motions ADD COLUMN item TEXT;
ALTER TABLE motions ADD COLUMN kind TEXT NOT NULL DEFAULT 'motion';
ALTER TABLE motions ADD COLUMN section TEXT;
ALTER TABLE motions ADD COLUMN subsection TEXT;
ALTER TABLE motions ADD COLUMN amends TEXT;
ALTER TABLE motions ADD COLUMN placement TEXT;
ALTER TABLE motions ADD COLUMN after_parts TEXT;
ALTER TABLE motions ADD COLUMN seconder TEXT;
ALTER TABLE motions ADD COLUMN position INTEGER;
UPDATE motions SET item = CAST(number AS TEXT), position = number;
CREATE UNIQUE INDEX motions_by_item ON motions (conference_id, item);
