//! Mailing benchmark: a ballot of 12,590 voters opened against a local SMTP server (Debian's
//! python3-aiosmtpd), timed from "open" until every invitation has been accepted by the server (its
//! "250 OK", recorded as sent) — printed beside the same server's own ceiling, measured in the same run
//! with plain clients that send ready-made messages and do nothing else. Not a test: it prints figures
//! (docs/performance.md).
//!
//! By default the server discards what it accepts (aiosmtpd's Sink handler): its Mailbox handler writes a
//! file per message and on a small machine accepts only some tens a second, which would measure the disk,
//! not the sender. `--maildir` uses the Mailbox handler and also counts what arrived.
//!
//!   cargo run --release --example mailing -- [--voters 12590] [--connections 8] [--max-per-second R]
//!                                            [--database postgres://…] [--maildir]

use std::time::{Duration, Instant};

use carried::config::Settings;
use carried::services::auth::{self, NewUser, Role};
use carried::services::smtp;
use carried::startup::Application;
use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::{json, Value};

const PASSWORD: &str = "mailing benchmark password";

struct Args {
    voters: usize,
    connections: u32,
    max_per_second: Option<f64>,
    database: Option<String>,
    maildir: bool,
}

fn args() -> Args {
    let mut a = Args { voters: 12_590, connections: 8, max_per_second: None, database: None, maildir: false };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--voters" => a.voters = v().parse().expect("--voters N"),
            "--connections" => a.connections = v().parse().expect("--connections C"),
            "--max-per-second" => a.max_per_second = Some(v().parse().expect("--max-per-second R")),
            "--database" => a.database = Some(v()),
            "--maildir" => a.maildir = true,
            "--help" | "-h" => {
                println!("mailing [--voters N] [--connections C] [--max-per-second R] [--database URL] [--maildir]");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

struct Sink {
    port: u16,
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl Sink {
    fn start(maildir: bool) -> Sink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
        let dir = tempfile::tempdir().expect("maildir");
        let mut cmd = std::process::Command::new("/usr/bin/python3");
        cmd.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c"]);
        if maildir {
            cmd.arg("aiosmtpd.handlers.Mailbox").arg(dir.path().join("mbox"));
        } else {
            cmd.arg("aiosmtpd.handlers.Sink");
        }
        let child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start python3 -m aiosmtpd (apt-get install python3-aiosmtpd)");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Sink { port, dir, child }
    }

    fn delivered(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("mbox").join("new")).map(|d| d.count()).unwrap_or(0)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn message(i: usize) -> Message {
    let from: Mailbox = "carried@localhost".parse().expect("from");
    let to: Mailbox = format!("\"Doctor {i}\" <gp{i}@example.org>").parse().expect("to");
    Message::builder()
        .from(from)
        .to(to)
        .subject("Your vote: benchmark")
        .body(format!(
            "Dear Doctor {i},\n\nYou are invited to vote in the indicative ballot \"benchmark\".\n\n\
             Vote here: http://127.0.0.1:8080/vote/1?code=ABCD-EFGH-JKMN-PQRS\n"
        ))
        .expect("message")
}

/// The server's own ceiling: `n` ready-made messages through `connections` connections and nothing else
/// (no database, no rendering), with the same SMTP client code the sender uses.
async fn ceiling(port: u16, n: usize, connections: u32) -> f64 {
    use futures_util::StreamExt;
    let relay = smtp::parse_relay(&format!("smtp://127.0.0.1:{port}")).expect("url").expect("smtp://");
    let client = smtp::Direct::new(relay, Duration::from_secs(20));
    let messages: Vec<Message> = (0..n).map(message).collect();
    let t = Instant::now();
    futures_util::stream::iter(messages)
        .for_each_concurrent(connections as usize, |m| {
            let client = &client;
            async move {
                client.send(&m).await.expect("the sink accepts");
            }
        })
        .await;
    n as f64 / t.elapsed().as_secs_f64()
}

/// The same through lettre's own pooled transport (Nagle's algorithm on), for comparison.
async fn ceiling_lettre_pool(port: u16, n: usize, connections: u32) -> f64 {
    use futures_util::StreamExt;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .pool_config(PoolConfig::new().max_size(connections))
        .build();
    let messages: Vec<Message> = (0..n).map(message).collect();
    let t = Instant::now();
    futures_util::stream::iter(messages)
        .for_each_concurrent(connections as usize, |m| {
            let transport = &transport;
            async move {
                transport.send(m).await.expect("the sink accepts");
            }
        })
        .await;
    n as f64 / t.elapsed().as_secs_f64()
}

async fn post(client: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut req = client.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("request");
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.expect("json")
}

#[actix_web::main]
async fn main() {
    let a = args();
    let sink = Sink::start(a.maildir);
    println!(
        "SMTP server: aiosmtpd ({}) on 127.0.0.1:{}",
        if a.maildir { "Mailbox handler: one maildir file per message" } else { "Sink handler: accepts and discards" },
        sink.port
    );

    // 1. The sink's own ceiling, measured now, on this machine, with the same number of messages.
    let one = ceiling(sink.port, a.voters, 1).await;
    println!("  server ceiling, one connection: {one:.0}/s");
    let many = ceiling(sink.port, a.voters, a.connections).await;
    println!("  server ceiling, {} connections: {many:.0}/s", a.connections);
    // lettre's pool pays Nagle's delay on every message: a tenth of the messages is enough to see it.
    let pooled = ceiling_lettre_pool(sink.port, (a.voters / 10).max(100), a.connections).await;
    let before = sink.delivered();

    // 2. carried: a real ballot, opened over HTTP, invitations through the sender to the same sink.
    let dir = tempfile::tempdir().expect("dir");
    let mut env = vec![
        ("CARRIED_BIND".to_string(), "127.0.0.1:0".to_string()),
        ("CARRIED_DATA_DIR".to_string(), dir.path().display().to_string()),
        ("CARRIED_SMTP_URL".to_string(), format!("smtp://127.0.0.1:{}", sink.port)),
        ("CARRIED_SMTP_CONNECTIONS".to_string(), a.connections.to_string()),
        ("CARRIED_ARGON2_MEMORY_KIB".to_string(), "4096".to_string()),
    ];
    if let Some(r) = a.max_per_second {
        env.push(("CARRIED_SMTP_MAX_PER_SECOND".into(), r.to_string()));
    }
    if let Some(db) = &a.database {
        env.push(("CARRIED_DATABASE_URL".into(), db.clone()));
    }
    let settings =
        Settings::from_lookup(|k| env.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone())).expect("settings");
    let backend = settings.database.backend();
    let app = Application::build(settings).await.expect("application");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let new = NewUser::parse("officer@example.org", "Officer", &[Role::Officer]).expect("user");
    let hash = state.passwords.hash(PASSWORD).expect("hash");
    state.db.run(move |c| auth::insert_user(c, &new, Some(&hash))).await.expect("officer");
    let client = reqwest::Client::new();
    let login = post(
        &client,
        format!("{base}/api/v1/auth/login"),
        None,
        json!({"email": "officer@example.org", "password": PASSWORD}),
    )
    .await;
    let token = login["token"].as_str().expect("token").to_string();
    let b = post(
        &client,
        format!("{base}/api/v1/ballots"),
        Some(&token),
        json!({"title": "Mailing benchmark", "questions": [{"text": "Are you prepared to take action?", "kind": "yes_no"}]}),
    )
    .await;
    let id = b["id"].as_i64().expect("id");
    let mut csv = String::from("membership_no,name,email,lmc,role\n");
    for i in 0..a.voters {
        csv.push_str(&format!("M{i:07},Doctor {i},gp{i}@example.org,LMC {},partner\n", i % 50));
    }
    let r = client
        .post(format!("{base}/api/v1/ballots/{id}/roll"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("roll");
    assert!(r.status().is_success(), "roll: {}", r.status());

    let t = Instant::now();
    post(&client, format!("{base}/api/v1/ballots/{id}/open"), Some(&token), json!({})).await;
    let queued_s = t.elapsed().as_secs_f64();
    let mut last_print = Instant::now();
    loop {
        let s: Value = client
            .get(format!("{base}/api/v1/ballots/{id}/mail"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("status")
            .json()
            .await
            .expect("json");
        let sent = s["sent"].as_u64().unwrap_or(0) as usize;
        if sent >= a.voters {
            break;
        }
        if last_print.elapsed() > Duration::from_secs(5) {
            println!("  … {sent} sent after {:.1} s (failing: {})", t.elapsed().as_secs_f64(), s["failing"]);
            last_print = Instant::now();
        }
        assert!(t.elapsed() < Duration::from_secs(1800), "gave up after 30 minutes");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let total_s = t.elapsed().as_secs_f64();
    // The machine's load can change during the run: measure the ceiling again, after.
    let many_after = ceiling(sink.port, a.voters, a.connections).await;
    let arrived = sink.delivered() - before;
    let rate = a.voters as f64 / total_s;
    println!();
    println!("voters: {}   backend: {backend}   connections: {}", a.voters, a.connections);
    if let Some(r) = a.max_per_second {
        println!("rate ceiling set: {r}/s");
    }
    println!("server ceiling, one connection:               {one:>8.0} messages/s");
    println!(
        "server ceiling, {:>2} connections:              {many:>8.0} messages/s before, {many_after:.0} after",
        a.connections
    );
    println!(
        "lettre's pooled transport, {:>2} connections:   {pooled:>8.0} messages/s (Nagle on; services/smtp.rs)",
        a.connections
    );
    println!(
        "carried, open → all {} invitations sent: {total_s:>8.1} s = {rate:.0} invitations/s (open itself took {queued_s:.1} s; {:.0}% of the sink's {}-connection ceiling)",
        a.voters,
        100.0 * rate / many.max(many_after),
        a.connections
    );
    if a.maildir {
        println!("arrived in the maildir: {arrived} (expected {})", a.voters);
    }
}
