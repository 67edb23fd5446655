//! Words stored as text (outcomes, kinds, majorities, …) that this version does not know are a load error,
//! answered as a 500 problem (and logged), never read as some default.

use carried::services::auth::Role;
use serde_json::json;

use crate::ballots::roll_csv;
use crate::both_backends;
use crate::conference::conference_with_reps;
use crate::helpers::TestApp;

async fn store(app: &TestApp, sql: String) {
    use diesel::RunQueryDsl;
    app.state
        .db
        .run(move |c| {
            diesel::sql_query(sql).execute(c)?;
            Ok(())
        })
        .await
        .expect("update");
}

both_backends!(a_stored_motion_word_the_code_does_not_know_is_an_error_not_a_default, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let m = conf.motion(&app, json!({"stem": "That conference supports one.", "proposer": "Avon"})).await;
    let mid = m["id"].as_i64().expect("id");
    let list = format!("/api/v1/conferences/{}/motions", conf.id);
    app.get(&format!("/api/v1/motions/{mid}"), None).await.expect(200);
    app.get(&list, None).await.expect(200);

    // An outcome no rule has: not read as "no outcome yet".
    store(&app, format!("UPDATE motions SET whole_outcome = 'adjourned' WHERE id = {mid}")).await;
    app.get(&format!("/api/v1/motions/{mid}"), None).await.expect_problem(500, "internal");
    app.get(&list, None).await.expect_problem(500, "internal");

    // An item kind no rule has: not read as a motion.
    store(&app, format!("UPDATE motions SET whole_outcome = NULL, kind = 'resolution' WHERE id = {mid}")).await;
    app.get(&format!("/api/v1/motions/{mid}"), None).await.expect_problem(500, "internal");

    // Back to words it knows: the motion reads again.
    store(&app, format!("UPDATE motions SET kind = 'motion' WHERE id = {mid}")).await;
    let view = app.get(&format!("/api/v1/motions/{mid}"), None).await.expect(200);
    assert_eq!(view["kind"], "motion");
});

both_backends!(a_stored_conference_or_poll_status_the_code_does_not_know_is_an_error, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let chair = Some(conf.chair.as_str());
    let m = conf.motion(&app, json!({"stem": "That conference supports one.", "proposer": "Avon"})).await;
    let mid = m["id"].as_i64().expect("id");
    let p = app.open_poll(mid, json!({"subject": "whole", "method": "electronic"}), chair).await.expect(201);
    let pid = p["id"].as_i64().expect("poll id");

    // A poll status no rule has: not read as "closed" (which would answer 409 poll_closed to a vote).
    store(&app, format!("UPDATE polls SET status = 'paused' WHERE id = {pid}")).await;
    app.get_poll(pid, None).await.expect_problem(500, "internal");
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[0])).await.expect_problem(500, "internal");
    store(&app, format!("UPDATE polls SET status = 'open' WHERE id = {pid}")).await;
    assert_eq!(app.get_poll(pid, None).await.expect(200)["status"], "open");
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[0])).await.expect(200);
    assert_eq!(app.close_poll(pid, chair).await.expect(200)["status"], "closed");

    // A conference status no rule has: not read as "closed" (a new motion would be 409), nor as "open".
    store(&app, format!("UPDATE conferences SET status = 'adjourned' WHERE id = {}", conf.id)).await;
    app.get_conference(conf.id, None).await.expect_problem(500, "internal");
    app.list_conferences(None).await.expect_problem(500, "internal");
    app.hall_state(conf.id, None).await.expect_problem(500, "internal");
    app.list_speakers(conf.id, chair).await.expect_problem(500, "internal");
    let body = json!({"stem": "That conference supports two.", "proposer": "Avon"});
    app.create_motion(conf.id, body, chair).await.expect_problem(500, "internal");
    app.set_running_order(conf.id, json!({"motions": [mid]}), chair).await.expect_problem(500, "internal");

    // Back to a word it knows: the conference reads, as the same word.
    store(&app, format!("UPDATE conferences SET status = 'closed' WHERE id = {}", conf.id)).await;
    assert_eq!(app.get_conference(conf.id, None).await.expect(200)["status"], "closed");
});

