//! The verifier of Belenios 2.0 records (`.bel`): everything `belenios-tool election verify` checks, and also
//! that the published encrypted tally is the product of the counted ballots (which belenios-tool 2.0 skips).
//! A refusal names what failed: the entry, the ballot's tracker, the trustee, the question.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use rug::Integer;

use crate::archive::{EventData, Record};
use crate::batch::MembershipPlan;
use crate::election::{tracker, ElectionCtx};
use crate::formats::{to_json, Ballot, Big, Ciphertext, ElectionResult, EncryptedTally, PartialDecryption, Trustee};
use crate::trustee;
use crate::Error;

/// What a verified record holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub uuid: String,
    /// Ballots in the record, revotes included.
    pub ballots: usize,
    /// Ballots counted (the last per credential).
    pub counted: usize,
    pub credentials: usize,
    pub partial_decryptions: usize,
    /// The verified result, when the record has one.
    pub result: Option<Vec<Vec<u64>>>,
}

/// A public credential and its weight.
pub fn parse_public_credentials(ctx: &ElectionCtx, raw: &str) -> Result<Vec<(Integer, u64)>, Error> {
    let list: Vec<String> =
        serde_json::from_str(raw).map_err(|e| Error(format!("the public credentials do not parse: {e}")))?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let (c, w) = match s.split_once(',') {
            None => (s.as_str(), 1),
            Some((c, w)) => {
                let w: u64 = w.parse().map_err(|_| Error(format!("public credential {}: bad weight", i + 1)))?;
                (c, w)
            }
        };
        let c = crate::formats::parse_decimal(c)
            .ok_or_else(|| Error(format!("public credential {} is not a valid public credential", i + 1)))?;
        if !seen.insert(c.clone()) {
            return Err(Error(format!("public credential {} is a duplicate credential", i + 1)));
        }
        out.push((c, w));
    }
    // Group membership in one batch; if it fails, one by one to name the first outsider.
    let refs: Vec<&Integer> = out.iter().map(|(c, _)| c).collect();
    if !MembershipPlan::of(ctx.group).all_members(ctx.group, &refs) {
        let i = out.iter().position(|(c, _)| !ctx.group.is_element(c)).unwrap_or(0);
        return Err(Error(format!("public credential {} is not a valid public credential", i + 1)));
    }
    Ok(out)
}

/// Checks the trustees against the election: every proof, and the election key is their product.
pub fn check_trustees(ctx: &ElectionCtx, trustees: &[Trustee]) -> Result<(), Error> {
    if trustees.is_empty() {
        return Err(Error("the record has no trustee".into()));
    }
    let mut owner = 0;
    for t in trustees {
        match t {
            Trustee::Single(k) => {
                owner += 1;
                if !trustee::check_public_key(ctx.group, k) {
                    return Err(Error(format!("trustee {owner}: the proof of knowledge of its key does not verify")));
                }
            }
            Trustee::Pedersen(p) => {
                trustee::check_pedersen(ctx.group, p)
                    .map_err(|e| Error(format!("threshold trustees {}..: {e}", owner + 1)))?;
                owner += p.verification_keys.len();
            }
        }
    }
    let y = trustee::combine_keys(ctx.group, trustees).map_err(Error)?;
    if y != ctx.y {
        return Err(Error("the election public key is not the product of the trustees' keys".into()));
    }
    Ok(())
}

/// How many threads the verifier uses: every core.
fn threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).max(1)
}

