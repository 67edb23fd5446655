//! Audit (tier 1): the hash-chained ballot record, its signature, and the verifier.
//!
//! This crate (`carried-audit`, re-exported by the service as `carried::audit`) is what an auditor
//! reads. It depends only on `serde`, `serde_json`, `sha2`, `ed25519-dalek`, `hex` and `thiserror`,
//! does no I/O and uses no randomness. The format is specified in `docs/audit.md`.
//!
//! - [`canonical`]: the canonical JSON bytes that are hashed and signed;
//! - [`chain`]: genesis, entry hashing, checkpoints, and the audit log chain;
//! - [`record`]: the published record, the tally, signing;
//! - [`verify`]: the verifier, which names the first thing wrong;
//! - [`sign`]: ed25519 key and signature helpers;
//! - [`typed`]: codes and receipts as people type them (one rule for both).

pub mod canonical;
pub mod chain;
pub mod record;
pub mod sign;
pub mod stream;
pub mod strict;
pub mod typed;
pub mod v2;
pub mod verify;

#[cfg(test)]
mod cases;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_v2;

pub use canonical::{canonical_json, CanonicalError};
pub use chain::{
    append, append_log, entry_hash, entry_hash_parts, genesis, hash_from_hex, log_genesis, to_hex, verify_log,
    verify_log_after, Checkpoint, CheckpointParseError, Entry, EntryContent, Hash, LogEntry, LOG_DOMAIN, RECORD_DOMAIN,
};
pub use record::{
    build_record, check_answer, parse_questions, results_sha256, sign_record, signing_bytes, tally, Publication,
    Question, QuestionCounts, QuestionKind, Record, RecordError, RecordParts, Results, Signature, Signoff,
};
pub use sign::{key_from_hex, key_from_seed, key_to_hex, public_key_hex, sign_hex, verify_signature, SignError};
pub use strict::StrictError;
pub use typed::normalise_typed;
pub use verify::{normalise_receipt, trim_ascii_ws, verify, verify_text, verify_with, CodeCheck, Report, VerifyError};
