//! Importing a 400-item agenda: `read_agenda` over the whole text (goal: under 50 ms), beside the
//! baseline of reading the same 400 motions one at a time with the printed-motion parser, measured in the
//! same run.
//!
//!   cargo bench --bench agenda

use std::time::{Duration, Instant};

use carried::procedure::{parse_printed_motion, read_agenda};
use criterion::{criterion_group, Criterion};

/// 400 items in the printed layouts (sections, brackets, parts, amendments, notes), and each motion alone.
fn agenda(n: usize) -> (String, Vec<String>) {
    let mut text = String::from("BENCH CONFERENCE OF LMCs — AGENDA\n\n");
    let mut alone = Vec::with_capacity(n);
    for i in 1..=n {
        if i % 40 == 1 {
            text.push_str(&format!("SECTION {}\n\n", i / 40 + 1));
        }
        let motion = match i % 5 {
            0 => format!("{i} AGENDA COMMITTEE TO BE PROPOSED BY NORTH WESSEX: That conference believes that the contract for {i} needs change. Conference:\n(i) asks GPC to negotiate a new contract\n(ii) asks for the funding to follow the work\n(iii) calls for a ballot if it does not.\n"),
            1 => format!("Written by the Agenda Committee and proposed by Lambeth LMC\n{i} That conference:\ni. notes the rise in demand since item {i}\nii. asks GPC to collect evidence.\n"),
            2 => format!("{i} BEDFORDSHIRE: Given that practices are working beyond safe limits, conference calls on GPC to act on {i}.\n"),
            3 => format!("* {i} DEVON: That conference demands that NHS England:\n1. funds premises in full\n2. ends service charges above market rents.\nThese measures must be in place by April.\n"),
            _ => format!("{i} KENT: That conference supports practices that close online access once safe capacity is reached.\n"),
        };
        text.push_str(&motion);
        text.push('\n');
        if i % 25 == 0 {
            text.push_str(&format!("To follow item {i}\nErratum: in item {i}, \"GPC\" should read \"GPCE\".\n\n"));
        }
        alone.push(motion);
    }
    (text, alone)
}

fn import(c: &mut Criterion) {
    let (text, alone) = agenda(400);
    assert_eq!(read_agenda(&text).items.len(), 400);
    c.bench_function("read_agenda (400 items)", |b| b.iter(|| read_agenda(std::hint::black_box(&text))));
    c.bench_function("parse_printed_motion x 400 (baseline)", |b| {
        b.iter(|| alone.iter().filter(|m| parse_printed_motion(std::hint::black_box(m)).is_ok()).count())
    });
}

/// The two figures side by side (best of 20 runs each).
fn summary() {
    let (text, alone) = agenda(400);
    let (mut whole, mut one_by_one) = (Duration::MAX, Duration::MAX);
    for _ in 0..20 {
        let t = Instant::now();
        std::hint::black_box(read_agenda(&text));
        whole = whole.min(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(alone.iter().filter(|m| parse_printed_motion(m).is_ok()).count());
        one_by_one = one_by_one.min(t.elapsed());
    }
    println!(
        "read_agenda, 400 items ({} KB): {:.2} ms (goal < 50 ms); baseline parse_printed_motion x 400: {:.2} ms; ratio {:.2}",
        text.len() / 1024,
        whole.as_secs_f64() * 1000.0,
        one_by_one.as_secs_f64() * 1000.0,
        whole.as_secs_f64() / one_by_one.as_secs_f64()
    );
}

criterion_group!(benches, import);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
