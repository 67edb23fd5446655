-- Issue 11, finding 4: an account may vote signed in only once its holder has proved control of its email
-- address by using a set-password link sent to it (an admin setting a password proves nothing).
ALTER TABLE users ADD COLUMN email_proven BOOLEAN NOT NULL DEFAULT FALSE;
