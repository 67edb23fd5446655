//! End-to-end verifiable ballots over HTTP (docs/e2e.md): an officer, two trustees using the `carried`
//! binary, voters casting ballots made with `carried ballot encrypt`, the trustees' partial decryptions,
//! the results, and the record checked by `carried verify` and Belenios's own `belenios-tool`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use carried::services::auth::Role;
use carried_e2e::formats::{to_json, Ballot, Big, ElectionResult};
use carried_e2e::{EventData, Record};
use serde_json::{json, Value};

use crate::ballots::{answers_for, questions, roll_csv, MENU};
use crate::both_backends;
use crate::helpers::TestApp;
use crate::mailbox::codes_in;

const CARRIED: &str = env!("CARGO_BIN_EXE_carried");

/// `carried ARGS…` in `dir`; its stdout (the test fails if it fails).
fn carried(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(CARRIED).args(args).current_dir(dir).output().expect("run carried");
    assert!(
        out.status.success(),
        "carried {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

pub(crate) fn belenios_available() -> bool {
    let found = Command::new("belenios-tool").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if found {
        return true;
    }
    let required = std::env::var_os("CI").is_some()
        || std::env::var("CARRIED_REQUIRE_BELENIOS").map(|v| v == "1").unwrap_or(false);
    assert!(!required, "belenios-tool is required (CI or CARRIED_REQUIRE_BELENIOS=1) but was not found on PATH");
    eprintln!("SKIPPED the belenios-tool checks: belenios-tool is not installed (apt-get install belenios-tool)");
    false
}

/// `belenios-tool election verify` on these bytes, alone in a fresh directory: Ok(stderr) or Err(stderr).
pub(crate) fn belenios_verify(bytes: &[u8]) -> Result<String, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("record.bel"), bytes).expect("write");
    let out = Command::new("belenios-tool")
        .args(["election", "verify"])
        .current_dir(dir.path())
        .env("BELENIOS_USE_URANDOM", "1")
        .stdin(Stdio::null())
        .output()
        .expect("belenios-tool");
    let msg = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        Ok(msg)
    } else {
        Err(msg)
    }
}

/// `carried verify` on these bytes: Ok(stdout) or Err(stdout).
pub(crate) fn carried_verify(bytes: &[u8]) -> Result<String, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.bel");
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new(CARRIED).arg("verify").arg(&path).output().expect("carried verify");
    let msg = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(msg)
    } else {
        Err(msg)
    }
}

pub struct E2e {
    pub id: i64,
    pub officer: String,
    /// (user id, token, private key file)
    pub trustees: Vec<(i64, String, PathBuf)>,
    /// (email, credential), in roll order.
    pub codes: Vec<(String, String)>,
    pub dir: tempfile::TempDir,
}

