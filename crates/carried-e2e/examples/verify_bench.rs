//! `carried verify` against `belenios-tool election verify` on the same record.
//!
//! Makes a whole Belenios 2.0 record with this crate (one trustee, N voters, a yes/no question and a menu of
//! ten actions with at most three, as ../shared/tools/belenios-bench.sh), checks that belenios-tool accepts
//! it, then times both verifiers on it in the same run and prints the ratio.
//!
//! cargo run --release -p carried-e2e --example verify_bench -- [N=1000] [DIR]

use std::process::Command;
use std::time::Instant;

use carried_e2e::formats::{to_json, Election, ElectionResult, Question, Trustee};
use carried_e2e::group::BELENIOS_2048;
use carried_e2e::{credential, trustee, verify, ElectionCtx, EventData, Record};

/// CPU seconds (user + system) of this process and of its waited-for children, from /proc/self/stat
/// (Linux; 100 ticks a second). Wall time on a shared, loaded machine says little; CPU time does not depend
/// on what else runs.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // After the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    let get = |n: usize| f.get(n - 3).copied().unwrap_or(0.0) / 100.0;
    (get(14) + get(15), get(16) + get(17))
}

/// The load averages (1, 5, 15 minutes), as `uptime` prints them.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|s| s.parse().map_err(|_| "N must be a number")).transpose()?.unwrap_or(1000);
    let dir = match args.next() {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("carried-verify-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let g = &*BELENIOS_2048;

    // Setup: a trustee key, N credentials, the election.
    let (x, key) = trustee::keygen(g);
    let uuid: String = credential::generate().replace('-', "")[..14].to_owned();
    let election = Election {
        version: 1,
        description: "bench".into(),
        name: "bench".into(),
        group: g.name.into(),
        public_key: key.public_key.clone(),
        questions: vec![
            Question {
                answers: vec!["Yes".into(), "No".into()],
                blank: None,
                min: 1,
                max: 1,
                question: "Prepared to take action?".into(),
            },
            Question {
                answers: (1..=10).map(|i| format!("a{i}")).collect(),
                blank: None,
                min: 0,
                max: 3,
                question: "Which actions?".into(),
            },
        ],
        uuid: uuid.clone(),
        administrator: None,
        credential_authority: None,
    };
    let ctx = ElectionCtx::parse(&to_json(&election)).map_err(|e| e.0)?;
    let creds: Vec<String> = (0..n).map(|_| credential::generate()).collect();
    let t = Instant::now();
    let publics: Vec<String> = creds.iter().map(|c| credential::public(g, &uuid, c).to_string()).collect();

    // Ballots, encrypted on every core.
    let threads = std::thread::available_parallelism().map(|x| x.get()).unwrap_or(1);
    let chunk = n.div_ceil(threads).max(1);
    let ballots: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = creds
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| {
                let ctx = &ctx;
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let m = if (k * chunk + i) % 2 == 1 {
                                vec![vec![1, 0], vec![1, 0, 1, 0, 0, 0, 0, 0, 0, 1]]
                            } else {
                                vec![vec![0, 1], vec![0; 10]]
                            };
                            ctx.encrypt_ballot(c, &m).map(|b| to_json(&b)).map_err(|e| e.0)
                        })
                        .collect::<Result<Vec<String>, String>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().map_err(|_| "a thread failed".to_string())?).collect::<Result<Vec<_>, _>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    let encrypt_s = t.elapsed().as_secs_f64();

    // Tally, decryption and result, as the service will make them.
    let parsed: Vec<carried_e2e::formats::Ballot> =
        ballots.iter().map(|b| serde_json::from_str(b).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    let counted: Vec<(&carried_e2e::formats::Ballot, u64)> = parsed.iter().map(|b| (b, 1)).collect();
    let tally = verify::compute_tally(&ctx, &counted);
    let pd = trustee::partial_decrypt(&ctx, &x, &tally);
    let pds = std::collections::BTreeMap::from([(1usize, pd.clone())]);
    let trustees = vec![Trustee::Single(key)];
    let factors = trustee::combine_factors(&ctx, &trustees, &tally, &pds)?;
    let result = trustee::decrypt_counts(&ctx, &tally, &factors, n as u64)?;

    let mut record =
        Record::new(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    record.events.push(EventData::Setup {
        election: ctx.raw.clone(),
        trustees: to_json(&trustees),
        credentials: to_json(&publics),
    });
    record.events.extend(ballots.into_iter().map(|ballot| EventData::Ballot { ballot }));
    record.events.push(EventData::EndBallots);
    record.events.push(EventData::EncryptedTally {
        encrypted_tally: to_json(&tally),
        num_tallied: n as u64,
        total_weight: n as u64,
    });
    record.events.push(EventData::PartialDecryption { owner: 1, partial_decryption: to_json(&pd) });
    record.events.push(EventData::Result { result: to_json(&ElectionResult { result: result.clone() }) });
    let path = dir.join(format!("{uuid}.bel"));
    std::fs::write(&path, record.to_bytes()).map_err(|e| e.to_string())?;
    println!(
        "record: {} ballots, {} bytes, result {:?} (made in {encrypt_s:.1} s on {threads} thread(s))",
        n,
        std::fs::metadata(&path).map_err(|e| e.to_string())?.len(),
        result
    );

    // carried verify (the same function the command calls), then belenios-tool, on the same file.
    println!("load before carried verify: {}", load());
    let (cpu0, _) = cpu_seconds();
    let t = Instant::now();
    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
    let report = carried_e2e::verify_bel(&bytes).map_err(|e| format!("carried verify refused it: {e}"))?;
    let ours = t.elapsed().as_secs_f64();
    let ours_cpu = cpu_seconds().0 - cpu0;
    assert_eq!(report.result.as_ref(), Some(&result));
    println!(
        "carried verify:                 {ours:>7.2} s wall ({:.1} ms a ballot, {threads} thread(s)), {ours_cpu:.2} s CPU",
        ours * 1e3 / n as f64
    );

    println!("load before belenios-tool: {}", load());
    let (_, child0) = cpu_seconds();
    let t = Instant::now();
    let out = Command::new("belenios-tool")
        .args(["election", "verify", "--dir"])
        .arg(&dir)
        .env("BELENIOS_USE_URANDOM", "1")
        .output()
        .map_err(|e| format!("belenios-tool: {e}"))?;
    let theirs = t.elapsed().as_secs_f64();
    let theirs_cpu = cpu_seconds().1 - child0;
    let msg = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !msg.contains("all checks passed") {
        return Err(format!("belenios-tool refused the record: {msg}"));
    }
    println!(
        "belenios-tool election verify:  {theirs:>7.2} s wall ({:.1} ms a ballot), {theirs_cpu:.2} s CPU",
        theirs * 1e3 / n as f64
    );
    println!("load after: {}", load());
    println!("ratio (belenios-tool ÷ carried), wall time: {:.2}×", theirs / ours);
    println!(
        "ratio (belenios-tool ÷ carried), CPU time:  {:.2}× (what one core gains, whatever the load)",
        theirs_cpu / ours_cpu
    );
    Ok(())
}