/// Runs `work` on every item, on every core, taking items in order in small runs; returns the results in
/// order, or the failure of the first failing item in that order (later items may be skipped once one fails).
fn parallel_in_order<T, R, F>(items: &[T], work: F) -> Result<Vec<R>, (usize, Error)>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> Result<R, Error> + Sync,
{
    const RUN: usize = 4;
    // Never take more than a fair share at once: with as many items as cores (one batch each), one thread
    // taking a run of four would leave the other cores idle.
    let run = RUN.min(items.len().div_ceil(threads()).max(1));
    let next = AtomicUsize::new(0);
    let first_failure = AtomicUsize::new(usize::MAX);
    type Part<R> = Result<Vec<(usize, R)>, (usize, Error)>;
    let parts: Vec<Part<R>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads().min(items.len().max(1)))
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(run, Ordering::Relaxed);
                        if start >= items.len() || start > first_failure.load(Ordering::Relaxed) {
                            return Ok(done);
                        }
                        for (i, item) in items.iter().enumerate().skip(start).take(run) {
                            match work(item) {
                                Ok(r) => done.push((i, r)),
                                Err(e) => {
                                    first_failure.fetch_min(i, Ordering::Relaxed);
                                    return Err((i, e));
                                }
                            }
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err((usize::MAX, Error("a verifier thread failed".into())))))
            .collect()
    });
    let mut all = Vec::with_capacity(items.len());
    let mut failure: Option<(usize, Error)> = None;
    for part in parts {
        match part {
            Ok(done) => all.extend(done),
            Err((i, e)) => {
                if failure.as_ref().is_none_or(|(j, _)| i < *j) {
                    failure = Some((i, e));
                }
            }
        }
    }
    if let Some(f) = failure {
        return Err(f);
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, r)| r).collect())
}

/// Reads and checks every ballot (canonical JSON, credential on the list, signature, proofs) on every core;
/// the group membership of all their elements is tested in batches ([`MembershipPlan`]). When a batch fails,
/// every ballot is checked again one by one (exactly) to name the first bad one. Returns the parsed ballots,
/// or the failure of the first bad ballot in chain order.
fn check_ballots(
    ctx: &ElectionCtx,
    raw: &[(usize, &String)],
    on_list: &HashMap<&Integer, u64>,
) -> Result<Vec<(usize, Ballot, String)>, Error> {
    let parsed = parallel_in_order(raw, |(height, ballot)| {
        let b: Ballot = serde_json::from_str(ballot)
            .map_err(|e| Error(format!("ballot {} (height {height}): ill-formed ballot: {e}", tracker(ballot))))?;
        if to_json(&b) != **ballot {
            return Err(Error(format!("ballot {} (height {height}): ballot not in canonical form", tracker(ballot))));
        }
        if !on_list.contains_key(&b.credential.0) {
            return Err(Error(format!(
                "ballot {} (height {height}): invalid credential (not on the list)",
                tracker(ballot)
            )));
        }
        Ok((*height, b, (*ballot).clone()))
    })
    .map_err(|(_, e)| e)?;
    let plan = MembershipPlan::of(ctx.group);
    // One batch per run of ballots, each on a core.
    let batch = parsed.len().div_ceil(threads()).max(1);
    let runs: Vec<&[(usize, Ballot, String)]> = parsed.chunks(batch).collect();
    let checked = parallel_in_order(&runs, |run| {
        let mut members: Vec<&Integer> = Vec::with_capacity(run.len() * 32);
        for (height, b, raw) in run.iter() {
            ctx.check_ballot_deferred(b, raw, &mut members)
                .map_err(|reason| Error(format!("ballot {} (height {height}): {reason}", tracker(raw))))?;
        }
        Ok(plan.all_members(ctx.group, &members))
    });
    let all_in_group = match checked {
        Ok(results) => results.iter().all(|ok| *ok),
        // A ballot failed its proofs: ballots before it may still hold an element outside the group, so check
        // those exactly before naming this one.
        Err((_, e)) => {
            exact_recheck(ctx, &parsed)?;
            return Err(e);
        }
    };
    if !all_in_group {
        exact_recheck(ctx, &parsed)?;
        return Err(Error("a ballot holds an element outside the group, but no ballot fails alone".into()));
    }
    Ok(parsed)
}

/// Every ballot checked one by one with exact group membership (the fallback that names the bad ballot).
fn exact_recheck(ctx: &ElectionCtx, ballots: &[(usize, Ballot, String)]) -> Result<(), Error> {
    parallel_in_order(ballots, |(height, b, raw)| {
        ctx.check_ballot(b).map_err(|reason| Error(format!("ballot {} (height {height}): {reason}", tracker(raw))))
    })
    .map(|_| ())
    .map_err(|(_, e)| e)
}