/// An end-to-end ballot with two trustees (keys from `carried trustee keygen`), a roll of `n`, opened; on
/// the way, the refusals: a tier 1 field mix-up, a non-trustee uploading a key, a bad proof of knowledge,
/// opening before every key is in.
pub async fn open_e2e(app: &TestApp, n: usize) -> E2e {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let mut trustees = Vec::new();
    for t in ["t1", "t2"] {
        let (uid, token) = app.user_with(&format!("{t}@example.org"), &[Role::Trustee]).await;
        trustees.push((uid, token, dir.path().join(format!("{t}.json"))));
    }
    let ids: Vec<i64> = trustees.iter().map(|t| t.0).collect();
    // Trustees must exist, hold the role, and belong only to end-to-end ballots.
    let body = |trustees: Value| json!({"title": "E2E ballot", "questions": questions(), "verifiability": "end_to_end", "trustees": trustees});
    let r = app.create_ballot(body(json!([ids[0], 99999])), Some(&officer)).await;
    r.expect_problem(422, "validation_failed");
    assert!(r.text.contains("no user 99999"), "{}", r.text);
    let plain = app.seed_user("plain@example.org", &[Role::Member]).await;
    let r = app.create_ballot(body(json!([plain])), Some(&officer)).await;
    assert!(r.text.contains("does not hold the trustee role"), "{}", r.text);
    let r = app.create_ballot(json!({"title": "T", "questions": questions(), "trustees": ids}), Some(&officer)).await;
    assert!(r.text.contains("only an end-to-end ballot has trustees"), "{}", r.text);
    let b = app.create_ballot(body(json!(ids)), Some(&officer)).await.expect(201);
    assert_eq!(b["verifiability"], "end_to_end");
    let id = b["id"].as_i64().expect("id");
    app.import_roll(id, roll_csv(n, &["North Staffordshire", "Cleveland"], false).into_bytes(), Some(&officer))
        .await
        .expect(200);

    let key1: Value =
        serde_json::from_str(&carried(dir.path(), &["trustee", "keygen", "--out", "t1.json"])).expect("key json");
    // Only that ballot's trustees upload keys.
    app.upload_trustee_key(id, key1.clone(), Some(&officer)).await.expect_problem(403, "forbidden");
    let t = app.upload_trustee_key(id, key1.clone(), Some(&trustees[0].1)).await.expect(201);
    assert_eq!(t["missing_keys"].as_array().map(Vec::len), Some(1));
    assert_eq!(t["trustees"][0]["key_uploaded"], true);
    assert_eq!(t["trustees"][1]["key_uploaded"], false);
    // Opening before every trustee has a key: 409 naming who is missing.
    let r = app.open_ballot(id, Some(&officer)).await;
    r.expect_problem(409, "conflict");
    let t2_name = t["trustees"][1]["name"].as_str().expect("name").to_string();
    assert!(r.text.contains(&t2_name), "{}", r.text);
    let key2: Value =
        serde_json::from_str(&carried(dir.path(), &["trustee", "keygen", "--out", "t2.json"])).expect("key json");
    // A key whose proof of knowledge does not verify, one out of the group, the same key twice.
    let mut bad = key2.clone();
    bad["pok"]["response"] = json!("12345");
    let r = app.upload_trustee_key(id, bad, Some(&trustees[1].1)).await;
    r.expect_problem(422, "validation_failed");
    assert!(r.text.contains("proof of knowledge"), "{}", r.text);
    let mut bad = key2.clone();
    bad["public_key"] = json!("0");
    let r = app.upload_trustee_key(id, bad, Some(&trustees[1].1)).await;
    assert!(r.text.contains("not an element"), "{}", r.text);
    app.upload_trustee_key(id, key1, Some(&trustees[1].1)).await.expect_problem(409, "conflict");
    let t = app.upload_trustee_key(id, key2, Some(&trustees[1].1)).await.expect(201);
    assert_eq!(t["missing_keys"], json!([]));
    // The trustees see the draft's trustees; the public does not see a draft.
    app.ballot_trustees(id, Some(&trustees[1].1)).await.expect(200);
    app.ballot_trustees(id, None).await.expect_problem(401, "unauthenticated");
    app.election(id, None).await.expect_problem(409, "ballot_not_open");

    let opened = app.open_ballot(id, Some(&officer)).await.expect(200);
    assert_eq!(opened["eligible"], n);
    let mails = app.mail(n, |m| m.contains("?code=")).await;
    let mut codes = codes_in(&mails);
    codes.sort();
    assert_eq!(codes.len(), n);
    for (_, c) in &codes {
        assert!(carried_e2e::credential::is_valid(c), "a Belenios credential: {c}");
    }
    // Trustee keys are fixed once open.
    let k: Value =
        serde_json::from_str(&carried(dir.path(), &["trustee", "keygen", "--out", "late.json"])).expect("key json");
    app.upload_trustee_key(id, k, Some(&trustees[0].1)).await.expect_problem(409, "conflict");
    E2e { id, officer, trustees, codes, dir }
}

async fn bel(app: &TestApp, id: i64) -> Vec<u8> {
    let r = app.client.get(app.url(&format!("/api/v1/ballots/{id}/record.bel"))).send().await.expect("record.bel");
    assert_eq!(r.status().as_u16(), 200);
    r.bytes().await.expect("bytes").to_vec()
}

/// The record with `change` applied to its events, re-chained and rebuilt canonically (so only the change
/// is wrong).
fn tampered(bytes: &[u8], change: impl FnOnce(&mut Vec<EventData>)) -> Vec<u8> {
    let mut r = Record::from_bytes(bytes).expect("our record reads");
    change(&mut r.events);
    r.to_bytes()
}

