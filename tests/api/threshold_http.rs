//! Threshold trustees over HTTP (docs/e2e.md, "Threshold trustees"): a 3-of-5 key ceremony relayed by the
//! service, every step run by a trustee with the real `carried` binary (`carried trustee threshold-* --server
//! URL --ballot ID --token-file FILE`); a restart that replaces a trustee who dropped out and discards the
//! earlier messages; wrong messages refused naming the problem; ballots cast; the tally decrypted by
//! trustees 1, 3 and 5 (with two, the result is refused saying one more is needed); the record verified by
//! `belenios-tool` and `carried verify`.

use std::path::{Path, PathBuf};
use std::process::Command;

use carried::services::auth::Role;
use serde_json::{json, Value};

use crate::ballots::{answers_for, questions, roll_csv};
use crate::both_backends;
use crate::e2e::{belenios_available, belenios_verify, carried_verify};
use crate::helpers::TestApp;
use crate::mailbox::{codes_in, read_dir_messages, wait_for};

const CARRIED: &str = env!("CARGO_BIN_EXE_carried");

/// `carried ARGS…` in `dir`, off the test's runtime: Ok(stdout) or Err(stdout + stderr).
async fn run(dir: &Path, args: &[&str]) -> Result<String, String> {
    let (dir, args): (PathBuf, Vec<String>) = (dir.to_path_buf(), args.iter().map(|a| a.to_string()).collect());
    tokio::task::spawn_blocking(move || {
        let out = Command::new(CARRIED).args(&args).current_dir(&dir).output().expect("run carried");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            Ok(stdout)
        } else {
            Err(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)))
        }
    })
    .await
    .expect("join")
}

async fn ok(dir: &Path, args: &[&str]) -> String {
    run(dir, args).await.unwrap_or_else(|e| panic!("carried {args:?}: {e}"))
}

struct Trustee {
    id: i64,
    token: String,
    name: String,
}

