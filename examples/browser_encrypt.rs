//! How long a voter's browser takes to encrypt an end-to-end ballot (issue #17: under 2 s with the CPU
//! throttled 4×). Headless Chromium runs `static/js/belenios.js` on a fresh page each time (so the fixed-base
//! tables are built every time, as for a real voter), for a yes/no question plus a ten-option many-of
//! question, with DevTools' CPU throttling (Emulation.setCPUThrottlingRate) at 1× and 4×. Every ballot is
//! checked by the Rust crate, and the Rust crate's own encryption time (GMP) is printed beside it as the
//! baseline. Not a test: it prints figures (docs/performance.md).
//!
//!   cargo run --example browser_encrypt [-- --runs 5]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use carried_e2e::formats::{to_json, Ballot, Big, Election, Question};
use carried_e2e::group::BELENIOS_2048;
use carried_e2e::{credential, trustee, ElectionCtx};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const BELENIOS_JS: &str = include_str!("../static/js/belenios.js");

/// Serves an empty page and belenios.js on 127.0.0.1 (a secure context, so WebCrypto is there).
fn serve() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            let (ct, body) = if head.starts_with("GET /belenios.js") {
                ("text/javascript", BELENIOS_JS)
            } else {
                ("text/html", "<!doctype html><html lang=\"en-GB\"><title>bench</title><p>bench</p></html>")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

struct Session {
    http: reqwest::Client,
    url: String,
}

impl Session {
    async fn post(&self, path: &str, body: Value) -> Value {
        let r: Value = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("webdriver")
            .json()
            .await
            .expect("webdriver json");
        r["value"].clone()
    }
}

fn election(max: u32) -> (String, ElectionCtx) {
    let g = &*BELENIOS_2048;
    let (_, key) = trustee::keygen(g);
    let e = Election {
        version: 1,
        description: "Benchmark".into(),
        name: "Benchmark".into(),
        group: "BELENIOS-2048".into(),
        public_key: Big(key.public_key.0),
        questions: vec![
            Question { answers: vec!["Yes".into(), "No".into()], blank: None, min: 1, max: 1, question: "Act?".into() },
            Question {
                answers: (1..=10).map(|i| format!("Option {i}")).collect(),
                blank: None,
                min: 0,
                max,
                question: "Which?".into(),
            },
        ],
        uuid: credential::token(),
        administrator: None,
        credential_authority: None,
    };
    let raw = to_json(&e);
    let ctx = ElectionCtx::parse(&raw).expect("election");
    (raw, ctx)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    let runs: usize =
        std::env::args().skip_while(|a| a != "--runs").nth(1).and_then(|n| n.parse().ok()).unwrap_or(5).max(1);
    let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("chromedriver (Debian: chromium-driver)");
    let port = serve();
    let dport = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let mut driver = Command::new(driver_path)
        .arg(format!("--port={dport}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("client");
    let base = format!("http://127.0.0.1:{dport}");
    for _ in 0..100 {
        if let Ok(r) = http.get(format!("{base}/status")).send().await {
            if r.json::<Value>().await.is_ok_and(|v| v["value"]["ready"] == true) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let profile = tempfile::tempdir().expect("profile");
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": CHROMIUM,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 format!("--user-data-dir={}", profile.path().display())]}}}});
    let r: Value =
        http.post(format!("{base}/session")).json(&caps).send().await.expect("session").json().await.expect("json");
    let id = r["value"]["sessionId"].as_str().expect("session id").to_owned();
    let browser = r["value"]["capabilities"]["browserVersion"].as_str().unwrap_or("?").to_owned();
    let s = Session { http: http.clone(), url: format!("{base}/session/{id}") };
    s.post("/timeouts", json!({"script": 120_000})).await;

    println!("End-to-end ballot encryption: a yes/no question plus a ten-option many-of question");
    println!("(BELENIOS-2048; {} runs each, median, each on a fresh page; Chromium {browser})", runs);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("machine: {cores} cores; Rust build: {}\n", if cfg!(debug_assertions) { "debug" } else { "release" });
    let mut calibration = Vec::new();
    for max in [3u32, 10] {
        let (raw, ctx) = election(max);
        let choices = vec![vec![1, 0], (0..10).map(|i| u64::from(i < max.min(3))).collect::<Vec<u64>>()];
        // The Rust crate (GMP, constant-time exponentiation for secrets): the baseline.
        let mut rust = Vec::new();
        for _ in 0..runs {
            let cred = credential::generate();
            let t = Instant::now();
            let b = ctx.encrypt_ballot(&cred, &choices).expect("rust encrypts");
            rust.push(t.elapsed().as_secs_f64());
            assert_eq!(ctx.check_ballot(&b), Ok(()));
        }
        let mut line = format!("many-of max {max:>2}: Rust crate {:>6.3} s", median(rust));
        for rate in [1u32, 4] {
            let r = s
                .post("/goog/cdp/execute", json!({"cmd": "Emulation.setCPUThrottlingRate", "params": {"rate": rate}}))
                .await;
            assert!(r.get("error").is_none(), "CPU throttling refused: {r}");
            // Calibration: pure arithmetic (no WebCrypto), to show the throttling took effect.
            s.post("/url", json!({"url": format!("http://127.0.0.1:{port}/")})).await;
            let cal = s
                .post(
                    "/execute/async",
                    json!({"script": "const done = arguments[arguments.length - 1];\
                        import('/belenios.js').then((B) => {\
                          for (let i = 0; i < 10; i++) B.modPow(B.g, B.q - BigInt(i + 1));\
                          const t0 = performance.now();\
                          for (let i = 0; i < 20; i++) B.modPow(B.g, B.q - BigInt(i + 1));\
                          done(performance.now() - t0); });", "args": []}),
                )
                .await;
            calibration.push(format!("{rate}x {:.1} ms", cal.as_f64().unwrap_or(f64::NAN) / 20.0));
            let mut times = Vec::new();
            for _ in 0..runs {
                s.post("/url", json!({"url": format!("http://127.0.0.1:{port}/")})).await;
                let cred = credential::generate();
                let v = s
                    .post(
                        "/execute/async",
                        json!({"script": "const done = arguments[arguments.length - 1]; const a = arguments[0];\
                            import('/belenios.js').then(async (B) => { const t0 = performance.now();\
                              const ctx = await B.parseElection(a.raw);\
                              const b = await B.encryptBallot(ctx, a.cred, a.choices);\
                              done({ms: performance.now() - t0, json: b.json}); })\
                            .catch((e) => done({error: String(e)}));",
                            "args": [{"raw": raw, "cred": cred, "choices": choices}]}),
                    )
                    .await;
                let text = v["json"].as_str().unwrap_or_else(|| panic!("the browser failed: {v}"));
                let b: Ballot = serde_json::from_str(text).expect("ballot parses");
                assert_eq!(ctx.check_ballot(&b), Ok(()), "the browser's ballot does not check");
                times.push(v["ms"].as_f64().unwrap_or(f64::NAN) / 1000.0);
            }
            let m = median(times);
            line += &format!(
                "  | browser CPU {rate}x {m:>6.3} s{}",
                if rate == 4 {
                    if m < 2.0 {
                        " (goal < 2 s: met)"
                    } else {
                        " (goal < 2 s: NOT met)"
                    }
                } else {
                    ""
                }
            );
        }
        println!("{line}");
    }
    println!(
        "\none 2048-bit modPow, 256-bit exponent, in the browser (warm; shows the throttling): {}",
        calibration.join(", ")
    );
    let _ = http.delete(format!("{base}/session/{id}")).send().await;
    let _ = driver.kill();
    let _ = driver.wait();
}
