//! The few places where SQLite and PostgreSQL need different SQL. Everything else is written once.

use diesel::prelude::*;

use super::schema::poll_votes;
use super::DbConnection;

/// Insert a representative's vote in a poll, or replace the choice they made before.
/// (diesel's MultiConnection has no upsert, so each backend gets its own, identical, statement.)
pub fn upsert_poll_vote(
    conn: &mut DbConnection,
    poll_id: i64,
    representative_id: i64,
    choice: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    let row = (
        poll_votes::poll_id.eq(poll_id),
        poll_votes::representative_id.eq(representative_id),
        poll_votes::choice.eq(choice),
        poll_votes::cast_at.eq(at),
    );
    let update = (poll_votes::choice.eq(choice), poll_votes::cast_at.eq(at));
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(poll_votes::table)
            .values(row)
            .on_conflict((poll_votes::poll_id, poll_votes::representative_id))
            .do_update()
            .set(update)
            .execute(c)
            .map(|_| ()),
        DbConnection::Postgres(c) => diesel::insert_into(poll_votes::table)
            .values(row)
            .on_conflict((poll_votes::poll_id, poll_votes::representative_id))
            .do_update()
            .set(update)
            .execute(c)
            .map(|_| ()),
    }
}

/// Serialise appends to one hash chain inside the current write transaction. SQLite's `BEGIN IMMEDIATE`
/// already holds the only write lock; PostgreSQL takes a transaction-scoped advisory lock on `key`.
pub fn lock_chain(conn: &mut DbConnection, key: i64) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Postgres(c) => diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(key)
            .execute(c)
            .map(|_| ()),
    }
}

/// One ballot entry to store.
#[derive(Debug, Clone, diesel::Insertable)]
#[diesel(table_name = super::schema::ballot_entries)]
pub struct NewEntry {
    pub ballot_id: i64,
    pub seq: i64,
    pub receipt: String,
    pub answers: String,
    pub nonce: String,
    pub prev: String,
    pub hash: String,
}

/// Insert a batch of entries with multi-row `INSERT`s (the MultiConnection cannot batch, so each backend
/// gets the same statement through its own connection).
pub fn insert_entries(conn: &mut DbConnection, entries: &[NewEntry]) -> QueryResult<()> {
    use super::schema::ballot_entries;
    // 7 columns per row: 100 rows stay far below SQLite's bind-parameter limit.
    for chunk in entries.chunks(100) {
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(ballot_entries::table).values(chunk).execute(c)?,
            DbConnection::Postgres(c) => diesel::insert_into(ballot_entries::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

/// SQLite: overwrite deleted content with zeros on this connection (so a deleted secret is not left in
/// free pages). PostgreSQL: nothing (a `VACUUM` reclaims dead rows; docs/operations.md).
pub fn secure_delete(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("PRAGMA secure_delete = ON"),
        DbConnection::Postgres(_) => Ok(()),
    }
}

/// SQLite: copy the write-ahead log into the database file and truncate it, so overwritten pages do not
/// linger in the log. PostgreSQL: nothing.
pub fn checkpoint(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)"),
        DbConnection::Postgres(_) => Ok(()),
    }
}

/// Create a sign-in limit row for `key` unless one exists (two instances may race to create it).
pub fn insert_login_limit_if_missing(
    conn: &mut DbConnection,
    key: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    use super::schema::login_limits;
    let row = (
        login_limits::key.eq(key),
        login_limits::window_start.eq(now),
        login_limits::attempts.eq(0),
        login_limits::failures.eq(0),
        login_limits::updated_at.eq(now),
    );
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::insert_into(login_limits::table).values(row).on_conflict_do_nothing().execute(c).map(|_| ())
        }
        DbConnection::Postgres(c) => {
            diesel::insert_into(login_limits::table).values(row).on_conflict_do_nothing().execute(c).map(|_| ())
        }
    }
}

/// One vote in the ballot box, waiting to be chained (see `services::ballots::chain_box`).
#[derive(Debug, Clone, diesel::Insertable)]
#[diesel(table_name = super::schema::ballot_box)]
pub struct NewBoxEntry {
    pub ballot_id: i64,
    pub token: String,
    pub receipt: String,
    pub answers: String,
    pub nonce: String,
    pub lmc: String,
    pub role: String,
}

/// Put a batch of votes in the ballot box with multi-row `INSERT`s.
pub fn insert_box(conn: &mut DbConnection, rows: &[NewBoxEntry]) -> QueryResult<()> {
    use super::schema::ballot_box;
    for chunk in rows.chunks(100) {
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(ballot_box::table).values(chunk).execute(c)?,
            DbConnection::Postgres(c) => diesel::insert_into(ballot_box::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

/// After a ballot closes, outside any transaction: leave as little as the backend allows of the ballot
/// box's deleted rows. SQLite (which runs with `secure_delete`, so deleted rows are zeroed in the file)
/// copies the write-ahead log into the database and truncates it; PostgreSQL vacuums the table, which
/// removes the dead row versions (and their `xmin`) and truncates the file when it is empty.
pub fn scrub_ballot_box(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);"),
        DbConnection::Postgres(c) => c.batch_execute("VACUUM ballot_box;"),
    }
}
