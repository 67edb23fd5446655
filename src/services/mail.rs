//! Mail: a durable outbox table written in the same transaction as the action that causes the mail, and
//! a sender that delivers it with retries — so nothing is lost if SMTP is down, and a voting code is
//! never stored: invitation bodies are rendered at send time from the code derived for that roll entry.
//!
//! Delivery is by SMTP when `CARRIED_SMTP_URL` is set, otherwise each message is written as an `.eml`
//! file in `<data dir>/outbox/`. Rows are claimed with a lease before sending, so several instances never
//! send the same row at once; a sender that dies mid-send leaves the lease to expire and the row is retried.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::schema::mail_outbox;
use crate::db::{self, Db, DbConnection};
use crate::error::{AppError, AppResult};

/// A message to queue. `body` may be empty for kinds rendered at send time (invitations).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: String,
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
            mail_outbox::kind.eq(&m.kind),
            mail_outbox::to_addr.eq(&m.to_addr),
            mail_outbox::to_name.eq(&m.to_name),
            mail_outbox::subject.eq(&m.subject),
            mail_outbox::body.eq(&m.body),
            mail_outbox::ballot_id.eq(m.ballot_id),
            mail_outbox::roll_id.eq(m.roll_id),
            mail_outbox::status.eq("pending"),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(now),
            mail_outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxStatus {
    pub pending: i64,
    pub sent: i64,
    pub failing: i64,
}

pub fn status(conn: &mut DbConnection, ballot_id: Option<i64>) -> AppResult<OutboxStatus> {
    let rows: Vec<(String, i32)> = match ballot_id {
        Some(b) => mail_outbox::table
            .filter(mail_outbox::ballot_id.eq(b))
            .select((mail_outbox::status, mail_outbox::attempts))
            .load(conn)?,
        None => mail_outbox::table.select((mail_outbox::status, mail_outbox::attempts)).load(conn)?,
    };
    let sent = rows.iter().filter(|(s, _)| s == "sent").count() as i64;
    let failing = rows.iter().filter(|(s, a)| s != "sent" && *a > 0).count() as i64;
    Ok(OutboxStatus { pending: rows.len() as i64 - sent, sent, failing })
}

/// Renders bodies that are made at send time (e.g. an invitation with its voting code).
pub trait Renderer: Send + Sync {
    /// Return the body for a row of this kind, or None to send the stored body as it is.
    fn render(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        ballot_id: Option<i64>,
        roll_id: Option<i64>,
    ) -> AppResult<Option<String>>;

    /// Like [`Renderer::render`], also given the recipient and the stored body (for bodies with a part
    /// filled in at send time, such as a set-password link).
    fn render_message(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        ballot_id: Option<i64>,
        roll_id: Option<i64>,
        _to_addr: &str,
        _stored: &str,
    ) -> AppResult<Option<String>> {
        self.render(conn, kind, ballot_id, roll_id)
    }
}

/// Fills in set-password links at send time (their token is derived from a key outside the database),
/// and hands every other kind to `inner`.
pub struct AccountMail<R> {
    pub inner: R,
    pub link_key: Vec<u8>,
}

impl<R: Renderer> Renderer for AccountMail<R> {
    fn render(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        ballot_id: Option<i64>,
        roll_id: Option<i64>,
    ) -> AppResult<Option<String>> {
        self.inner.render(conn, kind, ballot_id, roll_id)
    }

    fn render_message(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        ballot_id: Option<i64>,
        roll_id: Option<i64>,
        to_addr: &str,
        stored: &str,
    ) -> AppResult<Option<String>> {
        if kind == "set_password" {
            return crate::services::auth::render_link(conn, &self.link_key, to_addr, stored);
        }
        self.inner.render_message(conn, kind, ballot_id, roll_id, to_addr, stored)
    }
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

pub struct Sender {
    db: Db,
    from: Mailbox,
    transport: Transport,
    renderer: Arc<dyn Renderer>,
    wake: Arc<tokio::sync::Notify>,
}

struct Claimed {
    id: i64,
    kind: String,
    to_addr: String,
    to_name: String,
    subject: String,
    body: String,
    ballot_id: Option<i64>,
    roll_id: Option<i64>,
    attempts: i32,
}

const LEASE_SECONDS: i64 = 120;
const BATCH: i64 = 100;

fn backoff_seconds(attempts: i32) -> i64 {
    (1i64 << attempts.clamp(0, 8)).min(300)
}

impl Sender {
    pub fn new(
        db: Db,
        from: &str,
        smtp_url: Option<&str>,
        outbox_dir: PathBuf,
        renderer: Arc<dyn Renderer>,
        wake: Arc<tokio::sync::Notify>,
    ) -> Result<Sender, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("CARRIED_MAIL_FROM: {e}"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("CARRIED_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&outbox_dir)
                    .map_err(|e| format!("cannot create {}: {e}", outbox_dir.display()))?;
                Transport::Files(outbox_dir)
            }
        };
        Ok(Sender { db, from, transport, renderer, wake })
    }

