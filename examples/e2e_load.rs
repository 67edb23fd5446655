//! How fast the service accepts end-to-end (Belenios) ballots, beside tier 1's votes, on one server, and how
//! long the resulting record takes to verify.
//!
//!   cargo run --release --example e2e_load -- [VOTERS] [CONCURRENCY] [REPLAYS]
//!   (default 400 voters, 16 clients, 0 replays)
//!
//! Starts the service in-process (SQLite in a temporary directory, mail sender off), makes a tier 1 ballot
//! and an end-to-end ballot with the same two questions (yes/no, and a menu of three with at most two) and
//! the same roll, casts every voter's vote in each with CONCURRENCY clients, and prints votes per second,
//! latencies and the acceptance rate (accepted / sent, and the refusals by status and problem code). The
//! end-to-end ballots are encrypted beforehand with the CLI's code (`carried_e2e`'s `encrypt_ballot`, on every
//! core; timed separately): what the cast measures is the service checking every proof and the credential,
//! and the group commit. REPLAYS ballots of each kind are sent a second time at the end (each must be
//! refused as already voted), to show the refusals being counted. Credentials are read from the outbox rows
//! (unsealed with the code key, as the mail sender would).
//!
//! Then the end-to-end ballot is closed, its trustee decrypts the tally (`partial_decrypt`, as
//! `carried trustee decrypt` does) and the results are published; the record (`record.bel`) is verified by
//! `carried verify`'s function in this process and by `belenios-tool election verify` (skipped, loudly, when
//! it is not installed), with wall and CPU times for both.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use carried::config::Settings;
use carried::services::auth::{self, NewUser, Role};
use carried::startup::Application;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple 7";

fn questions() -> Value {
    json!([{"text": "Are you prepared to take action?", "kind": "yes_no"},
           {"text": "Which?", "kind": "many_of", "max": 2, "options": ["Limit contacts", "Switch off e-consult", "Decline ICB contracts"]}])
}

fn answers(i: usize) -> Value {
    json!([if i.is_multiple_of(10) { "no" } else { "yes" }, ["Limit contacts"]])
}

async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> Value {
    let r = client.post(url).bearer_auth(token).json(&body).send().await.expect("post");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    r.json().await.expect("json")
}

/// Refusals counted by reason: "STATUS problem_code" (or the transport error).
type Refusals = BTreeMap<String, usize>;

/// Cast `bodies` with `concurrency` clients; (latencies of the accepted, refusals by reason, seconds).
async fn cast(
    client: &reqwest::Client,
    url: String,
    bodies: Arc<Vec<Value>>,
    concurrency: usize,
) -> (Vec<Duration>, Refusals, f64) {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, bodies, next) = (client.clone(), url.clone(), bodies.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let (mut lat, mut refused) = (Vec::new(), Refusals::new());
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(b) = bodies.get(i) else { return (lat, refused) };
                let t = Instant::now();
                let reason = match client.post(&url).json(b).send().await {
                    Ok(r) if r.status().as_u16() == 201 => {
                        lat.push(t.elapsed());
                        continue;
                    }
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        format!("{status} {}", body["code"].as_str().unwrap_or("(no problem code)"))
                    }
                    Err(e) => format!("transport: {e}"),
                };
                *refused.entry(reason).or_default() += 1;
            }
        }));
    }
    let (mut lat, mut refused) = (Vec::new(), Refusals::new());
    for w in workers {
        let (l, r) = w.await.expect("worker");
        lat.extend(l);
        for (k, v) in r {
            *refused.entry(k).or_default() += v;
        }
    }
    lat.sort();
    (lat, refused, start.elapsed().as_secs_f64())
}

