//! Group commit for ballot casting. Votes queue to one writer thread, which takes every vote waiting
//! (up to a batch), casts each in its own savepoint inside one write transaction, commits once (durably),
//! and only then answers each voter. A vote that fails (already voted, bad answers) rolls back only its
//! savepoint; if the commit itself fails, every vote in the batch is answered with an error and none is
//! acknowledged. The chain stays serialised: one transaction at a time appends to it.

use std::sync::mpsc;

use diesel::Connection;
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
        let (reply, answer) = oneshot::channel();
        let queue = self.queue.clone();
        let request = Request { ballot_id, voter, answers, reply };
        // A full queue blocks the sender: do that on the blocking pool, not an async worker.
        actix_web::web::block(move || queue.send(request))
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
    let mut results: Vec<Option<AppResult<Receipt>>> = batch.iter().map(|_| None).collect();
    let committed = db::write_tx(&mut conn, |c| {
        for (req, slot) in batch.iter().zip(results.iter_mut()) {
            let voter = match &req.voter {
                VoterId::Code(code) => Voter::Code(code),
                VoterId::Member(user) => Voter::Member(user),
            };
            // Each vote in its own savepoint: a refused vote rolls back alone.
            let r = c.transaction(|c| ballots::cast_in_tx(c, keys, req.ballot_id, voter, &req.answers));
            *slot = Some(r);
        }
        Ok(())
    });
    match committed {
        Ok(()) => results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(AppError::internal_msg("vote not processed"))))
            .collect(),
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
