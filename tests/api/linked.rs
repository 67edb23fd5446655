//! Imported amendments and riders put to the vote on the motion they amend, and the item's own outcome.

use serde_json::{json, Value};

use crate::both_backends;
use crate::conference::conference_with_reps;
use crate::helpers::TestApp;

const SAMPLE: &str = include_str!("../fixtures/agenda-sample.txt");
const LAYOUTS: &str = include_str!("../fixtures/agenda-layouts.txt");

async fn ids(app: &TestApp, conf: i64, token: &str) -> Vec<Value> {
    app.list_motions(conf, Some(token)).await.expect(200).as_array().expect("list").clone()
}

fn find(list: &[Value], item: &str) -> Value {
    list.iter().find(|m| m["item"] == item).cloned().unwrap_or_else(|| panic!("no item {item}"))
}

async fn vote_and_close(app: &TestApp, pid: i64, reps: &[String], choice: &str, chair: &str) -> Value {
    for t in reps {
        app.cast_vote(pid, json!({"choice": choice}), Some(t)).await.expect(200);
    }
    app.close_poll(pid, Some(chair)).await.expect(200)
}

both_backends!(amendment_then_rider_then_the_motion, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    app.import_agenda(conf.id, json!({"text": SAMPLE}), Some(&conf.chair)).await.expect(201);
    let list = ids(&app, conf.id, &conf.chair).await;
    let (fifteen, sixteen, seventeen) = (find(&list, "15"), find(&list, "16"), find(&list, "17"));
    let id = |m: &Value| m["id"].as_i64().expect("id");
    let part1 = fifteen["parts"][0]["label"].as_str().expect("label").to_string();
    let put = |m: i64, dry: bool, body: Value| {
        let path = format!("/api/v1/motions/{m}/put{}", if dry { "?dry_run=true" } else { "" });
        let chair = conf.chair.clone();
        let app = &app;
        async move { app.post(&path, body, Some(&chair)).await }
    };

    // The amendment: read from its wording, put on item 15, before it.
    let preview = put(id(&sixteen), true, json!({})).await.expect(200);
    let amended = "funds the repair of practice premises in full and publishes a timetable";
    assert_eq!(preview["motion_item"], "15");
    assert_eq!(preview["subject"], json!({"amendment": {"part": part1, "text": amended}}), "{preview}");
    assert!(preview["problem"].is_null());
    let poll = put(id(&sixteen), false, json!({"method": "electronic"})).await.expect(201);
    assert_eq!(poll["motion_id"], id(&fifteen));
    assert_eq!(poll["question"], format!("Motion 15: amendment to part {part1}"));
    put(id(&sixteen), false, json!({})).await.expect_problem(409, "conflict");
    vote_and_close(&app, poll["id"].as_i64().expect("poll"), &conf.reps, "for", &conf.chair).await;
    let list = ids(&app, conf.id, &conf.chair).await;
    assert_eq!(find(&list, "16")["outcome_text"], "CARRIED", "the amendment's own outcome");
    assert_eq!(find(&list, "15")["parts"][0]["text"], amended, "the motion as amended");
    assert!(find(&list, "15")["outcome_text"].is_null());
    put(id(&sixteen), true, json!({})).await.expect_problem(409, "conflict");
    // Voted on (on item 15, linked to its own item): it stays on the record.
    let r = app.delete_motion(id(&sixteen), Some(&conf.chair)).await;
    r.expect_problem(409, "conflict");
    assert!(r.text.contains("a vote has been taken on this motion"), "{}", r.text);
    assert_eq!(find(&ids(&app, conf.id, &conf.chair).await, "16")["outcome_text"], "CARRIED");

    // The rider: lost, voided (the item is undecided again), retaken and carried.
    let poll = put(id(&seventeen), false, json!({})).await.expect(201);
    assert_eq!(poll["subject"], json!({"rider": {"text": "reports progress to conference each year."}}));
    let pid = poll["id"].as_i64().expect("poll");
    vote_and_close(&app, pid, &conf.reps, "against", &conf.chair).await;
    assert_eq!(find(&ids(&app, conf.id, &conf.chair).await, "17")["outcome_text"], "LOST");
    app.void_poll_with(pid, json!({"reason": "the wrong card was counted"}), Some(&conf.chair)).await.expect(200);
    assert!(find(&ids(&app, conf.id, &conf.chair).await, "17")["outcome_text"].is_null(), "voided: undecided");
    let poll = put(id(&seventeen), false, json!({})).await.expect(201);
    vote_and_close(&app, poll["id"].as_i64().expect("poll"), &conf.reps, "for", &conf.chair).await;
    let list = ids(&app, conf.id, &conf.chair).await;
    assert_eq!(find(&list, "17")["outcome_text"], "CARRIED");
    assert_eq!(find(&list, "15")["parts"].as_array().expect("parts").len(), 3, "the rider added a part");

    // Then the motion itself; an ordinary motion cannot be put this way.
    let poll = app.open_poll(id(&fifteen), json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    vote_and_close(&app, poll["id"].as_i64().expect("poll"), &conf.reps, "for", &conf.chair).await;
    assert_eq!(find(&ids(&app, conf.id, &conf.chair).await, "15")["outcome_text"], "CARRIED UNANIMOUSLY");
    let r = put(id(&fifteen), false, json!({})).await;
    r.expect_problem(409, "conflict");
    let thirteen = find(&list, "13");
    put(id(&thirteen), false, json!({})).await.expect_problem(422, "validation_failed");
});

both_backends!(an_amendment_of_several_parts_is_given_by_the_chair, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    app.import_agenda(conf.id, json!({"text": LAYOUTS}), Some(&conf.chair)).await.expect(201);
    let list = ids(&app, conf.id, &conf.chair).await;
    let six = find(&list, "6");
    assert_eq!(six["kind"], "amendment");
    let six_id = six["id"].as_i64().expect("id");
    let preview =
        app.post(&format!("/api/v1/motions/{six_id}/put?dry_run=true"), json!({}), Some(&conf.chair)).await.expect(200);
    assert!(preview["problem"].as_str().expect("problem").contains("more than one part"), "{preview}");
    let r = app.put_item_with(six_id, json!({}), Some(&conf.chair)).await;
    r.expect_problem(422, "validation_failed");
    assert!(r.text.contains("give the wording as amended"), "{}", r.text);
    let five = find(&list, "5");
    let label = five["parts"][0]["label"].as_str().expect("label");
    let poll = app
        .put_item_with(
            six_id,
            json!({"part": label, "text": "asks for the trainer grant to double"}),
            Some(&conf.chair),
        )
        .await
        .expect(201);
    assert_eq!(poll["motion_id"], five["id"]);
    app.put_item_with(six_id, json!({"part": label}), Some(&conf.chair)).await.expect_problem(422, "validation_failed");
});
