//! Benchmarks of the pure parts: outcome derivation, the tally, and verifying a 1,000,000-entry record,
//! with plain SHA-256 over the same bytes measured in the same run so the ratio can be printed.
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

fn record(n: usize) -> Value {
    let def = definition();
    let mut prev = chain::genesis(&def, n as u64).expect("genesis");
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
            )
            .replace(['O', 'I', 'L', 'U'], "0"),
            answers: answers(i),
            nonce: format!("{:064x}", i),
        };
        let e = chain::append(&prev, &content).expect("append");
        prev = chain::hash_from_hex(&e.hash).expect("hex");
        entries.push(e);
    }
    let mut r = audit::build_record(audit::RecordParts {
        ballot: def,
        eligible: n as u64,
        markers: n as u64,
        publication: Publication::Full,
        entries,
        scrutineer_signoff: None,
        published_at: "2026-11-25T00:00:00Z".into(),
    })
    .expect("record");
    audit::sign_record(&mut r, &audit::key_from_seed([7; 32])).expect("sign");
    serde_json::to_value(&r).expect("json")
}

fn tally(c: &mut Criterion) {
    let questions = audit::parse_questions(&definition()).expect("questions");
    let all: Vec<Value> = (0..100_000).map(answers).collect();
    c.bench_function("tally (100,000 ballots)", |b| b.iter(|| audit::tally(&questions, all.iter())));
}

/// Verifying 1,000,000 entries against SHA-256 over the same bytes (each entry's prev and canonical
/// content, as the chain hashes them). Timed directly: one pass each is seconds long.
fn verify_million() {
    const N: usize = 1_000_000;
    eprintln!("building a {N}-entry record…");
    let rec = record(N);
    let entries = rec["entries"].as_array().expect("entries");
    let mut bytes: Vec<Vec<u8>> = Vec::with_capacity(N);
    for e in entries {
        let mut b = hex::decode(e["prev"].as_str().unwrap_or("")).unwrap_or_default();
        let content = json!({"answers": e["answers"], "nonce": e["nonce"], "receipt": e["receipt"], "seq": e["seq"]});
        b.extend(audit::canonical_json(&content).expect("canonical"));
        bytes.push(b);
    }
    let total: usize = bytes.iter().map(Vec::len).sum();
    let mut sha = Duration::MAX;
    let mut ver = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let mut acc = 0u8;
        for b in &bytes {
            acc ^= Sha256::digest(b)[0];
        }
        std::hint::black_box(acc);
        sha = sha.min(t.elapsed());
        let t = Instant::now();
        let report = audit::verify(&rec, &[], &[], None).expect("verifies");
        std::hint::black_box(report);
        ver = ver.min(t.elapsed());
    }
    println!(
        "verify {N} entries: {:.2} s; SHA-256 over the same {} MB: {:.2} s; ratio {:.2} (target ≤ 3)",
        ver.as_secs_f64(),
        total / 1_000_000,
        sha.as_secs_f64(),
        ver.as_secs_f64() / sha.as_secs_f64()
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
