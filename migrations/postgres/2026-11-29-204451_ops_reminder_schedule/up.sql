-- Scheduled reminders (issue 15): the officer sets rounds at so many days before the ballot closes; the
-- service sends each once, when due. A row is claimed (pending -> sent or skipped) in the transaction that
-- queues its reminders, so a round is never sent twice, by a restart or by several instances.
CREATE TABLE reminder_schedule (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    days_before_close INTEGER NOT NULL,
    -- pending, sent or skipped
    state TEXT NOT NULL DEFAULT 'pending',
    done_at TIMESTAMP,
    sent_count BIGINT,
    note TEXT,
    PRIMARY KEY (ballot_id, days_before_close)
);
