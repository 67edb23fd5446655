//! Live events per conference (poll opened, votes cast so far, poll closed), fanned out to SSE clients.
//!
//! On SQLite there is one instance, so events go straight to an in-process hub. On PostgreSQL several
//! instances may serve one conference: events are published with `pg_notify` and every instance (this
//! one included) receives them on a LISTEN connection and feeds its own hub, so each client sees each
//! event once, whichever instance it is connected to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::config::DatabaseUrl;
use crate::db::DbConnection;
use crate::services::conference::{MotionView, PollView};

pub const CHANNEL: &str = "carried_events";

/// One event as it travels between instances and to clients.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub conference_id: i64,
    /// SSE event name: poll_opened, poll_progress, poll_closed, motion_updated, conference_closed.
    pub kind: String,
    pub data: serde_json::Value,
}

#[derive(Default)]
pub struct Hub {
    channels: Mutex<HashMap<i64, broadcast::Sender<Arc<Event>>>>,
}

impl Hub {
    pub fn subscribe(&self, conference_id: i64) -> broadcast::Receiver<Arc<Event>> {
        let mut map = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(conference_id).or_insert_with(|| broadcast::channel(1024).0).subscribe()
    }

    pub fn deliver(&self, event: Event) {
        let map = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = map.get(&event.conference_id) {
            let _ = tx.send(Arc::new(event));
        }
    }
}

/// What the hall must see, as the service that caused it publishes it (after its transaction commits).
/// Each has one SSE event name and one JSON shape (docs/api.md, "Live events").
#[derive(Debug, Clone)]
pub enum ConferenceEvent {
    PollOpened(PollView),
    /// Votes cast so far in an open poll: never how anyone voted.
    PollProgress {
        conference_id: i64,
        poll_id: i64,
        votes_cast: i64,
    },
    PollClosed(PollView),
    PollVoided(PollView),
    MotionUpdated(MotionView),
    AgendaUpdated {
        conference_id: i64,
        change: AgendaChange,
    },
    ConferenceClosed {
        conference_id: i64,
        not_reached: usize,
    },
}

/// How the agenda changed, as `agenda_updated` tells the pages.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum AgendaChange {
    Imported { added: usize, updated: usize, kept: usize },
    Deleted { deleted: i64 },
    Reordered { order: bool },
}

impl ConferenceEvent {
    pub fn conference_id(&self) -> i64 {
        match self {
            ConferenceEvent::PollOpened(p) | ConferenceEvent::PollClosed(p) | ConferenceEvent::PollVoided(p) => {
                p.conference_id
            }
            ConferenceEvent::MotionUpdated(m) => m.conference_id,
            ConferenceEvent::PollProgress { conference_id, .. }
            | ConferenceEvent::AgendaUpdated { conference_id, .. }
            | ConferenceEvent::ConferenceClosed { conference_id, .. } => *conference_id,
        }
    }

    /// The SSE event name.
    pub fn kind(&self) -> &'static str {
        match self {
            ConferenceEvent::PollOpened(_) => "poll_opened",
            ConferenceEvent::PollProgress { .. } => "poll_progress",
            ConferenceEvent::PollClosed(_) => "poll_closed",
            ConferenceEvent::PollVoided(_) => "poll_voided",
            ConferenceEvent::MotionUpdated(_) => "motion_updated",
            ConferenceEvent::AgendaUpdated { .. } => "agenda_updated",
            ConferenceEvent::ConferenceClosed { .. } => "conference_closed",
        }
    }

    fn data(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            ConferenceEvent::PollOpened(p) | ConferenceEvent::PollClosed(p) | ConferenceEvent::PollVoided(p) => {
                json!({ "poll": p })
            }
            ConferenceEvent::PollProgress { poll_id, votes_cast, .. } => {
                json!({ "poll_id": poll_id, "votes_cast": votes_cast })
            }
            ConferenceEvent::MotionUpdated(m) => json!({ "motion": m }),
            ConferenceEvent::AgendaUpdated { change, .. } => serde_json::to_value(change).unwrap_or_default(),
            ConferenceEvent::ConferenceClosed { not_reached, .. } => json!({ "not_reached": not_reached }),
        }
    }
}

impl From<ConferenceEvent> for Event {
    fn from(e: ConferenceEvent) -> Event {
        Event { conference_id: e.conference_id(), kind: e.kind().to_string(), data: e.data() }
    }
}

