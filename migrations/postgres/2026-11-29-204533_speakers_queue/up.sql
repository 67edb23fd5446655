-- Speakers and time (issue 14, item 3). A conference's speaking rules (its standing orders' time limits and
-- whether first-time speakers go first) and the motion in hand; without a row, the defaults apply.
CREATE TABLE speaker_settings (
    conference_id BIGINT PRIMARY KEY NOT NULL REFERENCES conferences(id),
    first_time_first BOOLEAN NOT NULL DEFAULT FALSE,
    proposer_seconds INTEGER NOT NULL DEFAULT 180,
    speaker_seconds INTEGER NOT NULL DEFAULT 120,
    reply_seconds INTEGER NOT NULL DEFAULT 120,
    motion_id BIGINT REFERENCES motions(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Requests to speak and the speeches they become. A speech the chair calls without a request (the proposer,
-- the right of reply) has no representative. The clock: the limit fixed when called, the time used in
-- earlier runs, and when it was last started while it runs.
CREATE TABLE speaker_requests (
    id BIGSERIAL PRIMARY KEY,
    conference_id BIGINT NOT NULL REFERENCES conferences(id),
    motion_id BIGINT NOT NULL REFERENCES motions(id) ON DELETE CASCADE,
    representative_id BIGINT REFERENCES representatives(id),
    name TEXT NOT NULL,
    lmc TEXT NOT NULL,
    side TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    called_at TIMESTAMP,
    ended_at TIMESTAMP,
    limit_seconds INTEGER,
    used_ms BIGINT NOT NULL DEFAULT 0,
    timer_started_at TIMESTAMP
);
CREATE INDEX speaker_requests_by_motion ON speaker_requests (conference_id, motion_id, status);
CREATE INDEX speaker_requests_by_representative ON speaker_requests (representative_id, status);
-- At most one request waiting or being heard per representative per motion.
CREATE UNIQUE INDEX speaker_requests_one_active ON speaker_requests (motion_id, representative_id)
    WHERE status IN ('waiting', 'called') AND representative_id IS NOT NULL;
