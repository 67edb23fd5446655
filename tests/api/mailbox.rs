//! Reading mail: the file outbox (the default) and a real SMTP server (Debian's python3-aiosmtpd).

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A real SMTP server writing each message into a maildir. None (with a loud note) when aiosmtpd is not
/// installed, unless CI=true or CARRIED_REQUIRE_SMTP=1, when it is a failure.
pub struct Smtp {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: std::process::Child,
}

pub const PYTHON: &str = "/usr/bin/python3";

impl Smtp {
    pub fn start() -> Option<Smtp> {
        let available =
            std::process::Command::new(PYTHON).args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
        if !available {
            let required = std::env::var("CI").is_ok_and(|v| v == "true")
                || std::env::var("CARRIED_REQUIRE_SMTP").is_ok_and(|v| v == "1");
            assert!(!required, "python3-aiosmtpd is required for the SMTP tests: apt-get install python3-aiosmtpd");
            eprintln!(
                "NOTE: python3-aiosmtpd is not installed: this SMTP test is skipped (apt-get install python3-aiosmtpd)"
            );
            return None;
        }
        Some(Self::start_on(free_port()))
    }

    pub fn start_on(port: u16) -> Smtp {
        let dir = tempfile::tempdir().expect("maildir");
        let child = std::process::Command::new(PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mbox"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Smtp { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<String> {
        read_dir_messages(&self.dir.path().join("mbox").join("new"))
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

pub fn read_dir_messages(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).map(|b| decode_message(&String::from_utf8_lossy(&b))).collect()
}

/// Undo quoted-printable soft line breaks and =XX escapes so tests can search the text.
pub fn decode_message(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let mut out = String::with_capacity(joined.len());
    let bytes = joined.as_bytes();
    let mut i = 0;
    let mut buf = Vec::new();
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                buf.push(b);
                i += 3;
                continue;
            }
        }
        buf.push(bytes[i]);
        i += 1;
    }
    out.push_str(&String::from_utf8_lossy(&buf));
    out
}

/// Every (recipient, voting code) found in these messages' links.
pub fn codes_in(messages: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for m in messages {
        let to = m
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("to:"))
            .and_then(|l| l.split('<').nth(1))
            .map(|s| s.trim_end_matches('>').to_string())
            .unwrap_or_default();
        if let Some(pos) = m.find("?code=") {
            let code: String = m[pos + 6..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            out.push((to, code));
        }
    }
    out
}

/// Wait until `count` messages satisfy `pred`, reading with `read`.
pub async fn wait_for(read: impl Fn() -> Vec<String>, count: usize, pred: impl Fn(&str) -> bool) -> Vec<String> {
    for _ in 0..200 {
        let found: Vec<String> = read().into_iter().filter(|m| pred(m)).collect();
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let found: Vec<String> = read().into_iter().filter(|m| pred(m)).collect();
    panic!("expected {count} messages, found {} after 20 s", found.len());
}

impl crate::helpers::TestApp {
    /// Send every message queued so far, now, through the app's own sender (the service's
    /// `mail_drain::send_pending`): when this returns each is in the file outbox and recorded as sent.
    /// No polling: a round the background sender has under way is finished first.
    pub async fn send_mail(&self) -> usize {
        carried::services::mail_drain::send_pending(&self.state).await.expect("queued mail is sent")
    }

    /// Send what is queued, then read the file outbox: the messages satisfying `pred`, at least `count`
    /// of them (or the test fails).
    pub async fn mail(&self, count: usize, pred: impl Fn(&str) -> bool) -> Vec<String> {
        self.send_mail().await;
        let found: Vec<String> =
            read_dir_messages(&self.data_path().join("outbox")).into_iter().filter(|m| pred(m)).collect();
        assert!(found.len() >= count, "expected {count} messages, found {} in the outbox", found.len());
        found
    }
}