    /// Claim due rows: pending ones whose time has come, or ones whose sending lease has expired.
    fn claim(conn: &mut DbConnection) -> AppResult<Vec<Claimed>> {
        let now = db::now();
        let due: Vec<i64> = mail_outbox::table
            .filter(mail_outbox::status.eq_any(["pending", "sending"]))
            .filter(mail_outbox::next_attempt_at.le(now))
            .order(mail_outbox::id.asc())
            .limit(BATCH)
            .select(mail_outbox::id)
            .load(conn)?;
        let lease = now + chrono::Duration::seconds(LEASE_SECONDS);
        let mut claimed = Vec::new();
        for id in due {
            let won = diesel::update(
                mail_outbox::table
                    .filter(mail_outbox::id.eq(id))
                    .filter(mail_outbox::status.eq_any(["pending", "sending"]))
                    .filter(mail_outbox::next_attempt_at.le(now)),
            )
            .set((mail_outbox::status.eq("sending"), mail_outbox::next_attempt_at.eq(lease)))
            .execute(conn)?;
            if won == 1 {
                let r: (i64, String, String, String, String, String, Option<i64>, Option<i64>, i32) =
                    mail_outbox::table
                        .filter(mail_outbox::id.eq(id))
                        .select((
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
                        .first(conn)?;
                claimed.push(Claimed {
                    id: r.0,
                    kind: r.1,
                    to_addr: r.2,
                    to_name: r.3,
                    subject: r.4,
                    body: r.5,
                    ballot_id: r.6,
                    roll_id: r.7,
                    attempts: r.8,
                });
            }
        }
        Ok(claimed)
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
            .message_id(Some(format!("<outbox-{}@carried>", c.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("cannot build message: {e}"))
    }

    async fn deliver(&self, msg: Message, id: i64) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(t) => t.send(msg).await.map(|_| ()).map_err(|e| format!("SMTP: {e}")),
            Transport::Files(dir) => {
                let path = dir.join(format!("{id:08}.eml"));
                let tmp = dir.join(format!(".{id:08}.eml.tmp"));
                std::fs::write(&tmp, msg.formatted()).map_err(|e| e.to_string())?;
                std::fs::rename(&tmp, &path).map_err(|e| e.to_string())
            }
        }
    }

    /// Send everything due once; returns how many were sent.
    pub async fn run_once(&self) -> AppResult<usize> {
        let claimed = self.db.write(Self::claim).await?;
        let mut sent = 0;
        for c in claimed {
            let renderer = self.renderer.clone();
            let (kind, ballot_id, roll_id) = (c.kind.clone(), c.ballot_id, c.roll_id);
            let (to_addr, stored) = (c.to_addr.clone(), c.body.clone());
            let rendered = self
                .db
                .run(move |conn| renderer.render_message(conn, &kind, ballot_id, roll_id, &to_addr, &stored))
                .await;
            let result = match rendered {
                Ok(body) => {
                    let body = body.unwrap_or_else(|| c.body.clone());
                    match self.build_message(&c, body) {
                        Ok(msg) => self.deliver(msg, c.id).await,
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e.to_string()),
            };
            let id = c.id;
            let attempts = c.attempts + 1;
            match result {
                Ok(()) => {
                    sent += 1;
                    self.db
                        .run(move |conn| {
                            diesel::update(mail_outbox::table.filter(mail_outbox::id.eq(id)))
                                .set((
                                    mail_outbox::status.eq("sent"),
                                    // Sent mail keeps no body: one-time links must not outlive their delivery.
                                    mail_outbox::body.eq(""),
                                    mail_outbox::attempts.eq(attempts),
                                    mail_outbox::sent_at.eq(Some(db::now())),
                                    mail_outbox::last_error.eq(None::<String>),
                                ))
                                .execute(conn)?;
                            Ok(())
                        })
                        .await?;
                }
                Err(e) => {
                    tracing::warn!(outbox_id = id, attempts, error = %e, "mail not sent; will retry");
                    self.db
                        .run(move |conn| {
                            diesel::update(mail_outbox::table.filter(mail_outbox::id.eq(id)))
                                .set((
                                    mail_outbox::status.eq("pending"),
                                    mail_outbox::attempts.eq(attempts),
                                    mail_outbox::next_attempt_at
                                        .eq(db::now() + chrono::Duration::seconds(backoff_seconds(attempts))),
                                    mail_outbox::last_error.eq(Some(e.chars().take(500).collect::<String>())),
                                ))
                                .execute(conn)?;
                            Ok(())
                        })
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    /// Run forever: send what is due, then sleep until woken (new mail) or a second passes.
    pub async fn run(self) {
        loop {
            let more = match self.run_once().await {
                Ok(n) => n as i64 == BATCH,
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
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_seconds(1), 2);
        assert_eq!(backoff_seconds(3), 8);
        assert_eq!(backoff_seconds(50), 256);
        assert!(backoff_seconds(8) <= 300);
    }

    #[test]
    fn names_cannot_break_headers() {
        assert_eq!(quote_name("Dr \"X\" \\ Y"), "\"Dr X  Y\"");
        assert!(check_header_safe("a\r\nBcc: x", "name").is_err());
    }
}
