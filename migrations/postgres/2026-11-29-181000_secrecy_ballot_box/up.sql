-- The ballot box (issue 11, finding 3): a vote is stored here, with the voter's "has voted" marker, in
-- the casting transaction; it is chained into ballot_entries later, in shuffled batches (at least ten
-- at a time while open, the rest at close), and then deleted. The key is random: no sequence number, no
-- time, no insertion order (no rowid on SQLite).
CREATE TABLE ballot_box (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    token TEXT NOT NULL,
    receipt TEXT NOT NULL,
    answers TEXT NOT NULL,
    nonce TEXT NOT NULL,
    lmc TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (ballot_id, token)
);
CREATE UNIQUE INDEX ballot_box_by_receipt ON ballot_box (receipt);