both_backends!(an_end_to_end_ballot_runs_from_trustees_to_a_verified_record, |app: TestApp| async move {
    const N: usize = 20;
    let e = open_e2e(&app, N).await;
    let id = e.id;
    let d = e.dir.path();
    let election = app.client.get(app.url(&format!("/api/v1/ballots/{id}/election"))).send().await.expect("election");
    assert_eq!(election.status().as_u16(), 200);
    let election = election.text().await.expect("text");
    std::fs::write(d.join("election.json"), &election).expect("write");
    let ctx = carried_e2e::ElectionCtx::parse(&election).expect("a Belenios election");
    assert_eq!(ctx.election.questions[0].answers, vec!["Yes", "No"]);
    assert_eq!((ctx.election.questions[1].min, ctx.election.questions[1].max), (0, 3));

    // 20 voters cast ballots made by `carried ballot encrypt`, each acknowledged with its tracker.
    let mut expected_yes = 0;
    let mut expected_menu = [0u64; 4];
    let mut first = None;
    for (i, (_, code)) in e.codes.iter().enumerate() {
        let answers = answers_for(i);
        if answers[0] == "yes" {
            expected_yes += 1;
        }
        for (k, m) in MENU.iter().enumerate() {
            if answers[1].as_array().is_some_and(|a| a.iter().any(|x| x == m)) {
                expected_menu[k] += 1;
            }
        }
        let out = carried(
            d,
            &["ballot", "encrypt", "--election", "election.json", "--code", code, "--answers", &answers.to_string()],
        );
        let ballot: Value = serde_json::from_str(&out).expect("ballot json");
        let r = app.cast_ballot(id, json!({"ballot": ballot}), None).await.expect(201);
        assert_eq!(r["receipt"], carried_e2e::tracker(out.trim_end()), "the receipt is the ballot's tracker");
        if i == 0 {
            first = Some((ballot, code.clone()));
        }
    }
    let (first, first_code) = first.expect("a ballot");
    // A second ballot for a credential: 409; the same ballot again: 409.
    let again = carried(
        d,
        &[
            "ballot",
            "encrypt",
            "--election",
            "election.json",
            "--code",
            &first_code,
            "--answers",
            &answers_for(3).to_string(),
        ],
    );
    let again: Value = serde_json::from_str(&again).expect("json");
    app.cast_ballot(id, json!({"ballot": again}), None).await.expect_problem(409, "already_voted");
    app.cast_ballot(id, json!({"ballot": first.clone()}), None).await.expect_problem(409, "already_voted");
    // A ballot whose proof was changed: 422 naming what failed.
    let mut bad = first.clone();
    bad["answers"][0]["individual_proofs"][0][0]["response"] = json!("1");
    let r = app.cast_ballot(id, json!({"ballot": bad}), None).await;
    r.expect_problem(422, "validation_failed");
    assert!(r.text.contains("signature's hash"), "{}", r.text);
    // A credential not on the list: 403.
    let stranger = carried_e2e::credential::generate();
    let out = carried(
        d,
        &[
            "ballot",
            "encrypt",
            "--election",
            "election.json",
            "--code",
            &stranger,
            "--answers",
            &answers_for(0).to_string(),
        ],
    );
    let r = app.cast_ballot(id, json!({"ballot": serde_json::from_str::<Value>(&out).expect("json")}), None).await;
    r.expect_problem(403, "forbidden");
    assert!(r.text.contains("not on this election's list"), "{}", r.text);
    // Tier 1 answers to an end-to-end ballot, and a ballot that is not Belenios's: 422.
    app.cast_ballot(id, json!({"code": first_code, "answers": answers_for(0)}), None)
        .await
        .expect_problem(422, "validation_failed");
    app.cast_ballot(id, json!({"ballot": {"answers": []}}), None).await.expect_problem(422, "validation_failed");
    // Turnout keeps counting; nothing is decrypted before close.
    let t = app.ballot_turnout(id, Some(&e.officer)).await.expect(200);
    assert_eq!(t["voted"], N);
    let cp = app.ballot_checkpoint(id, None).await.expect(200);
    assert_eq!(cp["count"], N);
    app.encrypted_tally(id, None).await.expect_problem(409, "results_not_available");
    app.ballot_results(id, None).await.expect_problem(409, "results_not_available");

    app.close_ballot(id, Some(&e.officer)).await.expect(200);
    let r = app.ballot_results(id, None).await;
    r.expect_problem(409, "results_not_available");
    assert!(r.text.contains("waiting for the partial decryptions"), "{}", r.text);
    let tally = app.client.get(app.url(&format!("/api/v1/ballots/{id}/encrypted-tally"))).send().await.expect("tally");
    let tally = tally.text().await.expect("text");
    std::fs::write(d.join("tally.json"), &tally).expect("write");
    let tv: Value = serde_json::from_str(&tally).expect("json");
    assert_eq!(tv["num_tallied"], N);
    assert_eq!(tv["election_hash"], ctx.fingerprint);

    // Each trustee decrypts with `carried trustee decrypt --key --tally` (the tally carries its election).
    let k1 = e.trustees[0].2.to_str().expect("path").to_string();
    let k2 = e.trustees[1].2.to_str().expect("path").to_string();
    let pd1: Value = serde_json::from_str(&carried(d, &["trustee", "decrypt", "--key", &k1, "--tally", "tally.json"]))
        .expect("json");
    let pd2: Value = serde_json::from_str(&carried(d, &["trustee", "decrypt", "--key", &k2, "--tally", "tally.json"]))
        .expect("json");
    app.upload_partial_decryption(id, pd1.clone(), Some(&e.officer)).await.expect_problem(403, "forbidden");
    let r = app.upload_partial_decryption(id, pd2.clone(), Some(&e.trustees[0].1)).await;
    r.expect_problem(422, "validation_failed");
    assert!(r.text.contains("decryption proof does not verify"), "{}", r.text);
    let v = app.upload_partial_decryption(id, pd1.clone(), Some(&e.trustees[0].1)).await.expect(201);
    assert_eq!(v["result_ready"], false);
    app.upload_partial_decryption(id, pd1, Some(&e.trustees[0].1)).await.expect_problem(409, "conflict");
    // The record so far (no result yet) verifies too.
    let partial = bel(&app, id).await;
    carried_verify(&partial).expect("the record before the result verifies");
    let v = app.upload_partial_decryption(id, pd2, Some(&e.trustees[1].1)).await.expect(201);
    assert_eq!(v["result_ready"], true);

    // The results, through tier 1's path.
    let res = app.ballot_results(id, None).await.expect(200);
    assert_eq!(res["votes_cast"], N);
    assert_eq!(res["eligible"], N);
    let q0 = &res["questions"][0]["options"];
    assert_eq!(q0[0]["option"], "yes");
    assert_eq!(q0[0]["votes"], expected_yes);
    assert_eq!(q0[1]["votes"], N as u64 - expected_yes);
    for (k, want) in expected_menu.iter().enumerate() {
        assert_eq!(res["questions"][1]["options"][k]["votes"], *want, "{k}: {res}");
    }
    assert!(res["thresholds"]["turnout"]["actual"].as_f64().is_some());
    app.ballot_record(id, None).await.expect_problem(409, "conflict");
    app.publish_ballot(id, Some(&e.officer)).await.expect(200);

    // The record: carried verify and belenios-tool accept it; tampered copies are refused by both.
    let record = bel(&app, id).await;
    let report = carried_verify(&record).expect("carried verify accepts the record");
    assert!(report.contains("VERIFIED") && report.contains(&format!("{N} ballots")), "{report}");
    let parsed = Record::from_bytes(&record).expect("reads");
    assert!(parsed.events.iter().any(|e| matches!(e, EventData::Result { .. })));
    let wrong_result = tampered(&record, |ev| {
        if let Some(EventData::Result { result }) = ev.last_mut() {
            let mut r: ElectionResult = serde_json::from_str(result).expect("result");
            r.result[0][0] += 1;
            r.result[0][1] -= 1;
            *result = to_json(&r);
        }
    });
    let changed_ciphertext = tampered(&record, |ev| {
        if let Some(EventData::Ballot { ballot }) = ev.get_mut(1) {
            let mut b: Ballot = serde_json::from_str(ballot).expect("ballot");
            let g = &*carried_e2e::group::BELENIOS_2048;
            b.answers[0].choices[0].alpha = Big(g.mul(&b.answers[0].choices[0].alpha, &g.g));
            *ballot = to_json(&b);
        }
    });
    let stranger_ballot = tampered(&record, |ev| {
        let pos = ev.iter().position(|e| matches!(e, EventData::EndBallots)).expect("end of ballots");
        ev.insert(pos, EventData::Ballot { ballot: out.trim_end().to_string() });
    });
    for (what, bytes, ours) in [
        ("a wrong result", &wrong_result, "the result"),
        ("a changed ciphertext", &changed_ciphertext, "ballot"),
        ("a ballot with an unknown credential", &stranger_ballot, "invalid credential"),
    ] {
        let e = carried_verify(bytes).expect_err(what);
        assert!(e.contains(ours), "{what}: {e}");
    }
    if belenios_available() {
        let ok = belenios_verify(&record).expect("belenios-tool accepts the record");
        assert!(ok.contains("all checks passed"), "{ok}");
        for (what, bytes, theirs) in [
            ("a wrong result", &wrong_result, "check_result failed"),
            ("a changed ciphertext", &changed_ciphertext, "invalid ballot"),
            ("a ballot with an unknown credential", &stranger_ballot, "invalid credential"),
        ] {
            let e = belenios_verify(bytes).expect_err(what);
            assert!(e.contains(theirs), "belenios-tool on {what}: {e}");
        }
    }
});

