DROP TABLE login_limits;
ALTER TABLE users DROP COLUMN link_expires_at;
ALTER TABLE users DROP COLUMN link_generation;
ALTER TABLE users DROP COLUMN session_generation;
