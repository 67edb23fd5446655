-- Resolutions as the profession publishes them (issue 14): the conference's dates (ISO 8601 days,
-- e.g. 2026-11-20; ends_on only for a conference of more than one day).
ALTER TABLE conferences ADD COLUMN starts_on TEXT;
ALTER TABLE conferences ADD COLUMN ends_on TEXT;
