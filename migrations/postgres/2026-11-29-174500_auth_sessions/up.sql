-- Sessions end on sign-out and password change: tokens carry the generation they were issued in.
ALTER TABLE users ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0;
-- Set-password links are derived from a key outside the database; only their number and expiry are kept.
ALTER TABLE users ADD COLUMN link_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN link_expires_at TIMESTAMP;
-- Links stored (as hashes) before this change stop working: send a new one.
DELETE FROM password_tokens;

-- Sign-in limits shared by every instance: per client address (attempts in a five-minute window) and per
-- account (a hash of the email: failures, and the time before which the next attempt must wait).
CREATE TABLE login_limits (
    key TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX login_limits_updated ON login_limits (updated_at);
