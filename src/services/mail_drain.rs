//! The instance's mail sender, and a way to send everything queued now and know it has gone.
//!
//! A serving instance runs the sender in the background (`Sender::run`), which sends what is due, then
//! sleeps until woken. A caller that must know the mail has left (the test harness, which reads the file
//! outbox next) calls [`send_pending`] instead of waiting for the background sender to get round to it:
//! it takes the instance's send turn (`AppState::mail_turn`), so a round the background sender has under
//! way finishes and is recorded first, then sends every due message until none is left.

use std::sync::Arc;

use crate::error::AppResult;
use crate::services::mail::{AccountMail, Renderer, Sender, Tuning};
use crate::services::{ballots, e2e, AppState};

/// The sender this instance's settings describe: its relay (or file outbox), its renderers for the
/// bodies made at send time, and the instance's send turn.
pub fn sender(state: &AppState) -> Result<Sender, String> {
    let s = &state.settings;
    let keys = state.tokens.keys();
    let renderer: Arc<dyn Renderer> = Arc::new(AccountMail {
        inner: e2e::E2eMail {
            inner: ballots::BallotMail { code_key: keys.code_key.clone(), public_url: s.public_url.clone() },
            code_key: keys.code_key.clone(),
            public_url: s.public_url.clone(),
        },
        link_key: keys.link_key(),
    });
    let tuning = Tuning {
        connections: s.smtp_connections,
        max_per_second: s.smtp_max_per_second,
        lease_seconds: s.mail_lease_seconds,
    };
    Ok(Sender::new(
        state.db.clone(),
        &s.mail_from,
        s.smtp_url.as_deref(),
        s.outbox_dir(),
        renderer,
        state.mail_wake.clone(),
        tuning,
    )?
    .with_turn(state.mail_turn.clone()))
}

/// Send every message that is due now, and return how many were sent. When it returns, each of them has
/// been handed to the relay (or written to the outbox) and recorded; a message that failed waits for its
/// retry time as it would in the background, and is not tried again here.
pub async fn send_pending(state: &AppState) -> AppResult<usize> {
    let sender = sender(state).map_err(crate::error::AppError::internal_msg)?;
    let _turn = state.mail_turn.lock().await;
    let mut sent = 0;
    loop {
        let (claimed, n) = sender.run_once().await?;
        sent += n;
        if claimed == 0 {
            return Ok(sent);
        }
    }
}
