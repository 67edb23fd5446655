//! `Report`: what a successful verification established and what it could not, and how it is printed.

use std::fmt;

use serde::Serialize;

use crate::record::{Publication, Question, Results, Signoff};

/// What a successful verification established, and what it could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Number of entries.
    pub entries: u64,
    pub eligible: u64,
    pub markers: u64,
    pub genesis: String,
    pub head: String,
    pub publication: Publication,
    /// The ballot's `title`, when its definition has one.
    pub title: Option<String>,
    pub questions: Vec<Question>,
    /// The recorded results (equal to the recount for full records).
    pub results: Results,
    /// True when the results were recounted from the entries.
    pub recounted: bool,
    pub public_key: String,
    /// True when the public key was compared with a trusted key and matched.
    pub trusted_key: bool,
    pub scrutineer_signoff: Option<Signoff>,
    /// Each receipt asked about, with the seq of its entry.
    pub receipts_found: Vec<(String, u64)>,
    pub checkpoints_confirmed: usize,
    /// What this verification could not establish.
    pub limitations: Vec<String>,
    /// Things that are allowed but deserve attention.
    pub warnings: Vec<String>,
    /// Record format version: 1 or 2.
    pub version: u8,
    /// v2: the Merkle root of the roll's tags.
    pub roll_root: Option<String>,
    /// v2: the record's digest, which a later record names in `supersedes`.
    pub record_id: Option<String>,
    /// v2: the digest of the record this one replaces.
    pub supersedes: Option<String>,
    /// v2: each voting code asked about, with its tag and where it was found.
    pub codes: Vec<CodeCheck>,
}

/// What a voting code's tag says about its voter (v2 records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCheck {
    pub code: String,
    pub tag: String,
    /// The tag is on the frozen roll.
    pub on_roll: bool,
    /// The tag is among the has-voted tags: a ballot was counted with this code.
    pub voted: bool,
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_string()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "The record verifies.")?;
        if let Some(title) = &self.title {
            writeln!(f, "Ballot: {title}")?;
        }
        writeln!(f, "Publication: {}", self.publication.as_str())?;
        writeln!(
            f,
            "Eligible: {}; has-voted markers: {}; entries: {}; turnout {}",
            self.eligible,
            self.markers,
            self.entries,
            percent(self.entries, self.eligible)
        )?;
        writeln!(f, "Genesis: {}", self.genesis)?;
        writeln!(f, "Final checkpoint: {}:{}", self.entries, self.head)?;
        writeln!(
            f,
            "Signed with ed25519 public key {}{}",
            self.public_key,
            if self.trusted_key { " (the trusted key)" } else { " (not compared with a trusted key)" }
        )?;
        match &self.scrutineer_signoff {
            Some(s) => writeln!(f, "Scrutineer sign-off: {} at {}: {}", s.by, s.at, s.statement)?,
            None => writeln!(f, "Scrutineer sign-off: none")?,
        }
        writeln!(
            f,
            "Results ({}), {} votes cast:",
            if self.recounted { "recounted from the entries" } else { "as signed; not recountable" },
            self.results.votes_cast
        )?;
        for (i, (q, c)) in self.questions.iter().zip(&self.results.questions).enumerate() {
            writeln!(f, "  {}. {} [{}]", i + 1, q.text, q.kind.as_str())?;
            for k in q.count_keys() {
                let v = c.counts.get(k).copied().unwrap_or(0);
                writeln!(f, "     {k}: {v} ({} of votes cast)", percent(v, self.results.votes_cast))?;
            }
        }
        if let Some(root) = &self.roll_root {
            writeln!(f, "Roll: {} tags, Merkle root {root}; has-voted tags: {}", self.eligible, self.markers)?;
        }
        if let Some(id) = &self.record_id {
            writeln!(f, "Record id (the digest signed): {id}")?;
        }
        if let Some(old) = &self.supersedes {
            writeln!(f, "This record supersedes record {old}")?;
        }
        for c in &self.codes {
            let said = match (c.on_roll, c.voted) {
                (true, true) => {
                    "your tag is on the roll and among the has-voted tags: a ballot was counted with your code"
                }
                (true, false) => {
                    "your tag is on the roll and absent from the has-voted tags: no ballot was counted with your code"
                }
                (false, _) => "your tag is NOT on the roll: check the code; if it is right, tell the scrutineer",
            };
            writeln!(f, "Code {}: tag {}: {said}", c.code, c.tag)?;
        }
        if self.checkpoints_confirmed > 0 {
            writeln!(f, "Checkpoints confirmed as prefixes: {}", self.checkpoints_confirmed)?;
        }
        for (r, seq) in &self.receipts_found {
            writeln!(f, "Receipt {r} found: entry {seq}")?;
        }
        if !self.warnings.is_empty() {
            writeln!(f, "Warnings:")?;
            for w in &self.warnings {
                writeln!(f, "  - {w}")?;
            }
        }
        if !self.limitations.is_empty() {
            writeln!(f, "Limitations:")?;
            for l in &self.limitations {
                writeln!(f, "  - {l}")?;
            }
        }
        Ok(())
    }
}