/// The product of the counted ballots' ciphertexts, each raised to its credential's weight.
pub fn compute_tally(ctx: &ElectionCtx, counted: &[(&Ballot, u64)]) -> EncryptedTally {
    let g = ctx.group;
    let mut tally: EncryptedTally = ctx
        .election
        .questions
        .iter()
        .map(|q| {
            q.answers
                .iter()
                .map(|_| Ciphertext { alpha: Big(Integer::from(1u32)), beta: Big(Integer::from(1u32)) })
                .collect()
        })
        .collect();
    for (b, w) in counted {
        for (row, a) in tally.iter_mut().zip(&b.answers) {
            for (t, ct) in row.iter_mut().zip(&a.choices) {
                let ct = trustee::pow_ciphertext(g, ct, *w);
                t.alpha = Big(g.mul(&t.alpha, &ct.alpha));
                t.beta = Big(g.mul(&t.beta, &ct.beta));
            }
        }
    }
    tally
}

/// Verifies a `.bel` record made by carried or by belenios-tool.
pub fn verify_bel(bytes: &[u8]) -> Result<Report, Error> {
    let record = Record::from_bytes(bytes)?;
    verify_record(&record)
}

#[derive(PartialEq)]
enum Phase {
    Voting,
    Ended,
    Tallied,
    Decrypting,
    Done,
}

