//! Benchmarks of the pure parts: outcome derivation, the tally, and verifying a 1,000,000-entry v2 record
//! file, with `sha256sum` and SHA-256 over the same file measured in the same run so the ratios can be printed.
//!
//!   cargo bench --bench pure

use std::time::{Duration, Instant};

use carried::audit::{self, chain, Publication};
use carried::procedure::{self, Counts, Majority, Outcome, PartState, TakenAs};
use criterion::{criterion_group, Criterion};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn outcome(c: &mut Criterion) {
    let parts: Vec<PartState> = (0..12)
        .map(|i| PartState {
            label: procedure::to_roman(i + 1).map(|r| format!("({r})")).unwrap_or_default(),
            outcome: Some(match i % 3 {
                0 => Outcome::Carried,
                1 => Outcome::Lost,
                _ => Outcome::CarriedAsReference,
            }),
            qualifier: None,
        })
        .collect();
    c.bench_function("motion_outcome_text (12 parts, mixed)", |b| {
        b.iter(|| {
            procedure::motion_outcome_text(std::hint::black_box(TakenAs::Parts), None, std::hint::black_box(&parts))
        })
    });
    let counts = Counts::new(212, 40, 9);
    c.bench_function("decide (two-thirds)", |b| {
        b.iter(|| procedure::decide(Majority::TwoThirds, std::hint::black_box(&counts)))
    });
}

fn definition() -> Value {
    json!({"id": "1", "title": "Bench", "opens_at": null, "closes_at": null, "publication": "full", "questions": [
        {"text": "Are you prepared to take action?", "kind": "yes_no"},
        {"text": "Which?", "kind": "many_of", "max": 2, "options": ["Limit contacts", "Switch off e-consult", "Decline ICB contracts"]}
    ]})
}

fn answers(i: usize) -> Value {
    json!([
        if i.is_multiple_of(10) { "no" } else { "yes" },
        if i.is_multiple_of(2) {
            json!(["Limit contacts"])
        } else {
            json!(["Limit contacts", "Decline ICB contracts"])
        }
    ])
}

fn tally(c: &mut Criterion) {
    let questions = audit::parse_questions(&definition()).expect("questions");
    let all: Vec<Value> = (0..100_000).map(answers).collect();
    c.bench_function("tally (100,000 ballots)", |b| b.iter(|| audit::tally(&questions, all.iter())));
}

/// A v2 record of `n` ballots cast by a roll of `n`, as the service writes it (compact JSON).
fn record_v2_text(n: usize) -> Vec<u8> {
    use carried::audit::v2;
    let def = definition();
    let roll: Vec<chain::Hash> = (0..n).map(|i| v2::voter_tag("1", &format!("{i:016}"))).collect();
    let mut sorted = roll.clone();
    sorted.sort_unstable();
    let mut prev = v2::genesis_v2(&def, n as u64, &v2::merkle_root(&sorted)).expect("genesis");
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        let content = chain::EntryContent {
            seq: i as u64 + 1,
            receipt: format!(
                "{:04X}-{:04X}-{:04X}-{:04X}",
                i >> 48 & 0xffff,
                i >> 32 & 0xffff,
                i >> 16 & 0xffff,
                i & 0xffff
            ),
            answers: answers(i),
            nonce: format!("{:064x}", i),
        };
        let e = v2::append_v2(&prev, &content).expect("append");
        prev = chain::hash_from_hex(&e.hash).expect("hex");
        entries.push(e);
    }
    let mut r = v2::build_record_v2(v2::RecordPartsV2 {
        ballot: def,
        voted: roll.clone(),
        roll,
        publication: Publication::Full,
        entries,
        scrutineer_signoff: None,
        supersedes: None,
        published_at: "2026-11-25T00:00:00Z".into(),
    })
    .expect("record");
    v2::sign_record_v2(&mut r, &audit::key_from_seed([7; 32])).expect("sign");
    serde_json::to_vec(&r).expect("json")
}

/// `carried verify` on a 1,000,000-entry v2 record file (read once, verified in one pass), against
/// `sha256sum` of the same file and SHA-256 (the sha2 crate) over the same bytes, in the same run.
fn verify_million() {
    const N: usize = 1_000_000;
    eprintln!("building a {N}-entry v2 record…");
    let text = record_v2_text(N);
    let dir = std::env::temp_dir().join(format!("carried-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("record.json");
    std::fs::write(&path, &text).expect("write");
    drop(text);
    let key = audit::public_key_hex(&audit::key_from_seed([7; 32]));
    let (mut ver, mut sum, mut sha) = (Duration::MAX, Duration::MAX, Duration::MAX);
    let mut size = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let bytes = std::fs::read(&path).expect("read");
        let inputs = audit::stream::Inputs { trusted_key: Some(&key), ..Default::default() };
        let report = audit::verify_with(&bytes, &inputs).expect("verifies");
        assert_eq!(report.entries, N as u64);
        ver = ver.min(t.elapsed());
        size = bytes.len();
        let t = Instant::now();
        let out = std::process::Command::new("sha256sum").arg(&path).output();
        if out.is_ok_and(|o| o.status.success()) {
            sum = sum.min(t.elapsed());
        }
        let t = Instant::now();
        let bytes = std::fs::read(&path).expect("read");
        std::hint::black_box(Sha256::digest(&bytes));
        sha = sha.min(t.elapsed());
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "verify a {N}-entry v2 record ({} MB): {:.2} s; sha256sum of the file: {:.2} s (ratio {:.2}, target ≤ 3); \
         read + SHA-256 (sha2, SHA-NI where present) of the file: {:.2} s (ratio {:.2})",
        size / 1_000_000,
        ver.as_secs_f64(),
        sum.as_secs_f64(),
        ver.as_secs_f64() / sum.as_secs_f64(),
        sha.as_secs_f64(),
        ver.as_secs_f64() / sha.as_secs_f64(),
    );
}

criterion_group!(benches, outcome, tally);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench --bench pure` runs everything; a filter (e.g. `-- tally`) runs the 1,000,000-entry
    // verification only when it names "verify".
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if filters.is_empty() || filters.iter().any(|f| "verify".contains(f.as_str()) || f.contains("verify")) {
        verify_million();
    }
}
