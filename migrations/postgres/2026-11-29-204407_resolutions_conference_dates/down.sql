ALTER TABLE conferences DROP COLUMN ends_on;
ALTER TABLE conferences DROP COLUMN starts_on;
