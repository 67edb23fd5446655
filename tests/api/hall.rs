//! The hall (issue 13): the exact words put to the vote, one snapshot to catch up with, the
//! representative's agenda and conferences.

use serde_json::json;

use crate::both_backends;
use crate::conference::conference_with_reps;
use crate::helpers::TestApp;

const SEED: &str = include_str!("../fixtures/motion-2025-online-access.txt");

both_backends!(a_poll_gives_the_exact_words_put_as_they_stood_when_it_opened, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let m = conf.motion(&app, json!({"text": SEED})).await;
    let mid = m["id"].as_i64().expect("id");
    let old_ii = m["parts"][1]["text"].as_str().expect("part (ii)").to_string();
    let amended = "insists that practices keep the flexibility to decide how they offer access";
    let p = app
        .open_poll(mid, json!({"subject": {"amendment": {"part": "(ii)", "text": amended}}}), Some(&conf.chair))
        .await
        .expect(201);
    let pid = p["id"].as_i64().expect("poll id");
    // The event and the view carry the same wording; any signed-in user may read it.
    assert_eq!(p["wording"]["kind"], "amendment", "{p}");
    let got = app.get_poll(pid, Some(&conf.reps[0])).await.expect(200);
    let w = &got["wording"];
    assert_eq!(w["heading"], "Amendment to motion 1, part (ii)");
    assert_eq!(w["words"], json!([{"label": "(ii)", "text": amended}]));
    assert_eq!(w["context_heading"], "Replacing part (ii)");
    assert_eq!(w["context"][0]["text"], old_ii.as_str());
    assert_eq!(got["representatives"], 3);
    for tok in &conf.reps[..2] {
        app.cast_vote(pid, json!({"choice": "for"}), Some(tok)).await.expect(200);
    }
    app.cast_vote(pid, json!({"choice": "abstain"}), Some(&conf.reps[2])).await.expect(200);
    let closed = app.close_poll(pid, Some(&conf.chair)).await.expect(200);
    assert_eq!(closed["result_text"], "CARRIED NEM CON");
    assert_eq!(closed["percentages"], json!({"for": 100.0, "against": 0.0}));
    // The amendment carried: the motion changed, but the poll still says what was put.
    let motion = app.get_motion(mid, None).await.expect(200);
    assert_eq!(motion["parts"][1]["text"], amended);
    let again = app.get_poll(pid, Some(&conf.reps[0])).await.expect(200);
    assert_eq!(again["wording"]["context"][0]["text"], old_ii.as_str(), "{}", again["wording"]);
    // A poll stored before wordings were (no wording column value): derived from the motion as it is now.
    app.state
        .db
        .run(move |c| {
            use carried::db::schema::polls;
            use diesel::prelude::*;
            diesel::update(polls::table.filter(polls::id.eq(pid))).set(polls::wording.eq(None::<String>)).execute(c)?;
            Ok(())
        })
        .await
        .expect("clear the stored wording");
    let derived = app.get_poll(pid, Some(&conf.reps[0])).await.expect(200);
    assert_eq!(derived["wording"]["heading"], "Amendment to motion 1, part (ii)");
    assert_eq!(derived["wording"]["context"][0]["text"], amended, "{}", derived["wording"]);
    // A part put afterwards is put in its amended words.
    let part = app.open_poll(mid, json!({"subject": {"part": "(ii)"}}), Some(&conf.chair)).await.expect(201);
    assert_eq!(part["wording"]["words"][0]["text"], amended);
    assert!(part["wording"]["text"].as_str().expect("text").contains(&format!("(ii) {amended}")));
});

