//! End-to-end verifiable ballots compatible with Belenios 2.0 (protocol version 1, finite-field groups).
//!
//! Pure: no web, no database. The service, the `carried` command and the tests use it to make and check
//! ballots, trustee keys, partial decryptions and `.bel` election records that `belenios-tool` 2.0 accepts.
//! See docs/e2e.md.

pub mod archive;
pub mod batch;
pub mod credential;
pub mod election;
mod fastcheck;
pub mod formats;
pub mod group;
pub mod mont;
pub mod pedersen;
pub mod trustee;
pub mod verify;

pub use archive::{EventData, Record};
pub use election::{choices_from_answers, tracker, ElectionCtx};
/// The big-integer library, for callers that hold keys and group elements.
pub use rug;
pub use verify::{verify_bel, Report};

/// A refusal, naming what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Error(pub String);
