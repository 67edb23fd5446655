ALTER TABLE polls DROP COLUMN voided_at;
ALTER TABLE polls DROP COLUMN void_reason;
ALTER TABLE polls DROP COLUMN before_state;
