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

/// Every subcommand's `--help`, walked from `carried --help` down, says what it does and explains every
/// argument (BALLOT, FILE, RECORD …) and option; `carried --help` lists every setting the service reads
/// (each key read in src/config.rs, as `CARRIED_<KEY>`).
#[test]
fn every_subcommand_explains_its_arguments_and_help_lists_every_setting() {
    let help = |path: &[String]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_carried"))
            .args(path)
            .arg("--help")
            .output()
            .expect("run carried");
        assert!(out.status.success(), "carried {path:?} --help");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    let mut commands = 0;
    let mut explained = Vec::new();
    while let Some(path) = todo.pop() {
        let text = help(&path);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            !lines.first().is_some_and(|l| l.trim().is_empty()),
            "carried {path:?} --help starts by saying what it does"
        );
        commands += 1;
        let mut section = "";
        for (i, line) in lines.iter().enumerate() {
            if !line.starts_with(' ') && line.ends_with(':') {
                section = line;
                continue;
            }
            if line.trim().is_empty()
                || !line.starts_with("  ")
                || line.starts_with("   ") && !line.trim_start().starts_with('-')
            {
                continue;
            }
            if !matches!(section, "Commands:" | "Arguments:" | "Options:") {
                continue;
            }
            let entry = line.trim_start();
            // "NAME  description" on one line, or the description on the next, further indented, line.
            let (name, same_line) = match entry.find("  ") {
                Some(at) => (entry[..at].trim(), entry[at..].trim()),
                None => (entry.trim(), ""),
            };
            let next = lines.get(i + 1).filter(|l| l.starts_with("          ")).map(|l| l.trim()).unwrap_or("");
            let description = if same_line.is_empty() { next } else { same_line };
            assert!(
                description.len() >= 10,
                "carried {} --help: {name} in {section} is not explained:\n{text}",
                path.join(" ")
            );
            if section == "Commands:" && name != "help" {
                let mut sub = path.clone();
                sub.push(name.to_string());
                todo.push(sub);
            }
            if section == "Arguments:" {
                explained.push(format!("{} {name}", path.join(" ")));
            }
        }
    }
    assert!(commands >= 15, "walked {commands} commands");
    for arg in ["roll import <BALLOT>", "roll import <FILE>", "verify <RECORD>"] {
        assert!(explained.iter().any(|e| e == arg), "{arg} is explained: {explained:?}");
    }

    let top = help(&[]);
    let config = include_str!("../../src/config.rs");
    let mut keys: Vec<String> = config
        .match_indices("get(\"")
        .filter_map(|(at, _)| config[at + 5..].split('"').next().map(|k| format!("CARRIED_{}", k.to_uppercase())))
        .collect();
    keys.push("CARRIED_CONFIG".into());
    keys.sort();
    keys.dedup();
    assert!(keys.len() >= 25, "settings found in src/config.rs: {keys:?}");
    for key in &keys {
        assert!(top.contains(key.as_str()), "carried --help lists {key}:\n{top}");
    }
}
