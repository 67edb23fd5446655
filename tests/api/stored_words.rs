//! Words stored as text (outcomes, kinds, majorities, …) that this version does not know are a load error,
//! answered as a 500 problem (and logged), never read as some default.

use serde_json::json;

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
