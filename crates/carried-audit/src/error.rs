//! `VerifyError`: the first thing wrong with a record or an audit log, said precisely. Every verifier in
//! this crate (v1 in `verify`, v2 in `stream`, the audit log) reports through it; docs/audit.md lists
//! the messages.

use thiserror::Error;

use crate::canonical::CanonicalError;
use crate::chain::Checkpoint;
use crate::sign::SignError;
use crate::strict::StrictError;

fn previous(index: &usize) -> String {
    if *index <= 1 {
        "the genesis hash".to_string()
    } else {
        format!("the hash of entry {}", index - 1)
    }
}

/// The first thing wrong with a record (or an audit log), said precisely.
/// Entries are numbered from 1 in the order they appear in the record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error(transparent)]
    Strict(#[from] StrictError),
    #[error("the record is not a JSON object")]
    NotAnObject,
    /// Internal: a v2 record's members are not in the order of section 17, so it is read whole.
    #[error("the record's members are not in the order of docs/audit.md section 17")]
    MembersReordered,
    #[error("format is {found}, expected \"carried/ballot-record/v1\" or \"carried/ballot-record/v2\"")]
    Format { found: String },
    #[error("the record is malformed: {0}")]
    Malformed(String),
    #[error("entry {index} is malformed: {problem}")]
    EntryMalformed { index: usize, problem: String },
    #[error("genesis cannot be computed: the ballot definition contains {0}")]
    GenesisNotCanonical(CanonicalError),
    #[error("genesis does not commit to this ballot definition and eligible = {eligible} (computed {computed}, recorded {recorded})")]
    Genesis { eligible: u64, computed: String, recorded: String },
    #[error("publication is {record} but the ballot definition committed to {definition}")]
    PublicationMismatch { record: String, definition: String },
    #[error("entry {index}: seq is {found}, expected {index} (an entry was dropped or reordered)")]
    EntrySeq { index: usize, found: u64 },
    #[error("entry {index}: prev does not equal {}", previous(.index))]
    EntryPrev { index: usize },
    #[error("entry {index} (seq {index}): {field} is missing, but the publication is full")]
    EntryMissing { index: usize, field: &'static str },
    #[error("entry {index} (seq {index}): {field} is present, but the publication is receipts_only")]
    EntryUnexpected { index: usize, field: &'static str },
    #[error("entry {index} (seq {index}): nonce is not 64 lowercase hex digits")]
    EntryNonce { index: usize },
    #[error("entry {index} (seq {index}): receipt is empty")]
    EntryReceiptEmpty { index: usize },
    #[error("entry {index} (seq {index}): receipt {receipt} is also the receipt of entry {first}")]
    DuplicateReceipt { index: usize, receipt: String, first: usize },
    #[error("entry {index} (seq {index}): commitment is not 64 lowercase hex digits")]
    EntryCommitmentFormat { index: usize },
    #[error("entry {index} (seq {index}): commitment does not match its answers and nonce (computed {computed}, recorded {recorded})")]
    EntryCommitment { index: usize, computed: String, recorded: String },
    #[error("{list} is not in strictly increasing order at position {position} (a tag is repeated or out of order)")]
    TagsOrder { list: String, position: usize },
    #[error("the roll has {tags} tags but eligible is {eligible}")]
    RollSize { tags: usize, eligible: u64 },
    #[error("roll_root {recorded} is not the Merkle root of the roll ({computed})")]
    RollRoot { computed: String, recorded: String },
    #[error("{tags} has-voted tags for {entries} entries (there must be one per counted ballot)")]
    VotedCount { tags: usize, entries: usize },
    #[error("has-voted tag {position} is not on the roll")]
    VotedNotOnRoll { position: usize },
    #[error("voted_root {recorded} is not the Merkle root of the has-voted tags ({computed})")]
    VotedRoot { computed: String, recorded: String },
    #[error("checkpoint {checkpoint} is not signed by the service: {problem}")]
    CheckpointSignature { checkpoint: Checkpoint, problem: String },
    #[error("entry {index} (seq {index}): hash is not 64 lowercase hex digits")]
    EntryHashFormat { index: usize },
    #[error("entry {index} (seq {index}): contents cannot be hashed: {source}")]
    EntryNotCanonical { index: usize, source: CanonicalError },
    #[error(
        "entry {index} (seq {index}): hash does not match its contents (computed {computed}, recorded {recorded})"
    )]
    EntryHash { index: usize, computed: String, recorded: String },
    #[error("head {recorded} is not the hash of the last entry ({expected})")]
    Head { recorded: String, expected: String },
    #[error("head {recorded} is not the genesis hash ({expected}), and the record has no entries")]
    HeadEmpty { recorded: String, expected: String },
    #[error("count {count} does not match {entries} entries")]
    Count { count: u64, entries: usize },
    #[error("entries ({entries}) exceed has-voted markers ({markers})")]
    EntriesExceedMarkers { entries: usize, markers: u64 },
    #[error("markers ({markers}) exceed eligible ({eligible})")]
    MarkersExceedEligible { markers: u64, eligible: u64 },
    #[error("the ballot definition cannot be read: {0}")]
    Questions(String),
    #[error("entry {index} (seq {index}): answers is not a list of {expected} answers (one per question)")]
    AnswersNotList { index: usize, expected: usize },
    #[error("entry {index} (seq {index}): {found} answers for {expected} questions")]
    AnswerCount { index: usize, found: usize, expected: usize },
    #[error("answer to question {question} in entry {index} {problem}")]
    Answer { index: usize, question: usize, problem: String },
    #[error("results do not fit the ballot's questions: {0}")]
    ResultsShape(String),
    #[error("results do not match a recount: votes_cast recorded {recorded}, recounted {recounted}")]
    RecountVotesCast { recorded: u64, recounted: u64 },
    #[error("results do not match a recount: question {question} option {option:?}: recorded {recorded}, recounted {recounted}")]
    RecountOption { question: usize, option: String, recorded: u64, recounted: u64 },
    #[error("results are inconsistent: {0}")]
    ResultsInconsistent(String),
    #[error("scrutineer sign-off does not match the results (signed off {recorded}, the results hash to {computed})")]
    Signoff { recorded: String, computed: String },
    #[error("the record is not signed")]
    Unsigned,
    #[error("signature algorithm is {0:?}, expected \"ed25519\"")]
    SignatureAlgorithm(String),
    #[error(transparent)]
    Signature(SignError),
    #[error("public key {public_key} is not the trusted key {trusted}")]
    UntrustedKey { public_key: String, trusted: String },
    #[error("checkpoint {checkpoint} is not a prefix of this record: entry {} has hash {hash}", .checkpoint.count)]
    CheckpointNotPrefix { checkpoint: Checkpoint, hash: String },
    #[error("checkpoint {checkpoint} is not a prefix of this record: its genesis is {genesis}")]
    CheckpointGenesis { checkpoint: Checkpoint, genesis: String },
    #[error("checkpoint {checkpoint} claims {} entries but the record has {entries} (history was truncated after a checkpoint)", .checkpoint.count)]
    CheckpointTruncated { checkpoint: Checkpoint, entries: usize },
    #[error("receipt {0} is not in the record")]
    ReceiptNotFound(String),
    #[error("audit log entry {index}: seq is {found}, expected {index} (an entry was dropped or reordered)")]
    LogSeq { index: usize, found: u64 },
    #[error("audit log entry {index}: prev does not equal {}", previous(.index).replace("genesis hash", "audit log genesis"))]
    LogPrev { index: usize },
    #[error("audit log entry {index}: contents cannot be hashed: {source}")]
    LogNotCanonical { index: usize, source: CanonicalError },
    #[error("audit log entry {index}: hash does not match its contents (computed {computed}, recorded {recorded})")]
    LogHash { index: usize, computed: String, recorded: String },
}
