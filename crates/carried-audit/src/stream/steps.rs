//! The steps of docs/audit.md section 18 that follow the reading: once `verify_v2` has read the text
//! (each entry checked, hashed and counted as it went by, the roll and has-voted tags hashed into their
//! roots), `finish` checks the small members and then steps 1 to 12 in order, and builds the report.

use serde_json::{Map, Value};

use super::{malformed, Chain, Inputs, Problems, Tags};
use crate::canonical::canonical_json;
use crate::chain::{hash_from_hex, sha256, to_hex, Checkpoint, Hash};
use crate::checks::{check_consistency_of, check_results_shape_of, normalise_receipt, trim_ascii_ws};
use crate::error::VerifyError;
use crate::record::{parse_questions, results_sha256, Publication, Results, Signature, Signoff};
use crate::report::{CodeCheck, Report};
use crate::sign::verify_signature;
use crate::v2::{checkpoint_message, genesis_v2, record_signature_message, voter_tag, NOT_DIGESTED};

fn hex_member(v: &Value, name: &str, p: &mut Problems) -> Option<Hash> {
    let h = v.as_str().and_then(hash_from_hex);
    if h.is_none() {
        p.add(1, malformed(format!("`{name}` is not 64 lowercase hex digits")));
    }
    h
}

fn uint_member(v: &Value, name: &str, p: &mut Problems) -> Option<u64> {
    let n = v.as_u64();
    if n.is_none() {
        p.add(1, malformed(format!("`{name}` is not a whole number")));
    }
    n
}

