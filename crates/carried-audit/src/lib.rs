//! carried-audit (tier 1): the hash-chained ballot record, its signature, the audit log chain, and the
//! verifiers. The `carried` service re-exports this crate as `carried::audit`.
//!
//! This crate is what an auditor reads. It depends only on `serde`, `serde_json`, `sha2`,
//! `ed25519-dalek`, `hex` and `thiserror` (Cargo.toml says so, and Cargo holds it to that: nothing of
//! the web or the database can be imported here), does no I/O and uses no randomness. The format is
//! specified in `docs/audit.md`.
//!
//! - [`canonical`]: the canonical JSON bytes that are hashed and signed;
//! - [`strict`]: reading a record's text strictly (no duplicate keys, canonical integers);
//! - [`chain`]: genesis, entry hashing, checkpoints, and the audit log chain;
//! - [`record`]: the published record (v1), the tally, signing;
//! - [`v2`]: record format v2: commitments, roll and has-voted tags in Merkle trees, signed checkpoints;
//! - [`verify`]: the v1 verifier and the audit log's, and the entry point for either format;
//! - [`stream`]: the one-pass v2 verifier;
//! - [`error`] and [`report`]: what a verifier says, wrong or right;
//! - [`sign`]: ed25519 key and signature helpers;
//! - [`typed`]: codes and receipts as people type them (one rule for both).
//!
//! Module imports form no loop: each module uses only modules before it in this order (the test in
//! `layers.rs` holds the code to it): `canonical`, `strict`, `typed`, `chain`, `sign`, `record`, `v2`,
//! `error`, `report`, `checks`, `stream`, `verify`.
//!
//! [`QuestionKind`] and [`Checkpoint`] are the record format's own words (docs/audit.md). The service has
//! its own question kind (`ballot::QuestionKind`, what an officer defines, which converts with
//! `to_audit`) and its own checkpoint answer (the API's, with a signature); outside this crate these two
//! are never imported bare (`audit::Checkpoint`; `QuestionKind as AuditKind`).

pub mod canonical;
pub mod chain;
mod checks;
pub mod error;
pub mod record;
pub mod report;
pub mod sign;
pub mod stream;
pub mod strict;
pub mod typed;
pub mod v2;
pub mod verify;

#[cfg(test)]
mod cases;
#[cfg(test)]
mod layers;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_v2;

pub use canonical::{canonical_json, CanonicalError};
pub use chain::{
    append, append_log, entry_hash, entry_hash_parts, genesis, hash_from_hex, log_genesis, to_hex, Checkpoint,
    CheckpointParseError, Entry, EntryContent, Hash, LogEntry, LOG_DOMAIN, RECORD_DOMAIN,
};
pub use checks::{normalise_receipt, trim_ascii_ws};
pub use error::VerifyError;
pub use record::{
    build_record, check_answer, parse_questions, results_sha256, sign_record, signing_bytes, tally, Publication,
    Question, QuestionCounts, QuestionKind, Record, RecordError, RecordParts, Results, Signature, Signoff,
};
pub use report::{CodeCheck, Report};
pub use sign::{key_from_hex, key_from_seed, key_to_hex, public_key_hex, sign_hex, verify_signature, SignError};
pub use strict::StrictError;
pub use typed::normalise_typed;
pub use verify::{verify, verify_log, verify_log_after, verify_text, verify_with};
