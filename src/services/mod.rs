//! Use cases: each public function is one thing a user does, run in one transaction where it writes.

pub mod access;
pub mod accounts;
pub mod agenda;
pub mod audit_log;
pub mod auth;
pub mod ballots;
pub mod committee;
pub mod conference;
pub mod conference_details;
pub mod corrections;
pub mod e2e;
pub mod events;
pub mod keystore;
pub mod letters;
pub mod linked_items;
pub mod mail;
pub mod mail_drain;
pub mod mail_words;
pub mod rate_limit;
pub mod reminders;
pub mod resolutions;
pub mod roll_admin;
pub mod schedule;
pub mod smtp;
pub mod speakers;
pub mod trustee_list;
pub mod vote_writer;

use std::sync::Arc;

use crate::config::Settings;
use crate::db::Db;

/// The connection a service function takes. Handlers name it only to pass it on (a check and a call run
/// with one connection); they never query through it.
pub use crate::db::DbConnection;

/// Everything a request handler may need, shared by all workers.
pub struct AppState {
    pub settings: Settings,
    pub db: Db,
    pub tokens: auth::TokenService,
    pub passwords: auth::PasswordPolicy,
    /// Caps concurrent argon2 work so a storm of sign-ins cannot starve vote casting of CPU.
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// Open live event streams of this instance (capped overall and per client address).
    pub streams: crate::http::streams::StreamSlots,
    /// Live events fan-out (fed through PostgreSQL LISTEN/NOTIFY when several instances share a database).
    pub hub: Arc<events::Hub>,
    pub progress: events::ProgressThrottle,
    /// Group commit for ballot casting.
    pub votes: vote_writer::VoteWriter,
    /// Wakes the mail sender when mail has been queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// One send round at a time on this instance: the background sender holds it for each round, and
    /// `mail_drain::send_pending` for its whole drain (so it finds every round before it finished).
    pub mail_turn: Arc<tokio::sync::Mutex<()>>,
}

impl AppState {
    /// Whether the database answers a trivial query (the health check).
    pub async fn database_answers(&self) -> bool {
        use diesel::connection::SimpleConnection;
        self.db.run(|c| c.batch_execute("SELECT 1").map_err(Into::into)).await.is_ok()
    }
}