// The statuses the views send are described by their words in the OpenAPI document, as the other stored
// words are: the view's field refers to the enum's schema, which lists exactly the words sent.
both_backends!(the_openapi_document_names_the_status_words, |app: TestApp| async move {
    let doc = app.openapi_document(None).await.expect(200);
    let schemas = &doc["components"]["schemas"];
    fn refers_to(v: &serde_json::Value, target: &str) -> bool {
        match v {
            serde_json::Value::Object(o) => {
                o.get("$ref").and_then(|r| r.as_str()) == Some(target) || o.values().any(|v| refers_to(v, target))
            }
            serde_json::Value::Array(a) => a.iter().any(|v| refers_to(v, target)),
            _ => false,
        }
    }
    let cases: [(&str, &str, &str, &[&str]); 7] = [
        ("Conference", "status", "ConferenceStatus", &["open", "closed"]),
        ("PollView", "status", "PollStatus", &["open", "closed", "void"]),
        ("PollView", "method", "Method", &["electronic", "show_of_hands"]),
        ("BallotView", "status", "BallotStatus", &["draft", "open", "closed", "published"]),
        ("ResultsView", "status", "BallotStatus", &["draft", "open", "closed", "published"]),
        ("TrusteesView", "status", "BallotStatus", &["draft", "open", "closed", "published"]),
        ("CeremonyView", "status", "BallotStatus", &["draft", "open", "closed", "published"]),
    ];
    for (view, field, enum_name, words) in cases {
        // A view with a flattened part is an `allOf` of that part and its own properties.
        let own = std::iter::once(&schemas[view]).chain(schemas[view]["allOf"].as_array().into_iter().flatten());
        let property = own.map(|s| &s["properties"][field]).find(|p| !p.is_null()).unwrap_or(&json!(null)).clone();
        let target = format!("#/components/schemas/{enum_name}");
        assert!(refers_to(&property, &target), "{view}.{field} refers to {enum_name}: {property}");
        assert_eq!(schemas[enum_name]["enum"], json!(words), "{enum_name}");
    }
});

both_backends!(a_stored_poll_subject_the_code_cannot_read_is_an_error_not_skipped, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let a = conf.motion(&app, json!({"stem": "That conference reaffirms policy.", "marks": ["a"]})).await;
    let p = app.open_en_bloc(conf.id, json!({}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[0])).await.expect(200);
    app.close_poll(pid, Some(&conf.chair)).await.expect(200);
    app.resolutions(conf.id, None).await.expect(200);

    // The 'A' motions en bloc with a list that is not one: not read as a poll on no motion.
    store(&app, format!(r#"UPDATE polls SET subject = '{{"a_motions_en_bloc": "all"}}' WHERE id = {pid}"#)).await;
    app.get_poll(pid, None).await.expect_problem(500, "internal");
    app.list_polls(conf.id, None).await.expect_problem(500, "internal");
    app.hall_state(conf.id, None).await.expect_problem(500, "internal");
    app.resolutions(conf.id, None).await.expect_problem(500, "internal");
    // Voiding it writes nothing: it cannot tell which motions to put back.
    app.void_poll_with(pid, json!({"reason": "a test"}), Some(&conf.chair)).await.expect_problem(500, "internal");

    // Back to the stored words: the poll reads again, as it was (still closed, the motion still carried).
    store(&app, format!(r#"UPDATE polls SET subject = '{{"a_motions_en_bloc": [{}]}}' WHERE id = {pid}"#, a["id"]))
        .await;
    let back = app.get_poll(pid, None).await.expect(200);
    assert_eq!(back["subject"], json!({"a_motions_en_bloc": [a["id"]]}), "{back}");
    assert_eq!(back["status"], "closed", "{back}");
    assert_eq!(conf.outcome_text(&app, a["id"].as_i64().expect("id")).await, "CARRIED");
});

both_backends!(a_stored_poll_wording_that_does_not_read_is_an_error_not_absent, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let mid = conf.motion(&app, json!({"stem": "That conference supports one.", "proposer": "Avon"})).await["id"]
        .as_i64()
        .expect("id");
    let p = app
        .open_poll(mid, json!({"subject": "whole", "majority": "simple", "method": "electronic"}), Some(&conf.chair))
        .await
        .expect(201);
    let pid = p["id"].as_i64().expect("poll id");
    let put = app.get_poll(pid, None).await.expect(200)["wording"].clone();

    // Not read as "no wording stored" (which would put the motion's words as they stand now instead).
    store(&app, format!("UPDATE polls SET wording = '{{\"put\": ' WHERE id = {pid}")).await;
    app.get_poll(pid, None).await.expect_problem(500, "internal");
    app.list_polls(conf.id, None).await.expect_problem(500, "internal");

    // A poll opened before wordings were stored (NULL) still reads: its wording comes from the motion.
    store(&app, format!("UPDATE polls SET wording = NULL WHERE id = {pid}")).await;
    assert_eq!(app.get_poll(pid, None).await.expect(200)["wording"], put);
});

both_backends!(a_stored_a_motions_subject_that_does_not_read_is_an_error_not_no_motions, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let a1 = conf.motion(&app, json!({"stem": "That conference reaffirms policy one.", "marks": ["a"]})).await["id"]
        .as_i64()
        .expect("id");
    let p = app.open_en_bloc(conf.id, json!({}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[0])).await.expect(200);
    app.close_poll(pid, Some(&conf.chair)).await.expect(200);
    app.void_poll_with(pid, json!({"reason": "the count was taken before the bell"}), Some(&conf.chair))
        .await
        .expect(200);
    let m = app.get_motion(a1, None).await.expect(200);
    assert_eq!(m["voided_polls"].as_array().expect("voided").len(), 1);

    // JSON, but not the 'A' motions' ids: not read as a poll on no motion (the void would vanish).
    store(&app, format!("UPDATE polls SET subject = '{{\"a_motions_en_bloc\": \"all\"}}' WHERE id = {pid}")).await;
    app.get_motion(a1, None).await.expect_problem(500, "internal");
    store(&app, format!("UPDATE polls SET subject = '{{\"a_motions_en_bloc\": [{a1}]}}' WHERE id = {pid}")).await;
    app.get_motion(a1, None).await.expect(200);
});

both_backends!(a_stored_mail_word_the_code_does_not_know_is_an_error, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let id = crate::ballots::create_ballot(&app, &officer, json!({})).await;
    app.import_roll(id, roll_csv(2, &["Devon"], false).into_bytes(), Some(&officer)).await.expect(200);
    app.open_ballot(id, Some(&officer)).await.expect(200);
    // Every invitation sent first, so the background sender leaves the rows alone from here on.
    app.send_mail().await;
    assert_eq!(app.mail_status(id, Some(&officer)).await.expect(200)["sent"], 2);

    // A kind no letter has: not counted under some other kind.
    store(&app, format!("UPDATE mail_outbox SET kind = 'telegram' WHERE ballot_id = {id}")).await;
    app.mail_status(id, Some(&officer)).await.expect_problem(500, "internal");
    store(&app, format!("UPDATE mail_outbox SET kind = 'invitation' WHERE ballot_id = {id}")).await;

    // A status no sender writes: not counted as pending.
    store(&app, format!("UPDATE mail_outbox SET status = 'bounced' WHERE ballot_id = {id}")).await;
    app.mail_status(id, Some(&officer)).await.expect_problem(500, "internal");
    store(&app, format!("UPDATE mail_outbox SET status = 'sent' WHERE ballot_id = {id}")).await;
    let status = app.mail_status(id, Some(&officer)).await.expect(200);
    assert_eq!(status["by_kind"][0]["kind"], "invitation");
});

