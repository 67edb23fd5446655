//! The one data layer. Queries are written once against [`DbConnection`], a diesel `MultiConnection` over
//! SQLite and PostgreSQL; only this module (and the few `match`es in [`dialect`]) knows which one it talks to.

pub mod dialect;
pub mod e2e_schema;
pub mod schema;
pub mod schema_speakers;
pub mod text_sql;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseUrl;
use crate::error::{AppError, AppResult};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite connection waits for the write lock before giving up with "database is locked".
pub const SQLITE_BUSY_TIMEOUT_MS: u64 = 10_000;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl DbConnection {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbConnection::Sqlite(_))
    }
}

/// Opens connections of the kind the URL names (not by trial, as `MultiConnection::establish` would) and
/// prepares each one.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

fn sqlite_pragmas(c: &mut SqliteConnection) -> diesel::QueryResult<()> {
    // busy_timeout is per connection and must come first; WAL is persistent but cheap to repeat.
    // synchronous=FULL: a committed transaction (an acknowledged vote) survives power loss.
    // secure_delete: deleted rows (the ballot box, once chained) are zeroed in the file, not left behind.
    c.batch_execute(&format!(
        "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"
    ))
}

fn connect(url: &DatabaseUrl) -> Result<DbConnection, r2d2::Error> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let mut c = SqliteConnection::establish(&path.to_string_lossy()).map_err(r2d2::Error::ConnectionError)?;
            sqlite_pragmas(&mut c).map_err(r2d2::Error::QueryError)?;
            Ok(DbConnection::Sqlite(c))
        }
        DatabaseUrl::Postgres(u) => {
            let mut c = PgConnection::establish(u).map_err(r2d2::Error::ConnectionError)?;
            c.batch_execute("SET synchronous_commit = on; SET TIME ZONE 'UTC';").map_err(r2d2::Error::QueryError)?;
            Ok(DbConnection::Postgres(c))
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        connect(&self.url)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

pub type DbPool = Pool<ConnectionManager>;
pub type PooledDb = PooledConnection<ConnectionManager>;

/// The pool plus what the rest of the service needs to know about the database.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    url: DatabaseUrl,
}

impl Db {
    /// Create the SQLite file's directory if needed, run the embedded migrations, and build the pool.
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<Db, String> {
        if let DatabaseUrl::Sqlite(path) = url {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
        run_migrations(url)?;
        let size = match url {
            // SQLite has one writer; a small pool avoids lock storms.
            DatabaseUrl::Sqlite(_) => pool_size.clamp(1, 8),
            DatabaseUrl::Postgres(_) => pool_size,
        };
        let pool = Pool::builder()
            .max_size(size)
            .connection_timeout(Duration::from_millis(SQLITE_BUSY_TIMEOUT_MS + 5_000))
            .build(ConnectionManager { url: url.clone() })
            .map_err(|e| format!("cannot connect to {}: {e}", url.redacted()))?;
        Ok(Db { pool, url: url.clone() })
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    pub fn backend(&self) -> &'static str {
        self.url.backend()
    }

    /// A connection for code that already runs on a blocking thread (CLI, background workers).
    pub fn get(&self) -> AppResult<PooledDb> {
        Ok(self.pool.get()?)
    }

    /// Run blocking database work on actix's blocking pool, never on an async worker.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Like [`Db::run`], inside one write transaction (see [`write_tx`]).
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
    }
}

/// Run `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite (takes the write lock up front, so a
/// read-then-write never fails with SQLITE_BUSY half-way), an ordinary transaction on PostgreSQL.
/// Commits only if `f` succeeds; the caller acknowledges only after this returns Ok (durable commit).
pub fn write_tx<T, F>(conn: &mut DbConnection, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T>,
{
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        }
        DbConnection::Postgres(_) => {
            <DbConnection as Connection>::TransactionManager::begin_transaction(conn)?;
        }
    }
    let result = f(conn);
    let finish = match (&result, &mut *conn) {
        (Ok(_), DbConnection::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
        (Err(_), DbConnection::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
        (Ok(_), conn @ DbConnection::Postgres(_)) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)
        }
        (Err(_), conn @ DbConnection::Postgres(_)) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)
        }
    };
    match (result, finish) {
        (Ok(v), Ok(())) => Ok(v),
        (Ok(_), Err(e)) => Err(AppError::from(e)),
        (Err(e), _) => Err(e),
    }
}

/// Run the embedded migrations for the backend the URL names. On PostgreSQL an advisory lock keeps two
/// instances starting together from migrating at once.
pub fn run_migrations(url: &DatabaseUrl) -> Result<usize, String> {
    let conn_err = |e: r2d2::Error| format!("cannot connect to {}: {e}", url.redacted());
    match connect(url).map_err(conn_err)? {
        DbConnection::Sqlite(mut c) => {
            let done = c.run_pending_migrations(SQLITE_MIGRATIONS).map_err(|e| format!("migration failed: {e}"))?;
            Ok(done.len())
        }
        DbConnection::Postgres(mut c) => {
            c.batch_execute("SELECT pg_advisory_lock(7261137)").map_err(|e| format!("migration lock: {e}"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|d| d.len())
                .map_err(|e| format!("migration failed: {e}"));
            let _ = c.batch_execute("SELECT pg_advisory_unlock(7261137)");
            result
        }
    }
}

/// Current time in UTC, truncated to microseconds (what PostgreSQL keeps), as stored in every table.
pub fn now() -> chrono::NaiveDateTime {
    let t = chrono::Utc::now().naive_utc();
    let micros = t.and_utc().timestamp_micros();
    chrono::DateTime::from_timestamp_micros(micros).map(|d| d.naive_utc()).unwrap_or(t)
}
