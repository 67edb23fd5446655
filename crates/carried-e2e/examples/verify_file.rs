//! Verifies one `.bel` record with this crate and prints the time: a small target for profilers
//! (`perf record`) and for comparing builds on the same record (verify_bench.rs writes one).
//!
//! cargo run --release -p carried-e2e --example verify_file -- FILE.bel [RUNS=1]

use std::time::Instant;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: verify_file FILE.bel [RUNS]")?;
    let runs: usize = args.next().map(|s| s.parse().map_err(|_| "RUNS must be a number")).transpose()?.unwrap_or(1);
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    for _ in 0..runs {
        let t = Instant::now();
        let report = carried_e2e::verify_bel(&bytes).map_err(|e| format!("refused: {e}"))?;
        println!("{} ballots verified in {:.2} s ({:?})", report.ballots, t.elapsed().as_secs_f64(), report.result);
    }
    Ok(())
}
