//! Schemathesis (from PyPI) over the whole OpenAPI document: no server errors, no response that breaks
//! the documented schema, 405 for undocumented methods. Skipped loudly when schemathesis is not installed,
//! unless CI=true.

use carried::services::auth::Role;
use serde_json::json;

use crate::helpers::{spawn_app_with, Backend};

/// `python3 -m schemathesis.cli`, when that Python has schemathesis.
fn schemathesis() -> Option<std::process::Command> {
    let found = std::process::Command::new("python3")
        .args(["-c", "import schemathesis"])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        let mut cmd = std::process::Command::new("python3");
        cmd.args(["-m", "schemathesis.cli"]);
        return Some(cmd);
    }
    assert!(
        std::env::var("CI").map(|v| v != "true").unwrap_or(true),
        "schemathesis is required in CI: python3 -m pip install schemathesis"
    );
    eprintln!(
        "NOTE: schemathesis is not installed (python3 -m pip install schemathesis): the API fuzz test is skipped"
    );
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_errors_and_no_schema_breaks() {
    let Some(mut st) = schemathesis() else { return };
    let app = spawn_app_with(Backend::Sqlite, &[("CARRIED_LOGIN_RATE_PER_MINUTE", "100000")]).await.expect("app");
    let (_, token) = app.user_with("everyone@example.org", &Role::ALL).await;
    // Something to find at small ids.
    let conf = app.create_conference(json!({"name": "Fuzz"}), Some(&token)).await.expect(201)["id"].clone();
    app.create_motion(conf, json!({"text": include_str!("../fixtures/motion-2025-online-access.txt")}), Some(&token))
        .await
        .expect(201);
    crate::ballots::create_ballot(&app, &token, json!({})).await;
    let work = tempfile::tempdir().expect("dir");
    let out = st
        .current_dir(work.path())
        .args(["run", &app.url("/api/v1/openapi.json"), "-H", &format!("Authorization: Bearer {token}")])
        // Semantic validation (a motion that cannot be read, a password too short) rejects some
        // schema-valid bodies with 422 by design, so "positive data acceptance" is left out.
        .args(["--checks", "all", "--exclude-checks", "positive_data_acceptance"])
        .args(["--max-examples", "25", "--exclude-path-regex", "events", "--workers", "2", "--seed", "20261125"])
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .expect("run schemathesis");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let summary: Vec<&str> =
        text.lines().filter(|l| l.contains("generated") || l.contains("failures") || l.contains("passed")).collect();
    eprintln!("schemathesis: {}", summary.join(" | "));
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{}",
        text.chars().rev().take(6000).collect::<String>().chars().rev().collect::<String>()
    );
}