both_backends!(the_hall_snapshot_has_the_vote_the_own_vote_and_the_agenda, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 2).await;
    let one = conf.motion(&app, json!({"stem": "That conference supports one.", "proposer": "Avon"})).await;
    let two = conf.motion(&app, json!({"stem": "That conference supports two."})).await;
    conf.motion(&app, json!({"stem": "That conference supports three."})).await;
    let (one, two) = (one["id"].as_i64().expect("id"), two["id"].as_i64().expect("id"));
    let h = app.hall_state(conf.id, Some(&conf.reps[0])).await.expect(200);
    assert!(h["open_poll"].is_null() && h["last_closed"].is_null(), "{h}");
    assert_eq!(h["representative"], true);
    assert_eq!(h["agenda"]["now"], json!([]));
    assert_eq!(h["agenda"]["next"]["number"], 1);
    conf.poll(&app, one, json!("whole"), "simple", &["for", "for"]).await;
    let p = app.open_poll(two, json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    app.cast_vote(pid, json!({"choice": "against"}), Some(&conf.reps[1])).await.expect(200);
    // Sending the same vote again does not count twice.
    app.cast_vote(pid, json!({"choice": "against"}), Some(&conf.reps[1])).await.expect(200);
    let h = app.hall_state(conf.id, Some(&conf.reps[1])).await.expect(200);
    assert_eq!(h["open_poll"]["id"], pid);
    assert_eq!(h["open_poll"]["votes_cast"], 1);
    assert_eq!(h["my_vote"], "against");
    assert_eq!(h["last_closed"]["result_text"], "CARRIED UNANIMOUSLY");
    assert_eq!(h["agenda"]["now"][0]["number"], 2);
    assert_eq!(h["agenda"]["next"]["number"], 3);
    assert_eq!(h["agenda"]["decided"][0]["outcome_text"], "CARRIED UNANIMOUSLY");
    assert_eq!(h["agenda"]["decided"][0]["proposer"], "Avon");
    let other = app.hall_state(conf.id, Some(&conf.reps[0])).await.expect(200);
    assert!(other["my_vote"].is_null(), "{other}");
    // The projector, signed out, sees the vote but no one's own vote.
    let anon = app.hall_state(conf.id, None).await.expect(200);
    assert_eq!(anon["representative"], false);
    assert!(anon["my_vote"].is_null());
    app.hall_state(999999, None).await.expect(404);
});

both_backends!(a_show_of_hands_counts_no_votes_cast, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let mid = conf.motion(&app, json!({"stem": "That conference raises its hands."})).await["id"].as_i64().expect("id");
    let p =
        app.open_poll(mid, json!({"subject": "whole", "method": "show_of_hands"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    let closed = app.close_poll_with(pid, json!({"result": "carried"}), Some(&conf.chair)).await.expect(200);
    assert_eq!(closed["result_text"], "CARRIED");
    assert!(closed["counts"].is_null() && closed["percentages"].is_null(), "{closed}");
});

both_backends!(a_representative_sees_only_their_own_conferences, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    app.create_conference(json!({"name": "Another conference"}), Some(&conf.chair)).await.expect(201);
    let mine = app.my_conferences(Some(&conf.reps[0])).await.expect(200);
    let ids: Vec<i64> = mine.as_array().expect("list").iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(ids, vec![conf.id]);
    app.my_conferences(None).await.expect(401);
});

// A stored word the code does not know (here a majority no rule has) is a load error, answered as a 500
// problem, never read as a simple majority.
both_backends!(a_stored_majority_the_code_does_not_know_is_an_error_not_a_simple_majority, |app: TestApp| async move {
    use diesel::RunQueryDsl;
    let conf = conference_with_reps(&app, 1).await;
    let m = conf.motion(&app, json!({"stem": "That conference supports one.", "proposer": "Avon"})).await;
    let mid = m["id"].as_i64().expect("id");
    let p = app.open_poll(mid, json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("poll id");
    assert_eq!(p["majority"], "simple");
    app.state
        .db
        .run(move |c| {
            diesel::sql_query(format!("UPDATE polls SET majority = 'three_quarters' WHERE id = {pid}")).execute(c)?;
            Ok(())
        })
        .await
        .expect("update");
    app.get_poll(pid, None).await.expect_problem(500, "internal");
    app.close_poll_with(pid, json!({"confirm": true}), Some(&conf.chair)).await.expect_problem(500, "internal");
});
