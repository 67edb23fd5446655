-- An imported amendment or rider put to the vote on the motion it amends: the poll (on that motion) and
-- the agenda item whose outcome the poll decides.
CREATE TABLE poll_items (
    poll_id INTEGER PRIMARY KEY NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    motion_id INTEGER NOT NULL REFERENCES motions(id) ON DELETE CASCADE
);
CREATE INDEX poll_items_motion ON poll_items(motion_id);