both_backends!(
    a_three_of_five_ceremony_over_http_decrypted_by_trustees_one_three_and_five,
    |app: TestApp| async move {
        const N: usize = 6;
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
        let mut people = Vec::new();
        for i in 1..=6 {
            let (id, token) = app.user_with(&format!("t{i}@example.org"), &[Role::Trustee]).await;
            std::fs::write(d.join(format!("u{i}.token")), &token).expect("token file");
            let me = app.get("/api/v1/auth/me", Some(&token)).await.expect(200);
            people.push(Trustee { id, token, name: me["name"].as_str().expect("name").to_string() });
        }
        let body = |t: Value, threshold: Value| {
            json!({"title": "Threshold ballot", "questions": questions(), "verifiability": "end_to_end",
               "trustees": t, "threshold": threshold})
        };
        let five: Vec<i64> = people[..5].iter().map(|p| p.id).collect();
        let r = app.post("/api/v1/ballots", body(json!(five), json!(6)), Some(&officer)).await;
        r.expect_problem(422, "validation_failed");
        assert!(r.text.contains("threshold: 6 is not between 1 and 5"), "{}", r.text);
        let id = app.post("/api/v1/ballots", body(json!(five), json!(3)), Some(&officer)).await.expect(201)["id"]
            .as_i64()
            .expect("id");
        app.post_raw(
            &format!("/api/v1/ballots/{id}/roll"),
            "text/csv",
            roll_csv(N, &["North Staffordshire"], false).into_bytes(),
            Some(&officer),
        )
        .await
        .expect(200);
        let status = |token: String| {
            let app = &app;
            async move { app.get(&format!("/api/v1/ballots/{id}/ceremony"), Some(&token)).await.expect(200) }
        };
        let v = status(officer.clone()).await;
        assert_eq!(
            (v["step"].as_str(), v["threshold"].as_i64(), v["trustees_count"].as_i64()),
            (Some("certificates"), Some(3), Some(5))
        );
        assert_eq!(v["waiting_for"].as_array().map(|a| a.len()), Some(5));
        // A single key is refused: this ballot's key comes from the ceremony.
        let (_, k) = carried_e2e::trustee::keygen(&carried_e2e::group::BELENIOS_2048);
        let r = app
            .post(
                &format!("/api/v1/ballots/{id}/trustee-key"),
                serde_json::to_value(&k).expect("json"),
                Some(&people[0].token),
            )
            .await;
        r.expect_problem(409, "conflict");
        assert!(r.text.contains("key ceremony"), "{}", r.text);

        let server = app.address.clone();
        let ids = id.to_string();
        // The trustee at `who` (0-based among people) runs a step with the service.
        let remote = |who: usize| -> Vec<String> {
            vec![
                "--server".into(),
                server.clone(),
                "--ballot".into(),
                ids.clone(),
                "--token-file".into(),
                format!("u{}.token", who + 1),
            ]
        };
        let step = |sub: &str, who: usize, extra: Vec<String>| -> Vec<String> {
            let mut a = vec!["trustee".to_string(), sub.to_string()];
            a.extend(extra);
            a.extend(remote(who));
            a
        };
        macro_rules! carried_ok {
            ($v:expr) => {{
                let v: Vec<String> = $v;
                let a: Vec<&str> = v.iter().map(String::as_str).collect();
                ok(d, &a).await
            }};
        }
        macro_rules! carried_err {
            ($v:expr) => {{
                let v: Vec<String> = $v;
                let a: Vec<&str> = v.iter().map(String::as_str).collect();
                run(d, &a).await.expect_err("refused")
            }};
        }

        // Four trustees make and post their certificates; the fifth drops out.
        for who in 0..4 {
            carried_ok!(step("threshold-cert", who, vec!["--key-out".into(), format!("old{who}.key")]));
        }
        let v = status(people[0].token.clone()).await;
        assert_eq!(v["step"], "certificates");
        assert_eq!(v["waiting_for"], json!([people[4].name]));
        assert!(v["certificates"].is_null());
        // A polynomial before every certificate is in: refused, saying who is still to act.
        let e = carried_err!(step("threshold-polynomial", 0, vec!["--key".into(), "old0.key".into()]));
        assert!(e.contains("certificates are not all in yet") && e.contains(&people[4].name), "{e}");
        // Opening is refused while the ceremony is not complete.
        let r = app.post_empty(&format!("/api/v1/ballots/{id}/open"), Some(&officer)).await;
        r.expect_problem(409, "conflict");
        assert!(r.text.contains("key ceremony is complete") && r.text.contains("still to act"), "{}", r.text);
        // Only the ballot's officer restarts; a trustee may not.
        app.post(&format!("/api/v1/ballots/{id}/ceremony/restart"), json!({}), Some(&people[0].token))
            .await
            .expect_problem(403, "forbidden");
        // The officer restarts with trustee 6 in place of trustee 5: the four certificates are discarded.
        let mut new_five: Vec<i64> = people[..4].iter().map(|p| p.id).collect();
        new_five.push(people[5].id);
        let v = app
            .post(&format!("/api/v1/ballots/{id}/ceremony/restart"), json!({"trustees": new_five}), Some(&officer))
            .await
            .expect(200);
        assert_eq!(v["step"], "certificates");
        assert_eq!(v["waiting_for"].as_array().map(|a| a.len()), Some(5));
        assert!(v["trustees"].as_array().expect("trustees").iter().all(|t| t["certificate"] == false), "{v}");
        assert_eq!(v["trustees"][4]["user_id"], people[5].id);
        let admin = app.admin().await;
        let log = app.get("/api/v1/audit-log", Some(&admin)).await.expect(200);
        let restart =
            log.as_array().expect("log").iter().find(|e| e.to_string().contains("ballot.ceremony_restart")).cloned();
        let restart = restart.expect("the restart is in the audit log");
        assert!(restart.to_string().contains("discarded_messages") && restart.to_string().contains('4'), "{restart}");
        // Trustee 5 of the first list is no longer a trustee of the ballot.
        let (_, c) = carried_e2e::pedersen::step1(&carried_e2e::group::BELENIOS_2048);
        app.post(
            &format!("/api/v1/ballots/{id}/ceremony/certificate"),
            serde_json::to_value(&c).expect("json"),
            Some(&people[4].token),
        )
        .await
        .expect_problem(403, "forbidden");
        // The order of the ceremony: people 0..4 then 5.
        let order = [0usize, 1, 2, 3, 5];
        // A certificate whose signature was changed: 422 naming it; nothing kept.
        let mut bad = serde_json::to_value(&c).expect("json");
        bad["signature"]["response"] = json!("12345");
        let r = app.post(&format!("/api/v1/ballots/{id}/ceremony/certificate"), bad, Some(&people[0].token)).await;
        r.expect_problem(422, "validation_failed");
        assert!(r.text.contains("signature does not verify"), "{}", r.text);
        assert_eq!(status(officer.clone()).await["trustees"][0]["certificate"], false);

        // Step 1: every trustee.
        for (pos, who) in order.iter().enumerate() {
            let out = carried_ok!(step("threshold-cert", *who, vec!["--key-out".into(), format!("t{}.key", pos + 1)]));
            assert!(out.contains("signature"), "{out}");
        }
        let v = status(officer.clone()).await;
        assert_eq!(v["step"], "polynomials");
        let certs: Vec<String> = v["certificates"].as_array().expect("certs").iter().map(|c| c.to_string()).collect();
        assert_eq!(certs.len(), 5);
        std::fs::write(d.join("certs.jsons"), certs.join("\n") + "\n").expect("write");
        assert!(ok(d, &["trustee", "threshold-check", "--certs", "certs.jsons"])
            .await
            .contains("5 certificates are valid"));

        // Step 3. A polynomial of trustee 2 posted by trustee 1: refused, naming why; then every trustee's.
        let p2 = ok(
            d,
            &["trustee", "threshold-polynomial", "--certs", "certs.jsons", "--key", "t2.key", "--threshold", "3"],
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/ballots/{id}/ceremony/polynomial"),
                serde_json::from_str(&p2).expect("json"),
                Some(&people[0].token),
            )
            .await;
        r.expect_problem(422, "validation_failed");
        assert!(r.text.contains("not signed with the key of trustee 1"), "{}", r.text);
        let p_wrong_t = ok(
            d,
            &["trustee", "threshold-polynomial", "--certs", "certs.jsons", "--key", "t1.key", "--threshold", "2"],
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/ballots/{id}/ceremony/polynomial"),
                serde_json::from_str(&p_wrong_t).expect("json"),
                Some(&people[0].token),
            )
            .await;
        assert!(r.text.contains("threshold is 3"), "{}", r.text);
        // The verification inputs do not exist yet.
        app.get(&format!("/api/v1/ballots/{id}/ceremony/vinput"), Some(&people[0].token))
            .await
            .expect_problem(409, "conflict");
        for (pos, who) in order.iter().enumerate() {
            carried_ok!(step("threshold-polynomial", *who, vec!["--key".into(), format!("t{}.key", pos + 1)]));
        }
        let v = status(officer.clone()).await;
        assert_eq!(v["step"], "verification");
        assert_eq!(v["waiting_for"].as_array().map(|a| a.len()), Some(5));

        // Step 5. Trustee 2's output posted by trustee 3: refused; then every trustee's.
        let vin = app.get(&format!("/api/v1/ballots/{id}/ceremony/vinput"), Some(&people[1].token)).await.expect(200);
        std::fs::write(d.join("t2.vinput"), vin.to_string()).expect("write");
        let v2 = ok(
            d,
            &["trustee", "threshold-voutput", "--certs", "certs.jsons", "--key", "t2.key", "--vinput", "t2.vinput"],
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/ballots/{id}/ceremony/voutput"),
                serde_json::from_str(&v2).expect("json"),
                Some(&people[2].token),
            )
            .await;
        r.expect_problem(422, "validation_failed");
        assert!(r.text.contains("not the one the commitments give trustee 3"), "{}", r.text);
        for (pos, who) in order.iter().enumerate() {
            let n = pos + 1;
            carried_ok!(step(
                "threshold-voutput",
                *who,
                vec!["--key".into(), format!("t{n}.key"), "--dkey-out".into(), format!("t{n}.dkey")]
            ));
            if pos == 3 {
                let v = status(officer.clone()).await;
                assert_eq!(v["waiting_for"], json!([people[5].name]), "{v}");
                let s = carried_ok!(step("threshold-status", 0, vec![]));
                assert!(s.contains("still to act") && s.contains(&people[5].name), "{s}");
            }
        }
        let v = status(officer.clone()).await;
        assert_eq!(v["step"], "complete");
        assert_eq!(v["threshold_params"]["threshold"], 3);
        // Complete: a certificate can no longer change.
        let cert0: Value = serde_json::from_str(&certs[0]).expect("json");
        let r = app.post(&format!("/api/v1/ballots/{id}/ceremony/certificate"), cert0, Some(&people[0].token)).await;
        r.expect_problem(409, "conflict");
        assert!(r.text.contains("ceremony is complete"), "{}", r.text);

        // Open, vote.
        app.post_empty(&format!("/api/v1/ballots/{id}/open"), Some(&officer)).await.expect(200);
        app.post(&format!("/api/v1/ballots/{id}/ceremony/restart"), json!({}), Some(&officer))
            .await
            .expect_problem(409, "conflict");
        let mails = wait_for(|| read_dir_messages(&app.data_path().join("outbox")), N, |m| m.contains("?code=")).await;
        let codes = codes_in(&mails);
        assert_eq!(codes.len(), N);
        let election =
            app.client.get(app.url(&format!("/api/v1/ballots/{id}/election"))).send().await.expect("election");
        std::fs::write(d.join("election.json"), election.text().await.expect("text")).expect("write");
        let mut yes = 0;
        for (i, (_, code)) in codes.iter().enumerate() {
            let answers = answers_for(i);
            if answers[0] == "yes" {
                yes += 1;
            }
            let out = ok(
                d,
                &[
                    "ballot",
                    "encrypt",
                    "--election",
                    "election.json",
                    "--code",
                    code,
                    "--answers",
                    &answers.to_string(),
                ],
            )
            .await;
            let ballot: Value = serde_json::from_str(&out).expect("ballot");
            app.post(&format!("/api/v1/ballots/{id}/votes"), json!({"ballot": ballot}), None).await.expect(201);
        }
        app.post_empty(&format!("/api/v1/ballots/{id}/close"), Some(&officer)).await.expect(200);

        // Trustees 1 and 3 decrypt: the result is refused, one more needed.
        for (pos, who) in [(1usize, 0usize), (3, 2)] {
            let out = run(
                d,
                &step(
                    "threshold-decrypt",
                    who,
                    vec!["--key".into(), format!("t{pos}.key"), "--decryption-key".into(), format!("t{pos}.dkey")],
                )
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            )
            .await;
            out.unwrap_or_else(|e| panic!("trustee {pos} decrypts: {e}"));
        }
        let r = app.get(&format!("/api/v1/ballots/{id}/results"), None).await;
        r.expect_problem(409, "results_not_available");
        assert!(r.text.contains("1 more needed"), "{}", r.text);
        let t = app.get(&format!("/api/v1/ballots/{id}/trustees"), None).await.expect(200);
        assert_eq!(
            (t["decryptions_needed"].as_u64(), t["threshold"].as_i64(), t["result_ready"].as_bool()),
            (Some(1), Some(3), Some(false))
        );
        // Trustee 5 (user 6): the result.
        let e = carried_ok!(step(
            "threshold-decrypt",
            5,
            vec!["--key".into(), "t5.key".into(), "--decryption-key".into(), "t5.dkey".into()]
        ));
        assert!(!e.is_empty());
        let res = app.get(&format!("/api/v1/ballots/{id}/results"), None).await.expect(200);
        assert_eq!(res["votes_cast"], N);
        assert_eq!(res["questions"][0]["options"][0]["votes"], yes);
        // A fourth decryption is not needed.
        let e = carried_err!(step(
            "threshold-decrypt",
            1,
            vec!["--key".into(), "t2.key".into(), "--decryption-key".into(), "t2.dkey".into()]
        ));
        assert!(e.contains("not needed"), "{e}");

        // The record: trustees 1, 3 and 5's decryptions; both verifiers accept it.
        let r = app.client.get(app.url(&format!("/api/v1/ballots/{id}/record.bel"))).send().await.expect("record");
        assert_eq!(r.status().as_u16(), 200);
        let bytes = r.bytes().await.expect("bytes").to_vec();
        let rec = carried_e2e::Record::from_bytes(&bytes).expect("reads");
        let owners: Vec<u32> = rec
            .events
            .iter()
            .filter_map(|e| match e {
                carried_e2e::EventData::PartialDecryption { owner, .. } => Some(*owner),
                _ => None,
            })
            .collect();
        assert_eq!(owners, vec![1, 3, 5]);
        let ours = carried_verify(&bytes).expect("carried verify accepts the record");
        assert!(ours.contains("VERIFIED"), "{ours}");
        if belenios_available() {
            let msg = belenios_verify(&bytes).expect("belenios-tool accepts the record");
            assert!(msg.contains("all checks passed"), "{msg}");
        }
    }
);
