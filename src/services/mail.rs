//! Mail: a durable outbox table written in the same transaction as the action that causes the mail, and
//! a sender that delivers it with retries — so nothing is lost if SMTP is down, and a voting code is
//! never stored: invitation bodies are rendered at send time from the code derived for that roll entry.
//!
//! Delivery is by SMTP when `CARRIED_SMTP_URL` is set, otherwise each message is written as an `.eml`
//! file in `<data dir>/outbox/`. Rows are claimed with a lease before sending, so several instances never
//! send the same row at once; a sender that dies mid-send leaves the lease to expire and the row is retried.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use futures_util::StreamExt;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::schema::mail_outbox;
use crate::db::{self, Db, DbConnection};
use crate::error::{AppError, AppResult};
pub use crate::services::mail_words::{MailKind, MailStatus};

/// A message to queue. `body` may be empty for kinds rendered at send time (invitations).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: MailKind,
    pub to_addr: String,
    pub to_name: String,
    pub subject: String,
    pub body: String,
    pub ballot_id: Option<i64>,
    pub roll_id: Option<i64>,
}

/// Queue a message inside the caller's transaction.
pub fn enqueue(conn: &mut DbConnection, m: &Outgoing) -> AppResult<()> {
    let now = db::now();
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::kind.eq(m.kind),
            mail_outbox::to_addr.eq(&m.to_addr),
            mail_outbox::to_name.eq(&m.to_name),
            mail_outbox::subject.eq(&m.subject),
            mail_outbox::body.eq(&m.body),
            mail_outbox::ballot_id.eq(m.ballot_id),
            mail_outbox::roll_id.eq(m.roll_id),
            mail_outbox::status.eq(MailStatus::Pending),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(now),
            mail_outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxStatus {
    /// Every message queued for this ballot (or in all), whatever became of it.
    pub total: i64,
    /// Not sent yet (waiting, being sent, or waiting to be retried).
    pub pending: i64,
    pub sent: i64,
    /// Not sent yet and at least one attempt has failed.
    pub failing: i64,
    /// Cancelled unsent when the ballot closed.
    pub cancelled: i64,
    /// By kind (invitation, reminder, confirmation, results): total and sent.
    pub by_kind: Vec<KindStatus>,
    /// The failing messages, oldest first (at most 100): address, attempts and the relay's answer.
    pub failures: Vec<Failure>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct KindStatus {
    pub kind: MailKind,
    pub total: i64,
    pub sent: i64,
    /// When the last message of this kind was queued.
    pub last_queued_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Failure {
    pub kind: MailKind,
    pub to_addr: String,
    pub to_name: String,
    pub attempts: i32,
    pub error: String,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
}

pub fn status(conn: &mut DbConnection, ballot_id: i64) -> AppResult<OutboxStatus> {
    use diesel::dsl::{count_star, max};
    let rows: Vec<(MailKind, MailStatus, i64, Option<chrono::NaiveDateTime>)> = mail_outbox::table
        .filter(mail_outbox::ballot_id.eq(ballot_id))
        .group_by((mail_outbox::kind, mail_outbox::status))
        .select((mail_outbox::kind, mail_outbox::status, count_star(), max(mail_outbox::created_at)))
        .load(conn)?;
    let failing: i64 = mail_outbox::table
        .filter(mail_outbox::ballot_id.eq(ballot_id))
        .filter(mail_outbox::status.eq_any([MailStatus::Pending, MailStatus::Sending]))
        .filter(mail_outbox::attempts.gt(0))
        .count()
        .get_result(conn)?;
    let mut st = OutboxStatus {
        total: 0,
        pending: 0,
        sent: 0,
        failing,
        cancelled: 0,
        by_kind: Vec::new(),
        failures: Vec::new(),
    };
    for (kind, status, n, last) in rows {
        st.total += n;
        match status {
            MailStatus::Sent => st.sent += n,
            MailStatus::Cancelled => st.cancelled += n,
            MailStatus::Pending | MailStatus::Sending => st.pending += n,
        }
        let k = match st.by_kind.iter().position(|k| k.kind == kind) {
            Some(i) => &mut st.by_kind[i],
            None => {
                st.by_kind.push(KindStatus { kind, total: 0, sent: 0, last_queued_at: None });
                let last = st.by_kind.len() - 1;
                &mut st.by_kind[last]
            }
        };
        k.total += n;
        if status == MailStatus::Sent {
            k.sent += n;
        }
        let last = last.map(|t| t.and_utc());
        if last > k.last_queued_at {
            k.last_queued_at = last;
        }
    }
    st.by_kind.sort_by(|a, b| a.kind.as_str().cmp(b.kind.as_str()));
    let failing: Vec<(MailKind, String, String, i32, Option<String>, chrono::NaiveDateTime)> = mail_outbox::table
        .filter(mail_outbox::ballot_id.eq(ballot_id))
        .filter(mail_outbox::status.eq_any([MailStatus::Pending, MailStatus::Sending]))
        .filter(mail_outbox::attempts.gt(0))
        .order(mail_outbox::id.asc())
        .limit(100)
        .select((
            mail_outbox::kind,
            mail_outbox::to_addr,
            mail_outbox::to_name,
            mail_outbox::attempts,
            mail_outbox::last_error,
            mail_outbox::next_attempt_at,
        ))
        .load(conn)?;
    st.failures = failing
        .into_iter()
        .map(|(kind, to_addr, to_name, attempts, error, next)| Failure {
            kind,
            to_addr,
            to_name,
            attempts,
            error: error.unwrap_or_default(),
            next_attempt_at: next.and_utc(),
        })
        .collect();
    Ok(st)
}

/// Renders bodies that are made at send time (e.g. an invitation with its voting code).
pub trait Renderer: Send + Sync {
    /// The body of each claimed row, in order, or None to send the stored body as it is. The sender calls
    /// this once per claimed batch, so what rows share (a ballot) is loaded once for the lot.
    fn render_batch(&self, conn: &mut DbConnection, rows: &[BatchRow<'_>]) -> Vec<AppResult<Option<String>>>;
}

/// One claimed outbox row as a renderer sees it.
#[derive(Debug, Clone, Copy)]
pub struct BatchRow<'a> {
    pub kind: MailKind,
    pub ballot_id: Option<i64>,
    pub roll_id: Option<i64>,
    pub to_addr: &'a str,
    /// The body stored in the outbox (a placeholder where a part is filled in at send time).
    pub stored: &'a str,
}

/// For a renderer that makes some rows itself and hands the others to the next one (`AccountMail`,
/// `e2e::E2eMail`): the others go to `inner` as one batch, then the rows `mine` picks are rendered one by
/// one with `own`, and the bodies come back in the rows' order.
pub fn render_split(
    conn: &mut DbConnection,
    rows: &[BatchRow<'_>],
    inner: &dyn Renderer,
    mine: impl Fn(&BatchRow<'_>) -> bool,
    mut own: impl FnMut(&mut DbConnection, &BatchRow<'_>) -> AppResult<Option<String>>,
) -> Vec<AppResult<Option<String>>> {
    let others: Vec<BatchRow<'_>> = rows.iter().filter(|r| !mine(r)).copied().collect();
    let mut others = inner.render_batch(conn, &others).into_iter();
    rows.iter()
        .map(|r| {
            if mine(r) {
                own(conn, r)
            } else {
                others.next().unwrap_or_else(|| Err(AppError::internal_msg("not rendered")))
            }
        })
        .collect()
}

/// Fills in set-password links at send time (their token is derived from a key outside the database),
/// and hands every other kind to `inner`.
pub struct AccountMail<R> {
    pub inner: R,
    pub link_key: Vec<u8>,
}

impl<R: Renderer> Renderer for AccountMail<R> {
    fn render_batch(&self, conn: &mut DbConnection, rows: &[BatchRow<'_>]) -> Vec<AppResult<Option<String>>> {
        let mine = |r: &BatchRow<'_>| r.kind == MailKind::SetPassword;
        render_split(conn, rows, &self.inner, mine, |conn, r| {
            crate::services::auth::render_link(conn, &self.link_key, r.to_addr, r.stored)
        })
    }
}

enum Transport {
    /// `smtp://`: the sender's own reused connections with Nagle off (services/smtp.rs).
    Direct(super::smtp::Direct),
    /// `smtps://`: lettre's pooled transport.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// How hard the sender drives the relay.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Messages in flight at once; also the size of the SMTP connection pool.
    pub connections: u32,
    /// A ceiling on messages handed to the relay per second (a relay's own limit); None for no ceiling.
    pub max_per_second: Option<f64>,
    /// How long a claimed row is reserved for this sender; renewed while it is still being sent.
    pub lease_seconds: i64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning { connections: 8, max_per_second: None, lease_seconds: 60 }
    }
}

pub struct Sender {
    db: Db,
    from: Mailbox,
    transport: Transport,
    renderer: Arc<dyn Renderer>,
    wake: Arc<tokio::sync::Notify>,
    tuning: Tuning,
    pacer: Pacer,
    /// Held for each round of `run` (see `with_turn`).
    turn: Arc<tokio::sync::Mutex<()>>,
}

struct Claimed {
    id: i64,
    kind: MailKind,
    to_addr: String,
    to_name: String,
    subject: String,
    body: String,
    ballot_id: Option<i64>,
    roll_id: Option<i64>,
    attempts: i32,
}

/// A claimed row ready to hand to the relay (or the reason it cannot be).
struct Prepared {
    id: i64,
    attempts: i32,
    message: Result<Message, String>,
}

/// What became of one delivery attempt.
struct Outcome {
    id: i64,
    attempts: i32,
    result: Result<(), String>,
}

/// The most rows one claim takes: enough to keep every connection busy, few enough that a second instance
/// finds work too.
const CLAIM_MAX: i64 = 512;

fn backoff_seconds(attempts: i32) -> i64 {
    (1i64 << attempts.clamp(0, 8)).min(300)
}

/// How many rows to claim at once: 32 per connection up to [`CLAIM_MAX`], and with a rate ceiling no more
/// than about ten seconds' worth.
fn claim_size(t: &Tuning) -> i64 {
    let by_connections = (i64::from(t.connections.max(1)) * 32).min(CLAIM_MAX);
    match t.max_per_second {
        Some(r) if r > 0.0 => by_connections.min(((r * 10.0).ceil() as i64).max(1)),
        _ => by_connections,
    }
}

/// Spaces sends so that no more than `max_per_second` start in any second (across batches).
struct Pacer {
    interval: Option<Duration>,
    next: std::sync::Mutex<Instant>,
}

/// The pure step of the pacer: given the next free slot and the time now, the slot this send takes and
/// the next free slot after it.
fn next_slot(next: Instant, now: Instant, interval: Duration) -> (Instant, Instant) {
    let slot = next.max(now);
    (slot, slot + interval)
}

impl Pacer {
    fn new(max_per_second: Option<f64>) -> Pacer {
        let interval = max_per_second.filter(|r| *r > 0.0).map(|r| Duration::from_secs_f64(1.0 / r));
        Pacer { interval, next: std::sync::Mutex::new(Instant::now()) }
    }

    async fn wait(&self) {
        let Some(interval) = self.interval else { return };
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let (slot, after) = next_slot(*next, Instant::now(), interval);
            *next = after;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

impl Sender {
    pub fn new(
        db: Db,
        from: &str,
        smtp_url: Option<&str>,
        outbox_dir: PathBuf,
        renderer: Arc<dyn Renderer>,
        wake: Arc<tokio::sync::Notify>,
        tuning: Tuning,
    ) -> Result<Sender, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("CARRIED_MAIL_FROM: {e}"))?;
        let transport = match smtp_url {
            Some(url) if url.starts_with("smtp://") => {
                let relay = super::smtp::parse_relay(url)?.ok_or("CARRIED_SMTP_URL: not an smtp:// URL")?;
                Transport::Direct(super::smtp::Direct::new(relay, Duration::from_secs(20)))
            }
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("CARRIED_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .pool_config(
                        PoolConfig::new().max_size(tuning.connections.max(1)).idle_timeout(Duration::from_secs(60)),
                    )
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&outbox_dir)
                    .map_err(|e| format!("cannot create {}: {e}", outbox_dir.display()))?;
                Transport::Files(outbox_dir)
            }
        };
        let pacer = Pacer::new(tuning.max_per_second);
        let turn = Arc::new(tokio::sync::Mutex::new(()));
        Ok(Sender { db, from, transport, renderer, wake, tuning, pacer, turn })
    }

    /// Share a send turn: `run` holds it for each round, so whoever else takes it (services/mail_drain.rs)
    /// waits for the round under way to finish and be recorded.
    pub fn with_turn(mut self, turn: Arc<tokio::sync::Mutex<()>>) -> Sender {
        self.turn = turn;
        self
    }

    /// Claim up to `limit` due rows in two statements: pending ones whose time has come, or ones whose
    /// sending lease has expired (a sender died). The `UPDATE … RETURNING` checks the conditions again on
    /// each row it locks, so on PostgreSQL two instances racing for the same rows cannot both win one.
    fn claim(conn: &mut DbConnection, limit: i64, lease_seconds: i64) -> AppResult<Vec<Claimed>> {
        let now = db::now();
        let due: Vec<i64> = mail_outbox::table
            .filter(mail_outbox::status.eq_any([MailStatus::Pending, MailStatus::Sending]))
            .filter(mail_outbox::next_attempt_at.le(now))
            .order(mail_outbox::id.asc())
            .limit(limit)
            .select(mail_outbox::id)
            .load(conn)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let lease = now + chrono::Duration::seconds(lease_seconds);
        type Row = (i64, MailKind, String, String, String, String, Option<i64>, Option<i64>, i32);
        let mut rows: Vec<Row> = diesel::update(
            mail_outbox::table
                .filter(mail_outbox::id.eq_any(&due))
                .filter(mail_outbox::status.eq_any([MailStatus::Pending, MailStatus::Sending]))
                .filter(mail_outbox::next_attempt_at.le(now)),
        )
        .set((mail_outbox::status.eq(MailStatus::Sending), mail_outbox::next_attempt_at.eq(lease)))
        .returning((
            mail_outbox::id,
            mail_outbox::kind,
            mail_outbox::to_addr,
            mail_outbox::to_name,
            mail_outbox::subject,
            mail_outbox::body,
            mail_outbox::ballot_id,
            mail_outbox::roll_id,
            mail_outbox::attempts,
        ))
        .get_results(conn)?;
        rows.sort_by_key(|r| r.0);
        Ok(rows
            .into_iter()
            .map(|r| Claimed {
                id: r.0,
                kind: r.1,
                to_addr: r.2,
                to_name: r.3,
                subject: r.4,
                body: r.5,
                ballot_id: r.6,
                roll_id: r.7,
                attempts: r.8,
            })
            .collect())
    }

    fn build_message(&self, c: &Claimed, body: String) -> Result<Message, String> {
        let to_name = c.to_name.replace(['\r', '\n'], " ");
        let to: Mailbox = format!("{} <{}>", quote_name(&to_name), c.to_addr)
            .parse()
            .or_else(|_| c.to_addr.parse())
            .map_err(|e| format!("bad recipient {}: {e}", c.to_addr))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(c.subject.replace(['\r', '\n'], " "))
            // The same Message-ID on every attempt of a row: a relay or mail client that deduplicates on it
            // shows a message resent after a crash (see docs/reliability.md) only once.
            .message_id(Some(format!("<outbox-{}@carried>", c.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("cannot build message: {e}"))
    }

    async fn deliver(&self, msg: &Message, id: i64) -> Result<(), String> {
        match &self.transport {
            Transport::Direct(d) => d.send(msg).await,
            Transport::Smtp(t) => t.send(msg.clone()).await.map(|_| ()).map_err(|e| format!("SMTP: {e}")),
            Transport::Files(dir) => {
                let path = dir.join(format!("{id:08}.eml"));
                let tmp = dir.join(format!(".{id:08}.eml.tmp"));
                std::fs::write(&tmp, msg.formatted()).map_err(|e| e.to_string())?;
                std::fs::rename(&tmp, &path).map_err(|e| e.to_string())
            }
        }
    }

    /// Claim, render and send one batch; returns (claimed, sent).
    ///
    /// Sends run `connections` at a time over pooled connections, paced by the rate ceiling. Each outcome
    /// goes at once to a status writer that commits whatever has arrived in one transaction (group
    /// commit), so the window in which a message has been accepted by the relay but not yet recorded as
    /// sent is one commit long, not one batch long. While the batch is being sent the writer also renews
    /// the lease on the rows still in flight.
    pub async fn run_once(&self) -> AppResult<(usize, usize)> {
        let limit = claim_size(&self.tuning);
        let lease = self.tuning.lease_seconds;
        let claimed = self.db.write(move |conn| Self::claim(conn, limit, lease)).await?;
        if claimed.is_empty() {
            return Ok((0, 0));
        }
        let n = claimed.len();
        let renderer = self.renderer.clone();
        let (claimed, bodies) = self
            .db
            .run(move |conn| {
                let bodies = {
                    let rows: Vec<BatchRow<'_>> = claimed
                        .iter()
                        .map(|c| BatchRow {
                            kind: c.kind,
                            ballot_id: c.ballot_id,
                            roll_id: c.roll_id,
                            to_addr: &c.to_addr,
                            stored: &c.body,
                        })
                        .collect();
                    renderer.render_batch(conn, &rows)
                };
                Ok((claimed, bodies))
            })
            .await?;
        let prepared: Vec<Prepared> = claimed
            .into_iter()
            .zip(bodies.into_iter().chain(std::iter::repeat_with(|| Err(AppError::internal_msg("not rendered")))))
            .map(|(c, body)| {
                let message = match body {
                    Ok(body) => {
                        let body = body.unwrap_or_else(|| c.body.clone());
                        self.build_message(&c, body)
                    }
                    Err(e) => Err(e.to_string()),
                };
                Prepared { id: c.id, attempts: c.attempts + 1, message }
            })
            .collect();
        let in_flight: HashSet<i64> = prepared.iter().map(|p| p.id).collect();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Outcome>();
        let writer = tokio::spawn(status_writer(self.db.clone(), rx, in_flight, lease));
        futures_util::stream::iter(prepared)
            .for_each_concurrent(self.tuning.connections.max(1) as usize, |p| {
                let tx = tx.clone();
                async move {
                    let result = match &p.message {
                        Ok(msg) => {
                            self.pacer.wait().await;
                            self.deliver(msg, p.id).await
                        }
                        Err(e) => Err(e.clone()),
                    };
                    let _ = tx.send(Outcome { id: p.id, attempts: p.attempts, result });
                }
            })
            .await;
        drop(tx);
        let sent = writer.await.map_err(AppError::internal)??;
        Ok((n, sent))
    }

    /// Run forever: send what is due, then sleep until woken (new mail) or a second passes.
    pub async fn run(self) {
        let full = claim_size(&self.tuning) as usize;
        loop {
            let round = {
                let _turn = self.turn.lock().await;
                self.run_once().await
            };
            let more = match round {
                Ok((claimed, _)) => claimed == full,
                Err(e) => {
                    tracing::warn!(error = %e, "mail sender");
                    false
                }
            };
            if !more {
                let _ = tokio::time::timeout(Duration::from_secs(1), self.wake.notified()).await;
            }
        }
    }
}

/// Record outcomes as they arrive, committing everything waiting in one transaction each time; renew the
/// lease of the rows still in flight every third of a lease. Returns how many were recorded as sent.
async fn status_writer(
    db: Db,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Outcome>,
    mut in_flight: HashSet<i64>,
    lease_seconds: i64,
) -> AppResult<usize> {
    let mut renew = tokio::time::interval(Duration::from_secs((lease_seconds / 3).max(1) as u64));
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    renew.tick().await; // the first tick is immediate; the claim has just set the lease
    let mut sent = 0;
    loop {
        tokio::select! {
            got = rx.recv() => {
                let Some(first) = got else { return Ok(sent) };
                let mut batch = vec![first];
                while let Ok(more) = rx.try_recv() {
                    batch.push(more);
                }
                for o in &batch {
                    in_flight.remove(&o.id);
                }
                sent += batch.iter().filter(|o| o.result.is_ok()).count();
                db.write(move |conn| record_outcomes(conn, &batch)).await?;
            }
            _ = renew.tick() => {
                let ids: Vec<i64> = in_flight.iter().copied().collect();
                if !ids.is_empty() {
                    db.write(move |conn| renew_lease(conn, &ids, lease_seconds)).await?;
                }
            }
        }
    }
}

fn record_outcomes(conn: &mut DbConnection, batch: &[Outcome]) -> AppResult<()> {
    let now = db::now();
    let sent: Vec<i64> = batch.iter().filter(|o| o.result.is_ok()).map(|o| o.id).collect();
    for chunk in sent.chunks(500) {
        diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(chunk)))
            .set((
                mail_outbox::status.eq(MailStatus::Sent),
                // Sent mail keeps no body: one-time links must not outlive their delivery.
                mail_outbox::body.eq(""),
                mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                mail_outbox::sent_at.eq(Some(now)),
                mail_outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
    }
    for o in batch {
        if let Err(e) = &o.result {
            tracing::warn!(outbox_id = o.id, attempts = o.attempts, error = %e, "mail not sent; will retry");
            diesel::update(mail_outbox::table.filter(mail_outbox::id.eq(o.id)))
                .set((
                    mail_outbox::status.eq(MailStatus::Pending),
                    mail_outbox::attempts.eq(o.attempts),
                    mail_outbox::next_attempt_at.eq(now + chrono::Duration::seconds(backoff_seconds(o.attempts))),
                    mail_outbox::last_error.eq(Some(e.chars().take(500).collect::<String>())),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

fn renew_lease(conn: &mut DbConnection, ids: &[i64], lease_seconds: i64) -> AppResult<()> {
    let until = db::now() + chrono::Duration::seconds(lease_seconds);
    for chunk in ids.chunks(500) {
        diesel::update(
            mail_outbox::table
                .filter(mail_outbox::id.eq_any(chunk))
                .filter(mail_outbox::status.eq(MailStatus::Sending)),
        )
        .set(mail_outbox::next_attempt_at.eq(until))
        .execute(conn)?;
    }
    Ok(())
}

fn quote_name(name: &str) -> String {
    format!("\"{}\"", name.replace(['"', '\\'], ""))
}

/// Fail with a clear error if a header value would break the message (never reached for validated input).
pub fn check_header_safe(value: &str, field: &str) -> AppResult<()> {
    if value.contains(['\r', '\n']) {
        return Err(AppError::validation(format!("{field}: must not contain line breaks")));
    }
    Ok(())
}

#[cfg(test)]
#[path = "mail_tests.rs"]
mod tests;
