//! The auditable tally: a ballot run over HTTP publishes a record that `carried verify` recounts,
//! confirming checkpoints and receipts and catching every tamper.

use carried::services::auth::Role;
use serde_json::{json, Value};

use crate::ballots::{answers_for, open_ballot};
use crate::both_backends;
use crate::helpers::TestApp;

struct Verified {
    ok: bool,
    out: String,
}

fn verify(app: &TestApp, record: &Value, args: &[String]) -> Verified {
    let path = app.data_path().join(format!("record-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, serde_json::to_vec_pretty(record).expect("json")).expect("write record");
    let mut all = vec!["verify".to_string(), path.display().to_string()];
    all.extend(args.iter().cloned());
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let out = app.cli(&refs, None);
    Verified {
        ok: out.status.success(),
        out: format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    }
}

both_backends!(a_published_record_verifies_with_checkpoints_and_receipts, |app: TestApp| async move {
    let b = open_ballot(&app, 6, &["Devon", "Lambeth"]).await;
    let mut receipts = Vec::new();
    let mut checkpoints = Vec::new();
    for (i, (_, code)) in b.codes.iter().take(5).enumerate() {
        if i == 0 || i == 3 {
            let cp = app.ballot_checkpoint(b.id, None).await.expect(200);
            checkpoints.push(format!("{}:{}", cp["count"], cp["head"].as_str().expect("head")));
        }
        let r = app.cast_ballot(b.id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
        receipts.push(r["receipt"].as_str().expect("receipt").to_string());
    }
    app.ballot_record(b.id, None).await.expect_problem(409, "results_not_available");
    app.close_ballot(b.id, Some(&b.officer)).await.expect(200);
    let record = app.ballot_record(b.id, None).await.expect(200);
    assert_eq!(record["format"], "carried/ballot-record/v2");
    assert_eq!(record["eligible"], 6);
    assert_eq!(record["roll"].as_array().map(Vec::len), Some(6), "one tag per voter on the roll");
    assert_eq!(record["voted"].as_array().map(Vec::len), Some(5), "one has-voted tag per counted ballot");
    assert_eq!(record["count"], 5);
    assert!(record["ballot"]["description"].is_string(), "the description is committed");
    let key = app.signing_key(None).await.expect(200)["public_key"].as_str().expect("key").to_string();
    assert_eq!(record["signature"]["public_key"], key.as_str());

    let mut args = vec!["--key".to_string(), key.clone()];
    for c in &checkpoints {
        args.extend(["--checkpoint".to_string(), c.clone()]);
    }
    for r in &receipts {
        args.extend(["--receipt".to_string(), r.clone()]);
    }
    let v = verify(&app, &record, &args);
    assert!(v.ok, "{}", v.out);
    assert!(v.out.contains("VERIFIED"), "{}", v.out);
    // The checkpoints the service published are signed; a voter's code finds their has-voted tag, an
    // abstainer's code finds theirs absent.
    let signed = app.ballot_checkpoint(b.id, None).await.expect(200);
    assert_eq!(signed["signature"]["algorithm"], "ed25519", "{signed}");
    let file = app.data_path().join("checkpoint.json");
    std::fs::write(&file, signed.to_string()).expect("write");
    let voter = b.codes[0].1.clone();
    let abstainer = b.codes[5].1.clone();
    let v = verify(
        &app,
        &record,
        &["--signed-checkpoint".into(), file.display().to_string(), "--code".into(), voter, "--code".into(), abstainer],
    );
    assert!(v.ok, "{}", v.out);
    assert!(v.out.contains("a ballot was counted with your code"), "{}", v.out);
    assert!(v.out.contains("no ballot was counted with your code"), "{}", v.out);

    // Each tamper is caught, naming what is wrong.
    let mut changed = record.clone();
    changed["entries"][2]["answers"][0] =
        json!(if changed["entries"][2]["answers"][0] == "yes" { "no" } else { "yes" });
    let v = verify(&app, &changed, &[]);
    assert!(!v.ok && v.out.contains("entry 3") && v.out.contains("commitment"), "one answer changed: {}", v.out);

    let mut dropped = record.clone();
    dropped["entries"].as_array_mut().expect("entries").remove(1);
    let v = verify(&app, &dropped, &[]);
    assert!(!v.ok && v.out.contains("entry 2"), "an entry dropped: {}", v.out);

    let mut reordered = record.clone();
    reordered["entries"].as_array_mut().expect("entries").swap(0, 1);
    let v = verify(&app, &reordered, &[]);
    assert!(!v.ok && v.out.contains("entry 1"), "two entries reordered: {}", v.out);

    let mut bigger_n = record.clone();
    bigger_n["eligible"] = json!(7);
    let v = verify(&app, &bigger_n, &[]);
    assert!(!v.ok && v.out.contains("genesis"), "N altered: {}", v.out);

    let mut resigned = record.clone();
    resigned["signature"]["value"] = json!("00".repeat(64));
    let v = verify(&app, &resigned, &[]);
    assert!(!v.ok && v.out.contains("signature"), "signature swapped: {}", v.out);

    let v = verify(&app, &record, &["--key".to_string(), "11".repeat(32)]);
    assert!(!v.ok && v.out.contains("key"), "not the service's key: {}", v.out);

    // History rewritten after a checkpoint: the record still verifies alone, but not against the checkpoint.
    let v = verify(&app, &record, &["--checkpoint".to_string(), format!("4:{}", "ab".repeat(32))]);
    assert!(!v.ok && v.out.contains("checkpoint"), "a checkpoint that is not a prefix: {}", v.out);
    let v = verify(&app, &record, &["--checkpoint".to_string(), format!("9:{}", "ab".repeat(32))]);
    assert!(!v.ok && v.out.contains("truncated"), "truncated after a checkpoint: {}", v.out);

    let v = verify(&app, &record, &["--receipt".to_string(), "ZZZZ-ZZZZ-ZZZZ-ZZZZ".to_string()]);
    assert!(!v.ok && v.out.contains("ZZZZ-ZZZZ-ZZZZ-ZZZZ"), "an unknown receipt: {}", v.out);
});

both_backends!(receipts_only_records_keep_answers_out, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let id = crate::ballots::create_ballot(&app, &officer, json!({"publication": "receipts_only"})).await;
    app.import_roll(id, crate::ballots::roll_csv(3, &["Devon"], false).into_bytes(), Some(&officer)).await.expect(200);
    app.open_ballot(id, Some(&officer)).await.expect(200);
    let mails = app.mail(3, |m| m.contains("?code=")).await;
    for (i, (_, code)) in crate::mailbox::codes_in(&mails).iter().enumerate() {
        app.cast_ballot(id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
    }
    app.close_ballot(id, Some(&officer)).await.expect(200);
    let record = app.ballot_record(id, None).await.expect(200);
    assert_eq!(record["publication"], "receipts_only");
    for e in record["entries"].as_array().expect("entries") {
        assert!(e.get("answers").is_none() && e.get("nonce").is_none(), "{e}");
    }
    let v = verify(&app, &record, &[]);
    assert!(v.ok, "{}", v.out);
    // Switching the publication mode to hide tampering is caught.
    let mut switched = record.clone();
    switched["publication"] = json!("full");
    assert!(!verify(&app, &switched, &[]).ok);
});

both_backends!(scrutineer_signs_off_and_reads_the_audit_log, |app: TestApp| async move {
    let b = open_ballot(&app, 3, &["Devon"]).await;
    for (i, (_, code)) in b.codes.iter().enumerate() {
        app.cast_ballot(b.id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
    }
    let (_, scrutineer) = app.user_with("scrutineer@example.org", &[Role::Scrutineer]).await;
    let signoff = json!({"statement": "I have observed the count and checked the record."});
    app.sign_off(b.id, signoff.clone(), Some(&scrutineer)).await.expect_problem(409, "results_not_available");
    app.close_ballot(b.id, Some(&b.officer)).await.expect(200);
    app.sign_off(b.id, signoff.clone(), Some(&b.officer)).await.expect_problem(403, "forbidden");
    let record = app.sign_off(b.id, signoff.clone(), Some(&scrutineer)).await.expect(200);
    assert!(record["scrutineer_signoff"]["by"].as_str().is_some_and(|s| s.contains("scrutineer@example.org")));
    assert!(verify(&app, &record, &[]).ok);
    // The re-signed record names the one it replaces (docs/audit.md section 18.6).
    assert!(record["supersedes"].as_str().is_some_and(|s| s.len() == 64), "{}", record["supersedes"]);
    app.sign_off(b.id, signoff, Some(&scrutineer)).await.expect_problem(409, "conflict");

    let log = app.audit_log(Some(&scrutineer)).await.expect(200);
    let actions: Vec<&str> = log.as_array().expect("log").iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["ballot.create", "ballot.roll.import", "ballot.open", "ballot.close", "ballot.signoff"] {
        assert!(actions.contains(&a), "{a} is in the audit log: {actions:?}");
    }
    let entries: Vec<carried::audit::LogEntry> = log
        .as_array()
        .expect("log")
        .iter()
        .map(|e| serde_json::from_value(json!({"seq": e["seq"], "at": e["at"], "actor": e["actor"], "action": e["action"], "subject": e["subject"], "details": e["details"], "prev": e["prev"], "hash": e["hash"]})).expect("entry"))
        .collect();
    carried::audit::verify_log(&entries).expect("the audit log's chain verifies");
    let mut forged = entries.clone();
    forged[1].actor = "someone else".into();
    assert!(carried::audit::verify_log(&forged).is_err(), "a rewritten log entry is caught");
    let (_, rep) = app.user_with("rep@example.org", &[Role::Representative]).await;
    app.audit_log(Some(&rep)).await.expect_problem(403, "forbidden");
});

/// `carried verify --code` on the v2 example of docs/audit.md (section 18.8): the voter who cast a ballot
/// is told their tag is present, the abstainer that theirs is absent; a signed checkpoint is confirmed.
#[tokio::test]
async fn carried_verify_tells_a_voter_and_an_abstainer_apart_in_a_v2_record() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await.expect("app");
    let doc = include_str!("../../docs/audit.md");
    let start = doc.find("### 18.8 The complete example record\n\n```json\n").expect("example")
        + "### 18.8 The complete example record\n\n```json\n".len();
    let text = &doc[start..start + doc[start..].find("\n```").expect("end")];
    let path = app.data_path().join("v2.json");
    std::fs::write(&path, text).expect("write");
    let cp = app.data_path().join("checkpoint.json");
    std::fs::write(
        &cp,
        r#"{"genesis": "c73b48dbcda2d582389ae84b621cc8350dd4ad56798ea3b28753370d52cb1eca", "count": 1,
            "head": "d33bc693a5ffb99b0a58d9f60d73ee7eb51fef0f9ced868c38d9c3667ec2b66c",
            "signature": {"algorithm": "ed25519", "public_key": "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c",
            "value": "b3eec408484fec87afee48ed16d882c77e0a70fdf159f32c9ba202581d834d20393d70b7c64a1325cd3faf069066fefd10a84d724089ae64d6b74bf45de0b202"}}"#,
    )
    .expect("write");
    let p = path.display().to_string();
    let c = cp.display().to_string();
    let out = app.cli(
        &["verify", &p, "--code", "7q2m-k9xd-4htr-b6wn", "--code", "W6DT-1RMQ-H8XB-4CZS", "--signed-checkpoint", &c],
        None,
    );
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Code 7q2m-k9xd-4htr-b6wn: tag 1c3ca67d"), "{said}");
    assert!(said.contains("a ballot was counted with your code"), "{said}");
    assert!(said.contains("Code W6DT-1RMQ-H8XB-4CZS: tag ecdd1ac3"), "{said}");
    assert!(said.contains("no ballot was counted with your code"), "{said}");
    assert!(said.contains("Checkpoints confirmed as prefixes: 1"), "{said}");
    // The same checkpoint with another head: the signature no longer verifies.
    std::fs::write(&cp, std::fs::read_to_string(&cp).expect("read").replace("d33bc693", "d33bc694")).expect("write");
    let out = app.cli(&["verify", &p, "--signed-checkpoint", &c], None);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!out.status.success() && said.contains("is not signed by the service"), "{said}");
}