both_backends!(stored_audit_details_that_do_not_read_are_an_error_not_null, |app: TestApp| async move {
    let (_, admin) = app.user_with("admin@example.org", &[Role::Admin]).await;
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    crate::ballots::create_ballot(&app, &officer, json!({})).await;
    let log = app.audit_log(Some(&admin)).await.expect(200);
    assert!(log.as_array().expect("entries").iter().any(|e| e["action"] == "ballot.create"), "{log}");

    store(&app, "UPDATE audit_log SET details = 'not json' WHERE action = 'ballot.create'".to_string()).await;
    app.audit_log(Some(&admin)).await.expect_problem(500, "internal");
});

both_backends!(a_stored_reminder_round_state_the_code_does_not_know_is_an_error, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let (id, _) = crate::roll_admin::open_closing(&app, &officer, 2, chrono::Duration::days(9)).await;
    app.schedule_reminders(id, json!({"days_before_close": [3]}), Some(&officer)).await.expect(200);
    assert_eq!(app.reminder_status(id, Some(&officer)).await.expect(200)["schedule"][0]["state"], "pending");

    // A state no round has: not read as pending (it would be sent) nor as sent (it never would be).
    store(&app, format!("UPDATE reminder_schedule SET state = 'postponed' WHERE ballot_id = {id}")).await;
    app.reminder_status(id, Some(&officer)).await.expect_problem(500, "internal");
    app.schedule_reminders(id, json!({"days_before_close": [4]}), Some(&officer)).await.expect_problem(500, "internal");
    store(&app, format!("UPDATE reminder_schedule SET state = 'pending' WHERE ballot_id = {id}")).await;
    let s = app.reminder_status(id, Some(&officer)).await.expect(200);
    assert_eq!(s["schedule"].as_array().map(Vec::len), Some(1), "the refused change wrote nothing: {s}");
});

both_backends!(a_stored_trustee_key_that_does_not_read_is_an_error_not_no_key, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let trustee = app.user_with("trustee@example.org", &[Role::Trustee]).await;
    let id = crate::e2e::e2e_ballot(&app, &officer, &trustee, "open").await;
    let seen = app.ballot_trustees(id, Some(&officer)).await.expect(200);
    assert!(seen["trustees"][0]["public_key"].is_object(), "{seen}");

    // Not shown as a trustee with a key uploaded but no key to see.
    store(&app, format!("UPDATE e2e_trustees SET public_key = 'not json' WHERE ballot_id = {id}")).await;
    app.ballot_trustees(id, Some(&officer)).await.expect_problem(500, "internal");
});
