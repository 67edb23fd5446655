//! The service's scheduled work, one step at a time: open and close the ballots whose times have come,
//! chain the ballot boxes holding enough votes (which queues their voters' confirmations) and send the
//! reminder rounds that have fallen due. A serving instance runs [`run_due`] every second
//! (`startup::start_background`); the tests call it with a chosen time instead of waiting for the tick.
//! Safe with several instances: each step is claimed in a transaction.

use chrono::NaiveDateTime;

use crate::error::AppResult;
use crate::services::{ballots, reminders, AppState};

/// Do the scheduled work that is due at `now`, and return how many things it did (ballots opened, votes
/// chained, reminders queued). When it queued mail it wakes the mail sender.
pub async fn run_due(state: &AppState, now: NaiveDateTime) -> AppResult<usize> {
    let keys = state.tokens.keys().clone();
    let done = state
        .db
        .run(move |c| {
            let (opened, _) = ballots::run_schedule(c, &keys, now)?;
            // Chain full ballot boxes (which queues their voters' confirmations).
            let confirmations = ballots::chain_due(c)?;
            // Scheduled reminder rounds that have fallen due (each claimed once).
            let reminders = reminders::send_due(c, now)?;
            Ok(opened + confirmations + reminders)
        })
        .await?;
    if done > 0 {
        state.mail_wake.notify_one();
    }
    Ok(done)
}