pub fn verify_record(record: &Record) -> Result<Report, Error> {
    let mut events = record.events.iter().enumerate();
    let Some((_, EventData::Setup { election, trustees, credentials })) = events.next() else {
        return Err(Error("the record does not start with its setup".into()));
    };
    let ctx = ElectionCtx::parse(election)?;
    let trustees: Vec<Trustee> =
        serde_json::from_str(trustees).map_err(|e| Error(format!("the trustees do not parse: {e}")))?;
    check_trustees(&ctx, &trustees)?;
    let creds = parse_public_credentials(&ctx, credentials)?;
    let weight_of: HashMap<&Integer, u64> = creds.iter().map(|(c, w)| (c, *w)).collect();

    let mut phase = Phase::Voting;
    let mut raw_ballots: Vec<(usize, &String)> = Vec::new();
    let mut published_tally: Option<(EncryptedTally, u64, u64, usize)> = None;
    let mut pds: BTreeMap<usize, PartialDecryption> = BTreeMap::new();
    let mut result: Option<(ElectionResult, usize)> = None;
    let members: usize = trustees.iter().map(Trustee::members).sum();

    for (height, ev) in events {
        match ev {
            EventData::Setup { .. } => return Err(Error(format!("a second setup at height {height}"))),
            EventData::Ballot { ballot } => {
                if phase != Phase::Voting {
                    return Err(Error(format!("a ballot at height {height} after the end of voting")));
                }
                raw_ballots.push((height, ballot));
            }
            EventData::EndBallots => {
                if phase != Phase::Voting {
                    return Err(Error(format!("a second end of voting at height {height}")));
                }
                phase = Phase::Ended;
            }
            EventData::EncryptedTally { encrypted_tally, num_tallied, total_weight } => {
                if phase != Phase::Ended {
                    return Err(Error(format!(
                        "the encrypted tally at height {height} is not right after the end of voting"
                    )));
                }
                let t: EncryptedTally = serde_json::from_str(encrypted_tally)
                    .map_err(|e| Error(format!("the encrypted tally does not parse: {e}")))?;
                published_tally = Some((t, *num_tallied, *total_weight, height));
                phase = Phase::Tallied;
            }
            EventData::PartialDecryption { owner, partial_decryption } => {
                if phase != Phase::Tallied && phase != Phase::Decrypting {
                    return Err(Error(format!("a partial decryption at height {height} before the encrypted tally")));
                }
                let owner = *owner as usize;
                if owner == 0 || owner > members {
                    return Err(Error(format!("partial decryption at height {height}: owner {owner} is no trustee")));
                }
                let pd: PartialDecryption = serde_json::from_str(partial_decryption)
                    .map_err(|e| Error(format!("partial decryption of trustee {owner} does not parse: {e}")))?;
                if pds.insert(owner, pd).is_some() {
                    return Err(Error(format!("trustee {owner} decrypted twice")));
                }
                phase = Phase::Decrypting;
            }
            EventData::Result { result: r } => {
                if phase != Phase::Decrypting {
                    return Err(Error(format!("a result at height {height} without partial decryptions")));
                }
                let parsed: ElectionResult =
                    serde_json::from_str(r).map_err(|e| Error(format!("the result does not parse: {e}")))?;
                result = Some((parsed, height));
                phase = Phase::Done;
            }
        }
    }

    // Every ballot: canonical, on the list, its signature, proofs and elements.
    let ballots = check_ballots(&ctx, &raw_ballots, &weight_of)?;

    // The last ballot per credential counts.
    let mut last: HashMap<&Integer, usize> = HashMap::new();
    for (i, (_, b, _)) in ballots.iter().enumerate() {
        last.insert(&b.credential.0, i);
    }
    let mut counted_idx: Vec<usize> = last.values().copied().collect();
    counted_idx.sort_unstable();
    let counted: Vec<(&Ballot, u64)> = counted_idx
        .iter()
        .map(|i| {
            let b = &ballots[*i].1;
            (b, weight_of.get(&b.credential.0).copied().unwrap_or(1))
        })
        .collect();
    let total_weight: u64 = counted.iter().map(|(_, w)| *w).sum();

    let mut report = Report {
        uuid: ctx.election.uuid.clone(),
        ballots: ballots.len(),
        counted: counted.len(),
        credentials: creds.len(),
        partial_decryptions: pds.len(),
        result: None,
    };
    let Some((published, num_tallied, published_weight, height)) = published_tally else {
        return Ok(report);
    };
    let tally = compute_tally(&ctx, &counted);
    if published != tally {
        return Err(Error(format!(
            "the encrypted tally (height {height}) is not the product of the {} counted ballots",
            counted.len()
        )));
    }
    if num_tallied != counted.len() as u64 || published_weight != total_weight {
        return Err(Error(format!(
            "the encrypted tally (height {height}) says {num_tallied} ballots of weight {published_weight}; the record has {} of weight {total_weight}",
            counted.len()
        )));
    }
    for (owner, pd) in &pds {
        let (_, _, key) =
            trustee::owner_key(&trustees, *owner).ok_or_else(|| Error(format!("owner {owner} is no trustee")))?;
        trustee::check_partial_decryption(&ctx, key, &tally, pd)
            .map_err(|e| Error(format!("partial decryption of trustee {owner}: {e}")))?;
    }
    let Some((published_result, height)) = result else {
        return Ok(report);
    };
    let factors = trustee::combine_factors(&ctx, &trustees, &tally, &pds).map_err(Error)?;
    let counts = trustee::decrypt_counts(&ctx, &tally, &factors, total_weight)
        .map_err(|e| Error(format!("the result (height {height}) cannot be decrypted: {e}")))?;
    if counts != published_result.result {
        return Err(Error(format!(
            "the result (height {height}) is wrong: it says {:?}; the tally decrypts to {:?}",
            published_result.result, counts
        )));
    }
    report.result = Some(counts);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::sync::Mutex;
    use std::time::Duration;

    /// With as many items as cores (the ballot batches: one a core), every core gets one: each item here
    /// waits for the other to start, which only happens if two threads run them at the same time.
    #[test]
    fn as_many_items_as_cores_run_at_the_same_time() {
        if threads() < 2 {
            return;
        }
        let (tx0, rx0) = mpsc::channel::<()>();
        let (tx1, rx1) = mpsc::channel::<()>();
        let ends = [(Mutex::new(tx0), Mutex::new(rx1)), (Mutex::new(tx1), Mutex::new(rx0))];
        let items: Vec<usize> = (0..threads()).collect();
        let out = parallel_in_order(&items, |&i| {
            if i > 1 {
                return Ok(i);
            }
            let (tx, rx) = &ends[i];
            tx.lock().map_err(|_| Error("lock".into()))?.send(()).map_err(|_| Error("send".into()))?;
            rx.lock()
                .map_err(|_| Error("lock".into()))?
                .recv_timeout(Duration::from_secs(5))
                .map_err(|_| Error(format!("item {i} ran alone: the items were not shared out")))?;
            Ok(i)
        });
        assert_eq!(out.map_err(|(_, e)| e.0), Ok(items));
    }
}