/// CPU seconds (user + system) of this process and of its waited-for children, from /proc/self/stat (Linux;
/// 100 ticks a second).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    let get = |n: usize| f.get(n - 3).copied().unwrap_or(0.0) / 100.0;
    (get(14) + get(15), get(16) + get(17))
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn ms(sorted: &[Duration], p: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let voters: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(400);
    let concurrency: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
    let replays: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let dir = tempfile::tempdir().expect("dir");
        let env = [
            ("CARRIED_BIND", "127.0.0.1:0".to_string()),
            ("CARRIED_DATA_DIR", dir.path().display().to_string()),
            ("CARRIED_MAIL_SENDER", "false".to_string()),
        ];
        let settings =
            Settings::from_lookup(|k| env.iter().find(|(x, _)| *x == k).map(|(_, v)| v.clone())).expect("settings");
        let app = Application::build(settings).await.expect("application");
        let base = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().expect("client");
        let mut tokens = Vec::new();
        let mut ids = Vec::new();
        for (email, role) in [("officer@example.org", Role::Officer), ("trustee@example.org", Role::Trustee)] {
            let new = NewUser::parse(email, email, &[role]).expect("user");
            let hash = state.passwords.hash(PASSWORD).expect("hash");
            ids.push(state.db.run(move |c| auth::insert_user(c, &new, Some(&hash))).await.expect("insert").id);
            let r: Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": email, "password": PASSWORD}))
                .send()
                .await
                .expect("login")
                .json()
                .await
                .expect("json");
            tokens.push(r["token"].as_str().expect("token").to_string());
        }
        let (officer, trustee) = (&tokens[0], &tokens[1]);
        let mut csv = String::from("membership_no,name,email,lmc,role\n");
        for i in 0..voters {
            csv.push_str(&format!("M{i:07},Doctor {i},gp{i}@example.org,LMC {},partner\n", i % 20));
        }
        let mut ballots = Vec::new();
        let mut trustee_secret = None;
        for e2e in [false, true] {
            let mut body = json!({"title": "Load", "questions": questions()});
            if e2e {
                body["verifiability"] = json!("end_to_end");
                body["trustees"] = json!([ids[1]]);
            }
            let id = post(&client, format!("{base}/api/v1/ballots"), officer, body).await["id"].as_i64().expect("id");
            if e2e {
                let (x, key) = carried_e2e::trustee::keygen(&carried_e2e::group::BELENIOS_2048);
                trustee_secret = Some(x);
                let key: Value = serde_json::from_str(&carried_e2e::formats::to_json(&key)).expect("json");
                post(&client, format!("{base}/api/v1/ballots/{id}/trustee-key"), trustee, key).await;
            }
            let r = client
                .post(format!("{base}/api/v1/ballots/{id}/roll"))
                .bearer_auth(officer)
                .header("content-type", "text/csv")
                .body(csv.clone())
                .send()
                .await
                .expect("roll");
            assert!(r.status().is_success());
            let t = Instant::now();
            post(&client, format!("{base}/api/v1/ballots/{id}/open"), officer, json!(null)).await;
            println!("opening {} ballot of {voters}: {:.2} s", if e2e { "an end-to-end" } else { "a tier 1" }, t.elapsed().as_secs_f64());
            ballots.push(id);
        }
        let key = state.tokens.keys().code_key.clone();
        // Tier 1: codes derived as the mail sender would.
        let (t1, e2) = (ballots[0], ballots[1]);
        let rows: Vec<(i64, Option<i64>, String)> = state
            .db
            .run(move |c| {
                use carried::db::schema::mail_outbox;
                use diesel::prelude::*;
                Ok(mail_outbox::table
                    .filter(mail_outbox::kind.eq("invitation"))
                    .select((mail_outbox::ballot_id.assume_not_null(), mail_outbox::roll_id, mail_outbox::body))
                    .load(c)?)
            })
            .await
            .expect("outbox");
        let mut plain = Vec::new();
        let mut creds = Vec::new();
        for (b, r, body) in rows {
            let r = r.expect("roll id");
            if b == t1 {
                let code = carried::services::ballots::voting_code(&key, t1, r);
                plain.push(json!({"code": code, "answers": answers(plain.len())}));
            } else if b == e2 {
                creds.push(carried::services::e2e::unseal(&key, e2, r, &body).expect("unseal"));
            }
        }
        let election = client.get(format!("{base}/api/v1/ballots/{e2}/election")).send().await.expect("get").text().await.expect("text");
        let ctx = Arc::new(carried_e2e::ElectionCtx::parse(&election).expect("election"));
        let t = Instant::now();
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let chunk = creds.len().div_ceil(threads).max(1);
        let encrypted: Vec<Value> = std::thread::scope(|s| {
            let hs: Vec<_> = creds
                .chunks(chunk)
                .enumerate()
                .map(|(k, part)| {
                    let ctx = ctx.clone();
                    s.spawn(move || {
                        part.iter()
                            .enumerate()
                            .map(|(j, c)| {
                                let a = answers(k * chunk + j);
                                let choices = carried_e2e::choices_from_answers(&ctx.election, a.as_array().expect("array")).expect("choices");
                                let b = ctx.encrypt_ballot(c, &choices).expect("encrypt");
                                json!({"ballot": serde_json::from_str::<Value>(&carried_e2e::formats::to_json(&b)).expect("json")})
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().expect("thread")).collect()
        });
        println!("encrypting {} ballots (not timed below): {:.2} s on {threads} threads", encrypted.len(), t.elapsed().as_secs_f64());
        let b = encrypted.first().map(|v| v.to_string().len()).unwrap_or(0);
        println!("one end-to-end ballot is {b} bytes of JSON");
        for (what, id, mut bodies) in [("tier 1", t1, plain), ("end to end", e2, encrypted)] {
            let again: Vec<Value> = bodies.iter().take(replays).cloned().collect();
            bodies.extend(again);
            let sent = bodies.len();
            let (lat, refused, secs) = cast(&client, format!("{base}/api/v1/ballots/{id}/votes"), Arc::new(bodies), concurrency).await;
            println!(
                "{what:>10}: {} votes in {secs:.2} s = {:.0} votes/s ({concurrency} clients); latency p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
                lat.len(),
                lat.len() as f64 / secs,
                ms(&lat, 0.5),
                ms(&lat, 0.95),
                ms(&lat, 1.0)
            );
            println!(
                "{what:>10}: accepted {} of {sent} sent ({:.1}%){}",
                lat.len(),
                100.0 * lat.len() as f64 / sent.max(1) as f64,
                if replays > 0 { format!(", of which {replays} replays that must be refused") } else { String::new() }
            );
            for (reason, n) in &refused {
                println!("{what:>10}: refused {n}: {reason}");
            }
        }

        // Close, decrypt (the trustee's partial decryption, as `carried trustee decrypt` makes it), publish.
        let t = Instant::now();
        post(&client, format!("{base}/api/v1/ballots/{e2}/close"), officer, json!(null)).await;
        let tally: Value = client
            .get(format!("{base}/api/v1/ballots/{e2}/encrypted-tally"))
            .send()
            .await
            .expect("tally")
            .json()
            .await
            .expect("json");
        let encrypted_tally: carried_e2e::formats::EncryptedTally =
            serde_json::from_value(tally["encrypted_tally"].clone()).expect("encrypted tally");
        let x = trustee_secret.expect("the trustee's key");
        let pd = carried_e2e::trustee::partial_decrypt(&ctx, &x, &encrypted_tally);
        let pd: Value = serde_json::from_str(&carried_e2e::formats::to_json(&pd)).expect("json");
        post(&client, format!("{base}/api/v1/ballots/{e2}/partial-decryptions"), trustee, pd).await;
        post(&client, format!("{base}/api/v1/ballots/{e2}/publish"), officer, json!(null)).await;
        let record = client
            .get(format!("{base}/api/v1/ballots/{e2}/record.bel"))
            .send()
            .await
            .expect("record.bel")
            .bytes()
            .await
            .expect("bytes");
        println!(
            "closing, tally, partial decryption, publishing: {:.2} s; the record is {} bytes",
            t.elapsed().as_secs_f64(),
            record.len()
        );

        // The record, verified by both tools.
        println!("load before carried verify: {}", load());
        let (cpu0, _) = cpu_seconds();
        let t = Instant::now();
        let report = carried_e2e::verify_bel(&record).expect("carried verify accepts the service's record");
        let (wall, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds().0 - cpu0);
        println!(
            "carried verify:                {wall:>7.2} s wall, {cpu:.2} s CPU ({} ballots, {:.1} ms of CPU a ballot); result {:?}",
            report.ballots,
            cpu * 1e3 / report.ballots.max(1) as f64,
            report.result
        );
        let rec_dir = tempfile::tempdir().expect("dir");
        std::fs::write(rec_dir.path().join("record.bel"), &record).expect("write");
        println!("load before belenios-tool: {}", load());
        let (_, child0) = cpu_seconds();
        let t = Instant::now();
        let out = Command::new("belenios-tool")
            .args(["election", "verify"])
            .current_dir(rec_dir.path())
            .env("BELENIOS_USE_URANDOM", "1")
            .output();
        match out {
            Err(e) => println!("SKIPPED belenios-tool election verify: belenios-tool cannot be run ({e}); install it (apt-get install belenios-tool) for the comparison"),
            Ok(out) => {
                let (wall2, cpu2) = (t.elapsed().as_secs_f64(), cpu_seconds().1 - child0);
                let msg = String::from_utf8_lossy(&out.stderr);
                let verdict = if out.status.success() && msg.contains("all checks passed") { "accepted" } else { "REFUSED" };
                println!("belenios-tool election verify: {wall2:>7.2} s wall, {cpu2:.2} s CPU: {verdict}");
                if verdict != "accepted" {
                    println!("{msg}");
                }
                println!("ratio (belenios-tool ÷ carried): wall {:.2}×, CPU {:.2}×", wall2 / wall, cpu2 / cpu);
            }
        }
        println!("load after: {}", load());
    });
}