both_backends!(an_end_to_end_invitation_keeps_no_credential, |app: TestApp| async move {
    let e = open_e2e(&app, 3).await;
    use carried::db::schema::mail_outbox;
    use diesel::prelude::*;
    let id = e.id;
    let (state, codes) = (app.state.clone(), e.codes.clone());
    let bodies: Vec<(String, String)> = state
        .db
        .run(move |c| {
            Ok(mail_outbox::table
                .filter(mail_outbox::ballot_id.eq(id))
                .select((mail_outbox::status, mail_outbox::body))
                .load::<(String, String)>(c)?)
        })
        .await
        .expect("outbox");
    assert_eq!(bodies.len(), 3);
    for (status, body) in &bodies {
        assert_eq!(status, "sent");
        assert!(body.is_empty(), "a sent invitation keeps no body");
    }
    // Nothing stored holds a private credential: not the outbox, not the credentials, not the audit log.
    let dump = state
        .db
        .run(move |c| {
            use carried::db::e2e_schema::e2e_credentials;
            let creds: Vec<String> = e2e_credentials::table.select(e2e_credentials::credential).load(c)?;
            Ok(creds.join("\n"))
        })
        .await
        .expect("credentials");
    for (_, code) in &codes {
        assert!(!dump.contains(code.as_str()));
    }
    // Reminders carry no credential; invitations cannot be resent.
    app.remind_voters(id, Some(&e.officer)).await.expect(200);
    app.resend_invitation(id, json!({"membership_no": "M00000"}), Some(&e.officer))
        .await
        .expect_problem(409, "conflict");
    let reminders = app.mail(3, |m| m.contains("This is a reminder")).await;
    for m in &reminders {
        assert!(!m.contains("?code="), "{m}");
        for (_, code) in &codes {
            assert!(!m.contains(code.as_str()));
        }
    }
});

/// An end-to-end ballot of `officer` with one trustee (key made with the library), a roll of two, left as a
/// draft, opened, or opened and closed (for the access table).
pub async fn e2e_ballot(app: &TestApp, officer: &str, trustee: &(i64, String), state: &str) -> i64 {
    let body = json!({"title": format!("E2E {state}"), "questions": questions(), "verifiability": "end_to_end", "trustees": [trustee.0]});
    let id = app.create_ballot(body, Some(officer)).await.expect(201)["id"].as_i64().expect("id");
    if state == "draft" {
        return id;
    }
    let (_, key) = carried_e2e::trustee::keygen(&carried_e2e::group::BELENIOS_2048);
    let key: Value = serde_json::from_str(&to_json(&key)).expect("json");
    app.upload_trustee_key(id, key, Some(&trustee.1)).await.expect(201);
    app.import_roll(id, roll_csv(2, &["Devon"], false).into_bytes(), Some(officer)).await.expect(200);
    app.open_ballot(id, Some(officer)).await.expect(200);
    if state == "closed" {
        app.close_ballot(id, Some(officer)).await.expect(200);
    }
    id
}
