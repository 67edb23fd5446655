//! What the binary prints when its output is not a terminal.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::mailbox::free_port;

/// Logs written to a pipe (or a file) carry no ANSI colour codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_to_a_pipe_have_no_colour_codes() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_carried"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "info")
        .env("CARRIED_DATA_DIR", dir.path())
        .env("CARRIED_BIND", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start carried");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while !client.get(format!("http://127.0.0.1:{port}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(started.elapsed() < Duration::from_secs(30), "carried did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut logs = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut logs).expect("read logs");
    child.stdout.take().expect("stdout").read_to_string(&mut logs).expect("read output");
    assert!(logs.contains("INFO"), "the server logged something at info: {logs}");
    assert!(!logs.contains('\u{1b}'), "no escape codes in logs written to a pipe: {logs:?}");
}

/// `carried --help` lists the CARRIED_* settings; `roll import --help` says what BALLOT is.
#[test]
fn help_lists_the_settings_and_explains_arguments() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_carried")).args(args).output().expect("run carried");
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let help = run(&["--help"]);
    for setting in ["CARRIED_DATABASE_URL", "CARRIED_SMTP_URL", "CARRIED_SMTP_MAX_PER_SECOND", "CARRIED_PUBLIC_URL"] {
        assert!(help.contains(setting), "--help lists {setting}: {help}");
    }
    assert!(!help.contains('\u{1b}'), "no escape codes when not on a terminal");
    let roll = run(&["roll", "import", "--help"]);
    assert!(roll.contains("The ballot's number") && roll.contains("byte-order mark"), "{roll}");
}
