CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    roles TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE password_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    expires_at TIMESTAMP NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE service_keys (
    purpose TEXT NOT NULL,
    kid TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (purpose, kid)
);

CREATE TABLE conferences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    venue TEXT,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE representatives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conference_id BIGINT NOT NULL REFERENCES conferences(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    lmc TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (conference_id, user_id)
);

CREATE TABLE motions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conference_id BIGINT NOT NULL REFERENCES conferences(id),
    number INTEGER NOT NULL,
    title TEXT,
    proposer TEXT,
    agenda_committee BOOLEAN NOT NULL DEFAULT FALSE,
    stem TEXT NOT NULL,
    marks TEXT NOT NULL,
    bracket TEXT,
    needs_two_thirds BOOLEAN NOT NULL DEFAULT FALSE,
    taken_as TEXT,
    whole_outcome TEXT,
    whole_qualifier TEXT,
    whole_counts TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (conference_id, number)
);

CREATE TABLE parts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    motion_id BIGINT NOT NULL REFERENCES motions(id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    outcome TEXT,
    qualifier TEXT,
    counts TEXT,
    added_by_rider BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (motion_id, position),
    UNIQUE (motion_id, label)
);

CREATE TABLE polls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conference_id BIGINT NOT NULL REFERENCES conferences(id),
    motion_id BIGINT REFERENCES motions(id),
    subject TEXT NOT NULL,
    question TEXT NOT NULL,
    majority TEXT NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    for_votes BIGINT NOT NULL DEFAULT 0,
    against_votes BIGINT NOT NULL DEFAULT 0,
    abstain_votes BIGINT NOT NULL DEFAULT 0,
    counted BOOLEAN NOT NULL DEFAULT TRUE,
    carried BOOLEAN,
    qualifier TEXT
);
CREATE INDEX polls_by_conference ON polls (conference_id, status);

CREATE TABLE poll_votes (
    poll_id BIGINT NOT NULL REFERENCES polls(id),
    representative_id BIGINT NOT NULL REFERENCES representatives(id),
    choice TEXT NOT NULL,
    cast_at TIMESTAMP NOT NULL,
    PRIMARY KEY (poll_id, representative_id)
);

CREATE TABLE ballots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    questions TEXT NOT NULL,
    status TEXT NOT NULL,
    publication TEXT NOT NULL,
    opens_at TIMESTAMP,
    closes_at TIMESTAMP,
    opened_at TIMESTAMP,
    closed_at TIMESTAMP,
    published_at TIMESTAMP,
    eligible BIGINT,
    genesis TEXT,
    head TEXT,
    entry_count BIGINT NOT NULL DEFAULT 0,
    signoff TEXT,
    record TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE roll (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    membership_no TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    lmc TEXT NOT NULL,
    role TEXT NOT NULL,
    code_hash TEXT,
    voted BOOLEAN NOT NULL DEFAULT FALSE,
    confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (ballot_id, membership_no),
    UNIQUE (ballot_id, email)
);
CREATE UNIQUE INDEX roll_by_code ON roll (code_hash);

CREATE TABLE ballot_entries (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    seq BIGINT NOT NULL,
    receipt TEXT NOT NULL,
    answers TEXT NOT NULL,
    nonce TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (ballot_id, seq)
);
CREATE UNIQUE INDEX ballot_entries_by_receipt ON ballot_entries (receipt);

CREATE TABLE group_counts (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    dimension TEXT NOT NULL,
    grp TEXT NOT NULL,
    question INTEGER NOT NULL,
    choice TEXT NOT NULL,
    votes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (ballot_id, dimension, grp, question, choice)
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    to_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    ballot_id BIGINT,
    roll_id BIGINT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
