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

/// On a terminal (a pseudo-terminal made by util-linux's `script`), `user add` asks for the password twice
/// and does not echo it; the account is created.
#[test]
fn user_add_asks_for_the_password_without_echo_on_a_terminal() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("NOTE: util-linux `script` is not installed: the terminal prompt test is skipped");
        return;
    }
    use std::io::Write;
    let dir = tempfile::tempdir().expect("dir");
    let secret = "a long passphrase 123";
    let cmd = format!("{} user add --email t@example.org --name T --role admin", env!("CARGO_BIN_EXE_carried"));
    let mut child = std::process::Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("CARRIED_DATA_DIR", dir.path())
        .env("CARRIED_ARGON2_MEMORY_KIB", "4096")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script");
    let mut stdin = child.stdin.take().expect("stdin");
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(700));
        stdin.write_all(format!("{secret}\n").as_bytes()).expect("type");
    }
    std::thread::sleep(Duration::from_millis(500));
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("Password (at least 12 characters; not shown as you type)"), "{screen}");
    assert!(screen.contains("added user"), "{screen}");
    assert!(!screen.contains(secret), "the password is not echoed: {screen}");
}
