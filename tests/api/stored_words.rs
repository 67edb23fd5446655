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
