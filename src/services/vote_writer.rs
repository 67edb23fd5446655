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
    let votes: Vec<(i64, Voter<'_>, &[Value])> = batch
        .iter()
        .map(|r| {
            let voter = match &r.voter {
                VoterId::Code(code) => Voter::Code(code),
                VoterId::Member(user) => Voter::Member(user),
            };
            (r.ballot_id, voter, r.answers.as_slice())
        })
        .collect();
    let mut results = Vec::new();
    let committed = db::write_tx(&mut conn, |c| {
        results = ballots::cast_batch(c, keys, &votes);
        Ok(())
    });
    match committed {
        Ok(()) => results,
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
