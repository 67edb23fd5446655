-- Per-object authorisation: a conference has its chairs, a ballot its officers (issue 11, finding 11).
CREATE TABLE conference_chairs (
    conference_id BIGINT NOT NULL REFERENCES conferences(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (conference_id, user_id)
);

CREATE TABLE ballot_officers (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (ballot_id, user_id)
);

-- Existing ballots: their creator is their officer.
INSERT INTO ballot_officers (ballot_id, user_id) SELECT id, created_by FROM ballots;

-- Existing conferences: whoever the audit log says created it.
INSERT INTO conference_chairs (conference_id, user_id)
SELECT DISTINCT c.id, u.id FROM conferences c
JOIN audit_log a ON a.action = 'conference.create' AND a.subject = 'conference ' || c.id
JOIN users u ON u.email = a.actor;
