-- End-to-end verifiable ballots (issue 17, docs/e2e.md). A ballot is end to end when it has a row in
-- e2e_ballots (created with the ballot); tier 1 ballots have none and are unchanged.
CREATE TABLE e2e_ballots (
    ballot_id BIGINT PRIMARY KEY NOT NULL REFERENCES ballots(id),
    -- Fixed at opening: the Belenios election (exact JSON), trustees and public credentials as archived.
    uuid TEXT,
    election TEXT,
    trustees TEXT,
    public_credentials TEXT,
    -- The archive's timestamp (Unix seconds, the opening time).
    archive_timestamp BIGINT,
    -- The hash of the last event of the archive so far (Setup, then one Ballot event per ballot).
    head TEXT,
    ballot_count BIGINT NOT NULL DEFAULT 0,
    -- At close: the product of the counted ballots; after every trustee's partial decryption, the result.
    encrypted_tally TEXT,
    num_tallied BIGINT,
    result TEXT
);
CREATE TABLE e2e_trustees (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    -- 1-based: the trustee's position in the election's trustees (the `owner` of its partial decryption).
    position INTEGER NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    -- The Belenios trustee_public_key, checked (proof of knowledge, group membership).
    public_key TEXT,
    key_uploaded_at TIMESTAMP,
    partial_decryption TEXT,
    decrypted_at TIMESTAMP,
    PRIMARY KEY (ballot_id, position)
);
CREATE UNIQUE INDEX e2e_trustees_by_user ON e2e_trustees (ballot_id, user_id);
-- Public credentials only (g^secret, base 10); the private credential goes into the invitation and is
-- never stored in clear. roll_id serves the turnout (who voted, never how).
CREATE TABLE e2e_credentials (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    credential TEXT NOT NULL,
    roll_id BIGINT NOT NULL REFERENCES roll(id),
    used BOOLEAN NOT NULL,
    PRIMARY KEY (ballot_id, credential)
);
-- The encrypted ballots, in the order they were accepted (the archive's order).
CREATE TABLE e2e_cast (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    seq BIGINT NOT NULL,
    tracker TEXT NOT NULL,
    ballot TEXT NOT NULL,
    PRIMARY KEY (ballot_id, seq)
);
CREATE UNIQUE INDEX e2e_cast_by_tracker ON e2e_cast (ballot_id, tracker);
