-- Putting mistakes right: the motion as it was before a poll closed (so a voided poll can be undone), and
-- why and when the chair voided it.
ALTER TABLE polls ADD COLUMN before_state TEXT;
ALTER TABLE polls ADD COLUMN void_reason TEXT;
ALTER TABLE polls ADD COLUMN voided_at TIMESTAMP;