/// Publish what a service did, after its transaction has committed.
pub fn tell(hub: &Hub, conn: &mut DbConnection, event: ConferenceEvent) {
    publish(hub, conn, event.into());
}

/// Publish an event after the transaction that caused it has committed.
pub fn publish(hub: &Hub, conn: &mut DbConnection, event: Event) {
    match conn {
        DbConnection::Sqlite(_) => hub.deliver(event),
        DbConnection::Postgres(c) => {
            let payload = serde_json::to_string(&event).unwrap_or_default();
            let sent = diesel::sql_query("SELECT pg_notify($1, $2)")
                .bind::<diesel::sql_types::Text, _>(CHANNEL)
                .bind::<diesel::sql_types::Text, _>(&payload)
                .execute(c);
            if let Err(e) = sent {
                tracing::warn!(error = %e, "pg_notify failed; delivering locally only");
                hub.deliver(event);
            }
        }
    }
}

/// On PostgreSQL: a thread that LISTENs and feeds the hub, reconnecting if the connection drops. It holds
/// the hub weakly and stops (closing its connection) once the application that owns the hub is gone.
pub fn start_listener(url: &DatabaseUrl, hub: &Arc<Hub>) {
    let DatabaseUrl::Postgres(url) = url.clone() else {
        return;
    };
    let hub = Arc::downgrade(hub);
    let spawned = std::thread::Builder::new().name("carried-events".into()).spawn(move || loop {
        if hub.strong_count() == 0 {
            return;
        }
        match diesel::PgConnection::establish(&url) {
            Ok(mut conn) => {
                if let Err(e) = conn.batch_execute(&format!("LISTEN {CHANNEL}")) {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    'poll: loop {
                        let Some(live) = hub.upgrade() else {
                            return;
                        };
                        for n in conn.notifications_iter() {
                            match n {
                                Ok(n) => match serde_json::from_str::<Event>(&n.payload) {
                                    Ok(ev) => live.deliver(ev),
                                    Err(e) => tracing::warn!(error = %e, "bad event payload"),
                                },
                                Err(e) => {
                                    tracing::warn!(error = %e, "event listener lost its connection");
                                    break 'poll;
                                }
                            }
                        }
                        drop(live);
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "event listener cannot connect"),
        }
        std::thread::sleep(Duration::from_secs(1));
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the event listener");
    }
}

/// Coalesces `poll_progress` events: at most one per poll per interval, with a trailing event so the last
/// count is always sent. With a thousand representatives and a thousand listeners, one event per vote would
/// be a million messages; a few per second say the same.
pub struct ProgressThrottle {
    interval: Duration,
    polls: Mutex<HashMap<i64, (std::time::Instant, bool)>>,
}

pub enum Throttled {
    /// Publish now.
    Now,
    /// Publish once after this delay (a trailing event); no other caller will.
    After(Duration),
    /// A trailing event is already scheduled.
    Skip,
}

impl ProgressThrottle {
    pub fn new(interval: Duration) -> Self {
        ProgressThrottle { interval, polls: Mutex::new(HashMap::new()) }
    }

    pub fn check(&self, poll_id: i64) -> Throttled {
        let now = std::time::Instant::now();
        let mut map = self.polls.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (last, pending)| *pending || now.duration_since(*last) < Duration::from_secs(60));
        }
        let entry = map.entry(poll_id).or_insert((now - self.interval, false));
        let since = now.duration_since(entry.0);
        if since >= self.interval && !entry.1 {
            entry.0 = now;
            Throttled::Now
        } else if !entry.1 {
            entry.1 = true;
            Throttled::After(self.interval.saturating_sub(since))
        } else {
            Throttled::Skip
        }
    }

    /// The trailing event has been sent.
    pub fn sent(&self, poll_id: i64) {
        let mut map = self.polls.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(poll_id, (std::time::Instant::now(), false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_coalesced_with_one_trailing_event() {
        let t = ProgressThrottle::new(Duration::from_millis(50));
        assert!(matches!(t.check(1), Throttled::Now));
        assert!(matches!(t.check(1), Throttled::After(d) if d <= Duration::from_millis(50)));
        assert!(matches!(t.check(1), Throttled::Skip));
        assert!(matches!(t.check(2), Throttled::Now), "polls are independent");
        t.sent(1);
        assert!(matches!(t.check(1), Throttled::After(_)), "just sent: the next waits");
        std::thread::sleep(Duration::from_millis(60));
        t.sent(1);
        std::thread::sleep(Duration::from_millis(60));
        assert!(matches!(t.check(1), Throttled::Now));
    }
}