#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    header: Map<String, Value>,
    chain: Option<Chain>,
    roll: Option<Tags>,
    voted: Option<Tags>,
    questions_error: Option<String>,
    inputs: &Inputs<'_>,
    mut p: Problems,
) -> Result<Report, VerifyError> {
    let (Some(chain), Some(roll), Some(voted)) = (chain, roll, voted) else {
        return Err(malformed("entries, roll or voted could not be read"));
    };
    let get = |k: &str| header.get(k).unwrap_or(&Value::Null);
    // 1. Types of the small members.
    let ballot = get("ballot");
    if !ballot.is_object() {
        p.add(1, malformed("`ballot` is not an object"));
    }
    let eligible = uint_member(get("eligible"), "eligible", &mut p);
    let roll_root = hex_member(get("roll_root"), "roll_root", &mut p);
    let publication = match get("publication").as_str() {
        Some("full") => Some(Publication::Full),
        Some("receipts_only") => Some(Publication::ReceiptsOnly),
        _ => {
            p.add(1, malformed("`publication` is not \"full\" or \"receipts_only\""));
            None
        }
    };
    let genesis = hex_member(get("genesis"), "genesis", &mut p);
    let count = uint_member(get("count"), "count", &mut p);
    let head = hex_member(get("head"), "head", &mut p);
    let voted_root = hex_member(get("voted_root"), "voted_root", &mut p);
    let results: Option<Results> =
        serde_json::from_value(get("results").clone()).map_err(|e| p.add(1, malformed(format!("`results`: {e}")))).ok();
    let signoff: Option<Option<Signoff>> = serde_json::from_value(get("scrutineer_signoff").clone())
        .map_err(|e| p.add(1, malformed(format!("`scrutineer_signoff`: {e}"))))
        .ok();
    let supersedes = match get("supersedes") {
        Value::Null => None,
        v => Some(hex_member(v, "supersedes", &mut p).map(|h| to_hex(&h))),
    };
    if !get("published_at").is_string() {
        p.add(1, malformed("`published_at` is not a string"));
    }
    let signature: Option<Option<Signature>> = serde_json::from_value(get("signature").clone())
        .map_err(|e| p.add(1, malformed(format!("`signature`: {e}"))))
        .ok();
    if let Some(e) = p.first() {
        return Err(e);
    }
    let (
        Some(eligible),
        Some(roll_root),
        Some(publication),
        Some(genesis),
        Some(count),
        Some(head),
        Some(voted_root),
        Some(results),
        Some(signoff),
        Some(signature),
    ) = (eligible, roll_root, publication, genesis, count, head, voted_root, results, signoff, signature)
    else {
        return Err(malformed("a member has the wrong type"));
    };
    let supersedes = supersedes.flatten();

    // 2. Genesis and publication.
    let computed = genesis_v2(ballot, eligible, &roll_root).map_err(VerifyError::GenesisNotCanonical)?;
    if computed != genesis {
        return Err(VerifyError::Genesis { eligible, computed: to_hex(&computed), recorded: to_hex(&genesis) });
    }
    if let Some(Value::String(committed)) = ballot.get("publication") {
        if committed != publication.as_str() {
            return Err(VerifyError::PublicationMismatch {
                record: publication.as_str().into(),
                definition: committed.clone(),
            });
        }
    }
    // 3. Entries.
    if let Some(e) = p.0[3].take() {
        return Err(e);
    }
    // 4. Head and count.
    let n = chain.n;
    let expected_head = chain.prev;
    if head != expected_head {
        return Err(if n == 0 {
            VerifyError::HeadEmpty { recorded: to_hex(&head), expected: to_hex(&expected_head) }
        } else {
            VerifyError::Head { recorded: to_hex(&head), expected: to_hex(&expected_head) }
        });
    }
    if count != n as u64 {
        return Err(VerifyError::Count { count, entries: n });
    }
    // 5. The roll and the has-voted tags.
    if let Some(e) = p.0[5].take() {
        return Err(e);
    }
    if roll.tags.len() as u64 != eligible {
        return Err(VerifyError::RollSize { tags: roll.tags.len(), eligible });
    }
    let computed_root = roll.root.root();
    if computed_root != roll_root {
        return Err(VerifyError::RollRoot { computed: to_hex(&computed_root), recorded: to_hex(&roll_root) });
    }
    if voted.tags.len() != n {
        return Err(VerifyError::VotedCount { tags: voted.tags.len(), entries: n });
    }
    // Both lists are sorted: one merge finds a has-voted tag that is not on the roll.
    let mut on_roll = roll.tags.iter().peekable();
    for (i, t) in voted.tags.iter().enumerate() {
        while on_roll.next_if(|r| *r < t).is_some() {}
        if on_roll.peek() != Some(&t) {
            return Err(VerifyError::VotedNotOnRoll { position: i + 1 });
        }
    }
    let computed_voted = voted.root.root();
    if computed_voted != voted_root {
        return Err(VerifyError::VotedRoot { computed: to_hex(&computed_voted), recorded: to_hex(&voted_root) });
    }
    // 6. Answers.
    if let Some(e) = questions_error {
        return Err(VerifyError::Questions(e));
    }
    if let Some(e) = p.0[6].take() {
        return Err(e);
    }
    let questions = parse_questions(ballot).map_err(VerifyError::Questions)?;
    // 7. Results.
    check_results_shape_of(&results, &questions)?;
    match publication {
        Publication::Full => {
            if results.votes_cast != n as u64 {
                return Err(VerifyError::RecountVotesCast { recorded: results.votes_cast, recounted: n as u64 });
            }
            for (qi, (q, counted)) in questions.iter().zip(&chain.counts).enumerate() {
                for (k, recount) in q.count_keys().into_iter().zip(counted) {
                    let recorded = results.questions[qi].counts.get(k).copied().unwrap_or(0);
                    if recorded != *recount {
                        return Err(VerifyError::RecountOption {
                            question: qi + 1,
                            option: k.to_string(),
                            recorded,
                            recounted: *recount,
                        });
                    }
                }
            }
        }
        Publication::ReceiptsOnly => check_consistency_of(&results, &questions, n)?,
    }
    // 8. Sign-off.
    if let Some(s) = &signoff {
        let computed = results_sha256(&results).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        if s.results_sha256 != computed {
            return Err(VerifyError::Signoff { recorded: s.results_sha256.clone(), computed });
        }
    }
    // 9. Signature over the digest.
    let signature = signature.ok_or(VerifyError::Unsigned)?;
    if signature.algorithm != "ed25519" {
        return Err(VerifyError::SignatureAlgorithm(signature.algorithm.clone()));
    }
    let digested: Map<String, Value> = header
        .iter()
        .filter(|(k, _)| !NOT_DIGESTED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let digest = sha256(&canonical_json(&Value::Object(digested)).map_err(|e| VerifyError::Malformed(e.to_string()))?);
    verify_signature(&signature.public_key, &record_signature_message(&digest), &signature.value)
        .map_err(VerifyError::Signature)?;
    if let Some(trusted) = inputs.trusted_key {
        let trusted = trim_ascii_ws(trusted).to_ascii_lowercase();
        if trusted != signature.public_key {
            return Err(VerifyError::UntrustedKey { public_key: signature.public_key.clone(), trusted });
        }
    }
    // 10. Checkpoints: plain ones, then signed ones.
    let genesis_hex = to_hex(&genesis);
    let hash_at = |count: u64| -> Option<String> {
        if count == 0 {
            Some(genesis_hex.clone())
        } else {
            chain.wanted.get(&count).cloned().flatten()
        }
    };
    for cp in inputs.checkpoints {
        check_prefix(cp, &genesis_hex, n, hash_at(cp.count))?;
    }
    for sc in inputs.signed_checkpoints {
        let cp = Checkpoint { count: sc.count, head: sc.head.clone() };
        if sc.signature.algorithm != "ed25519" {
            return Err(VerifyError::SignatureAlgorithm(sc.signature.algorithm.clone()));
        }
        verify_signature(
            &sc.signature.public_key,
            &checkpoint_message(&sc.genesis, sc.count, &sc.head),
            &sc.signature.value,
        )
        .map_err(|e| VerifyError::CheckpointSignature { checkpoint: cp.clone(), problem: e.to_string() })?;
        if sc.signature.public_key != signature.public_key {
            return Err(VerifyError::CheckpointSignature {
                checkpoint: cp,
                problem: format!("signed with {}, not the record's key", sc.signature.public_key),
            });
        }
        if sc.genesis != genesis_hex {
            return Err(VerifyError::CheckpointGenesis { checkpoint: cp, genesis: genesis_hex.clone() });
        }
        check_prefix(&cp, &genesis_hex, n, hash_at(sc.count))?;
    }
    // 11. Receipts.
    let mut receipts_found = Vec::new();
    for receipt in inputs.receipts {
        match chain.receipts.get(&normalise_receipt(receipt)) {
            Some(index) => receipts_found.push((trim_ascii_ws(receipt).to_string(), *index as u64)),
            None => return Err(VerifyError::ReceiptNotFound(trim_ascii_ws(receipt).to_string())),
        }
    }
    // 12. Voting codes: tags looked up (a finding, not a failure).
    let ballot_id = ballot.get("id").and_then(Value::as_str).unwrap_or_default();
    let codes = inputs
        .codes
        .iter()
        .map(|code| {
            let tag = voter_tag(ballot_id, code);
            CodeCheck {
                code: trim_ascii_ws(code).to_string(),
                tag: to_hex(&tag),
                on_roll: roll.tags.binary_search(&tag).is_ok(),
                voted: voted.tags.binary_search(&tag).is_ok(),
            }
        })
        .collect();

    let mut limitations = Vec::new();
    let mut warnings = Vec::new();
    if publication == Publication::ReceiptsOnly {
        limitations.push(
            "the results could not be recounted (receipts_only): every link and commitment was recomputed, \
             but the answers are hidden, so the counts are trusted to the service's signature and the \
             scrutineer; only their consistency with the questions and the number of entries was checked"
                .to_string(),
        );
    }
    if inputs.trusted_key.is_none() {
        limitations.push(
            "the signature was checked with the public key inside the record; compare that key with the \
             service's published key (or pass it as the trusted key)"
                .to_string(),
        );
    }
    if inputs.checkpoints.is_empty() && inputs.signed_checkpoints.is_empty() {
        limitations.push(
            "no checkpoints were given: a history rewritten before publication would not be detected".to_string(),
        );
    }
    if inputs.codes.is_empty() {
        limitations.push(
            "no voting code was given: N and the has-voted tags were checked for consistency, but only a voter \
             can check that their own tag is on the roll, and present or absent as it should be"
                .to_string(),
        );
    }
    if signoff.is_none() {
        warnings.push("the results have no scrutineer sign-off".to_string());
    }
    let checkpoints_confirmed = inputs.checkpoints.len() + inputs.signed_checkpoints.len();
    Ok(Report {
        entries: n as u64,
        eligible,
        markers: voted.tags.len() as u64,
        genesis: genesis_hex,
        head: to_hex(&head),
        publication,
        title: ballot.get("title").and_then(Value::as_str).map(str::to_string),
        questions,
        results,
        recounted: publication == Publication::Full,
        public_key: signature.public_key.clone(),
        trusted_key: inputs.trusted_key.is_some(),
        scrutineer_signoff: signoff,
        receipts_found,
        checkpoints_confirmed,
        limitations,
        warnings,
        version: 2,
        roll_root: Some(to_hex(&roll_root)),
        record_id: Some(to_hex(&digest)),
        supersedes,
        codes,
    })
}

fn check_prefix(cp: &Checkpoint, genesis: &str, n: usize, hash: Option<String>) -> Result<(), VerifyError> {
    if cp.count == 0 {
        if cp.head != genesis {
            return Err(VerifyError::CheckpointGenesis { checkpoint: cp.clone(), genesis: genesis.to_string() });
        }
        return Ok(());
    }
    if cp.count > n as u64 {
        return Err(VerifyError::CheckpointTruncated { checkpoint: cp.clone(), entries: n });
    }
    let hash = hash.unwrap_or_default();
    if hash != cp.head {
        return Err(VerifyError::CheckpointNotPrefix { checkpoint: cp.clone(), hash });
    }
    Ok(())
}
