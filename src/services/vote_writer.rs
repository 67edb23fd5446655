//! Group commit for ballot casting. Votes queue to one writer thread, which takes every vote waiting
//! (up to a batch), casts them inside one write transaction (`ballots::cast_batch`), commits once
//! (durably), and only then answers each voter. A refused vote (already voted, bad answers) is checked
//! before it writes anything; if the commit itself fails, every vote in the batch is answered with an
//! error and none is acknowledged. The chain stays serialised: one transaction at a time appends to it.

use std::sync::mpsc;

use serde_json::Value;
use tokio::sync::oneshot;

use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::services::auth::{Keys, User};
use crate::services::ballots::{self, Receipt, Voter};

/// Most votes committed together.
pub const MAX_BATCH: usize = 256;

pub enum VoterId {
    Code(String),
    Member(User),
}

struct Request {
    ballot_id: i64,
    voter: VoterId,
    answers: Vec<Value>,
    /// An end-to-end ballot, already checked (`services::e2e::check_cast`); then `voter` and `answers` are unused.
    e2e: Option<Box<crate::services::e2e::CheckedBallot>>,
    reply: oneshot::Sender<AppResult<Receipt>>,
}

#[derive(Clone)]
pub struct VoteWriter {
    queue: mpsc::SyncSender<Request>,
}

impl VoteWriter {
    /// Start the writer thread.
    pub fn start(db: Db, keys: Keys) -> Result<VoteWriter, String> {
        let (queue, rx) = mpsc::sync_channel::<Request>(MAX_BATCH * 16);
        std::thread::Builder::new()
            .name("carried-votes".into())
            .spawn(move || run(db, keys, rx))
            .map_err(|e| format!("cannot start the vote writer: {e}"))?;
        Ok(VoteWriter { queue })
    }

    /// Cast a ballot; resolves once it is durably committed (or refused).
    pub async fn cast(&self, ballot_id: i64, voter: VoterId, answers: Vec<Value>) -> AppResult<Receipt> {
        self.send(Request { ballot_id, voter, answers, e2e: None, reply: oneshot::channel().0 }).await
    }

    /// Cast a checked end-to-end ballot in the same group commit; resolves once durably committed (or refused).
    pub async fn cast_e2e(&self, ballot: crate::services::e2e::CheckedBallot) -> AppResult<Receipt> {
        let voter = VoterId::Code(String::new());
        self.send(Request {
            ballot_id: ballot.ballot_id,
            voter,
            answers: Vec::new(),
            e2e: Some(Box::new(ballot)),
            reply: oneshot::channel().0,
        })
        .await
    }

    async fn send(&self, mut request: Request) -> AppResult<Receipt> {
        let (reply, answer) = oneshot::channel();
        request.reply = reply;
        let queue = self.queue.clone();
        // A full queue blocks the sender: do that on the blocking pool, not an async worker.
        actix_web::web::block(move || queue.send(request).map_err(|_| ()))
            .await
            .map_err(AppError::internal)?
            .map_err(|_| AppError::internal_msg("the vote writer has stopped"))?;
        answer.await.map_err(|_| AppError::internal_msg("the vote writer dropped a vote unanswered"))?
    }
}

fn run(db: Db, keys: Keys, rx: mpsc::Receiver<Request>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let results = commit_batch(&db, &keys, &batch);
        for (req, result) in batch.into_iter().zip(results) {
            let _ = req.reply.send(result);
        }
    }
}

fn commit_batch(db: &Db, keys: &Keys, batch: &[Request]) -> Vec<AppResult<Receipt>> {
    let mut conn = match db.get() {
        Ok(c) => c,
        Err(e) => {
            return batch
                .iter()
                .map(|_| {
                    Err(AppError {
                        code: e.code,
                        detail: e.detail.clone(),
                        retry_after: e.retry_after,
                        cause: None,
                        allow: None,
                    })
                })
                .collect()
        }
    };
    let votes: Vec<(i64, Voter<'_>, &[Value])> = batch
        .iter()
        .filter(|r| r.e2e.is_none())
        .map(|r| {
            let voter = match &r.voter {
                VoterId::Code(code) => Voter::Code(code),
                VoterId::Member(user) => Voter::Member(user),
            };
            (r.ballot_id, voter, r.answers.as_slice())
        })
        .collect();
    let encrypted: Vec<&crate::services::e2e::CheckedBallot> = batch.iter().filter_map(|r| r.e2e.as_deref()).collect();
    let mut results = Vec::new();
    let mut e2e_results = Vec::new();
    let committed = db::write_tx(&mut conn, |c| {
        results = if votes.is_empty() { Vec::new() } else { ballots::cast_batch(c, keys, &votes) };
        if !encrypted.is_empty() {
            e2e_results = crate::services::e2e::cast_batch(c, &encrypted)?;
        }
        Ok(())
    });
    match committed {
        Ok(()) => {
            // Back in the batch's order.
            let (mut plain, mut e2e) = (results.into_iter(), e2e_results.into_iter());
            batch
                .iter()
                .map(|r| {
                    let next = if r.e2e.is_some() { e2e.next() } else { plain.next() };
                    next.unwrap_or_else(|| Err(AppError::internal_msg("vote not processed")))
                })
                .collect()
        }
        Err(e) => {
            tracing::error!(error = %e, votes = batch.len(), "a batch of votes did not commit; none is acknowledged");
            batch
                .iter()
                .map(|_| {
                    Err(AppError {
                        code: crate::error::ErrorCode::DatabaseBusy,
                        detail: "your vote was not recorded: the database did not commit; please try again".into(),
                        retry_after: Some(1),
                        cause: None,
                        allow: None,
                    })
                })
                .collect()
        }
    }
}
