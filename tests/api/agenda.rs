//! Importing the agenda as printed, and running an imported agenda through to its resolutions.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::conference::conference_with_reps;
use crate::helpers::TestApp;

const SAMPLE: &str = include_str!("../fixtures/agenda-sample.txt");
const LAYOUTS: &str = include_str!("../fixtures/agenda-layouts.txt");

async fn put(app: &TestApp, path: &str, body: Value, token: Option<&str>) -> crate::helpers::Reply {
    app.request(Method::PUT, path, Some(body), token).await
}

fn numbers(v: &Value) -> Vec<String> {
    v["items"].as_array().expect("items").iter().map(|i| i["number"].as_str().expect("number").to_string()).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(|s| s.as_str().expect("string").to_string()).collect()
}

both_backends!(sample_agenda_previews_then_imports_once, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 0).await;
    let path = format!("/api/v1/conferences/{}/agenda", conf.id);
    let preview =
        app.post(&format!("{path}?dry_run=true"), json!({"text": SAMPLE}), Some(&conf.chair)).await.expect(200);
    assert_eq!(numbers(&preview), ["12", "12a", "12b", "13", "14", "15", "16", "17", "18", "19"]);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(strings(&preview["changes"]["added"]).len(), 10);
    let twelve = &preview["items"][0];
    assert_eq!(twelve["kind"], "motion");
    assert_eq!(twelve["proposer"], "North Staffordshire");
    assert_eq!(twelve["section"], "CONTRACT AND WORKLOAD");
    assert_eq!(twelve["parts"].as_array().expect("parts").len(), 3);
    assert_eq!(twelve["line"], 5);
    assert_eq!(preview["items"][6]["kind"], "amendment");
    assert_eq!(preview["items"][6]["amends"], "15");
    assert_eq!(preview["items"][7]["kind"], "rider");
    assert_eq!(preview["items"][8]["marks"], json!(["a"]));
    assert!(preview["notes"].as_array().expect("notes").iter().any(|n| n["kind"] == "erratum"));
    // A dry run saves nothing.
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    assert_eq!(motions.as_array().expect("motions").len(), 0);

    let saved = app.import_agenda(conf.id, json!({"text": SAMPLE}), Some(&conf.chair)).await.expect(201);
    assert_eq!(strings(&saved["changes"]["added"]).len(), 10);
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    let list = motions.as_array().expect("motions");
    let items: Vec<&str> = list.iter().map(|m| m["item"].as_str().expect("item")).collect();
    assert_eq!(items, ["12", "12a", "12b", "13", "14", "15", "16", "17", "18", "19"], "saved in order");
    assert_eq!(list[1]["bracket"], "12");
    assert_eq!(list[5]["after_parts"], "These measures must be in place before April 2027.");
    assert_eq!(list[6]["kind"], "amendment");
    assert_eq!(list[0]["number"], 12, "a plain number keeps its value");

    // Again: nothing new, nothing duplicated.
    let again = app.import_agenda(conf.id, json!({"text": SAMPLE}), Some(&conf.chair)).await.expect(201);
    assert_eq!(strings(&again["changes"]["unchanged"]).len(), 10);
    assert!(strings(&again["changes"]["added"]).is_empty());
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    assert_eq!(motions.as_array().expect("motions").len(), 10);

    // The hall names items as the printed agenda does ("12a"), not by the motion's internal number.
    let id_12a = list[1]["id"].as_i64().expect("id");
    app.decide_motion(id_12a, json!({"outcome": "withdrawn"}), Some(&conf.chair)).await.expect(200);
    let hall = app.hall_state(conf.id, None).await.expect(200);
    let decided = hall["agenda"]["decided"].as_array().expect("decided");
    let line = decided.iter().find(|l| l["motion_id"] == id_12a).expect("12a among the decided");
    assert_eq!(line["item"], "12a", "the hall's line: {line}");
    // And "next" follows the agenda's order: with 12 and 12a decided, 12b comes next (not 13).
    app.decide_motion(list[0]["id"].as_i64().expect("id"), json!({"outcome": "withdrawn"}), Some(&conf.chair))
        .await
        .expect(200);
    let hall = app.hall_state(conf.id, None).await.expect(200);
    assert_eq!(hall["agenda"]["next"]["item"], "12b", "next: {}", hall["agenda"]["next"]);
});

both_backends!(reimport_updates_by_number_and_keeps_what_was_voted, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    app.import_agenda(conf.id, json!({"text": SAMPLE}), Some(&conf.chair)).await.expect(201);
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    let thirteen = motions.as_array().expect("list").iter().find(|m| m["item"] == "13").expect("13").clone();
    // A vote on 13.
    conf.poll(&app, thirteen["id"].as_i64().expect("id"), json!("whole"), "simple", &["for"]).await;

    let changed = SAMPLE
        .replace("deplores the imposition", "condemns the imposition")
        .replace("conference calls on GPCE to ballot", "conference asks GPCE to ballot")
        .replace("AR 19 NORFOLK", "AR 19 NORFOLK: That conference thanks its staff.\n\n20 NORFOLK");
    let r = app.import_agenda(conf.id, json!({"text": changed}), Some(&conf.chair)).await.expect(201);
    assert_eq!(strings(&r["changes"]["updated"]), ["12a", "19"]);
    assert_eq!(strings(&r["changes"]["added"]), ["20"]);
    assert_eq!(r["changes"]["kept"][0]["number"], "13");
    let m = app.get_motion(&thirteen["id"], None).await.expect(200);
    assert!(m["stem"].as_str().expect("stem").contains("calls on GPCE"), "a voted item is not changed");
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    assert_eq!(motions.as_array().expect("list").len(), 11, "20 is new; nothing is duplicated");
});

both_backends!(agenda_import_refusals, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let path = format!("/api/v1/conferences/{}/agenda", conf.id);
    // Representatives may not import.
    let rep = conf.reps[0].clone();
    app.import_agenda(conf.id, json!({"text": SAMPLE}), Some(&rep)).await.expect_problem(403, "forbidden");
    // Nothing numbered: a dry run says why; a save is refused and writes nothing.
    let r =
        app.post(&format!("{path}?dry_run=true"), json!({"text": "Just a note."}), Some(&conf.chair)).await.expect(200);
    assert!(r["items"].as_array().expect("items").is_empty());
    let r = app.import_agenda(conf.id, json!({"text": "Just a note."}), Some(&conf.chair)).await;
    assert_eq!(r.status.as_u16(), 422);
    app.import_agenda(conf.id, json!({"txt": SAMPLE}), Some(&conf.chair)).await.expect_problem(400, "invalid_json");
    app.import_agenda(999999, json!({"text": SAMPLE}), Some(&conf.chair)).await.expect_problem(404, "not_found");
    // The text itself, uploaded as a .txt file.
    let r = app
        .post_raw(&path, "text/plain; charset=utf-8", LAYOUTS.as_bytes().to_vec(), Some(&conf.chair))
        .await
        .expect(201);
    assert_eq!(numbers(&r).len(), 18);
    assert!(numbers(&r).contains(&"a13".to_string()));
});

/// A 100-item agenda in the printed layouts: a bracket led by 1, amendments and a rider naming their
/// items, 'A' motions, a grey section.
pub fn hundred_items() -> String {
    let mut t = String::from("TEST CONFERENCE OF LMCs — AGENDA (written for carried's tests)\n\nFIRST BUSINESS\n\n");
    t.push_str("1 AGENDA COMMITTEE TO BE PROPOSED BY NORTH WESSEX: That conference believes that practices need:\n(i) more funding\n(ii) more staff\n(iii) fewer targets.\n\n");
    for (k, who) in ["FENLAND", "UPPER DALE", "LOWMOOR"].iter().enumerate() {
        t.push_str(&format!(
            "1{} {who}: That conference supports bracketed view {}.\n\n",
            (b'a' + k as u8) as char,
            k + 1
        ));
    }
    t.push_str("To follow item 2\n");
    t.push_str("2 HILLSHIRE: That conference demands that ICBs:\n1. publish their spending\n2. consult LMCs.\n\n");
    t.push_str("3 Amendment by KENT: that part 2 of item 2 be amended to read \"consult LMCs first\".\n\n");
    t.push_str("4 Rider by SURREY: that the following part be added to item 2: \"3. report each year.\"\n\n");
    t.push_str("SECOND BUSINESS\n\n");
    for n in 5..=90 {
        let who = ["Riverside LMC", "EASTHAM", "WESTHAM", "Northern Regional Council"][n % 4];
        if n % 10 == 0 {
            t.push_str(&format!("A {n} {}: That conference reaffirms policy number {n}.\n\n", who.to_uppercase()));
        } else if n % 3 == 0 {
            t.push_str(&format!("Written by the Agenda Committee and proposed by {who}\n{n} That conference:\ni. asks for item {n} one\nii. asks for item {n} two.\n\n"));
        } else {
            t.push_str(&format!("{n} {}: That conference asks for thing {n}.\n\n", who.to_uppercase()));
        }
    }
    t.push_str("GREY SECTION\n\n");
    for n in 91..=97 {
        t.push_str(&format!("{n} MOORSIDE: That conference asks for grey thing {n}.\n\n"));
    }
    t
}

both_backends!(hundred_item_agenda_runs_to_its_resolutions, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let text = hundred_items();
    let r = app.import_agenda(conf.id, json!({"text": text}), Some(&conf.chair)).await.expect(201);
    assert_eq!(numbers(&r).len(), 100, "{:?}", numbers(&r));
    assert!(r["warnings"].as_array().expect("warnings").is_empty(), "{}", r["warnings"]);
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    let list = motions.as_array().expect("list").clone();
    assert_eq!(list.len(), 100);
    let by = |item: &str| list.iter().find(|m| m["item"] == item).unwrap_or_else(|| panic!("no item {item}")).clone();
    assert_eq!(by("1b")["bracket"], "1");
    assert_eq!(by("3")["amends"], "2");
    assert_eq!(by("4")["kind"], "rider");
    assert_eq!(by("95")["marks"], json!(["grey"]));
    let two = by("2")["id"].as_i64().expect("id");

    // Item 2: the amendment first (carried), then the rider (carried), then the motion in parts.
    app.take_motion_with(two, json!({"as": "parts"}), Some(&conf.chair)).await.expect(200);
    conf.poll(
        &app,
        two,
        json!({"amendment": {"part": "(2)", "text": "consult LMCs first."}}),
        "simple",
        &["for", "for", "against"],
    )
    .await;
    conf.poll(&app, two, json!({"rider": {"text": "report each year."}}), "simple", &["for", "for", "for"]).await;
    let m = app.get_motion(two, None).await.expect(200);
    let labels: Vec<&str> =
        m["parts"].as_array().expect("parts").iter().map(|p| p["label"].as_str().expect("label")).collect();
    assert_eq!(labels, ["(1)", "(2)", "(3)"]);
    for (label, votes) in
        [("(1)", ["for", "for", "for"]), ("(2)", ["for", "against", "against"]), ("(3)", ["for", "for", "abstain"])]
    {
        conf.poll(&app, two, json!({"part": label}), "simple", &votes).await;
    }
    let m = app.get_motion(two, None).await.expect(200);
    assert_eq!(m["outcome_text"], "PARTS (1) AND (3) CARRIED; PART (2) LOST");
    assert_eq!(m["parts"][1]["text"], "consult LMCs first.");

    // Item 1 as a whole.
    let one = by("1")["id"].as_i64().expect("id");
    conf.poll(&app, one, json!("whole"), "simple", &["for", "for", "for"]).await;
    // The 'A' motions en bloc.
    let p = app.open_en_bloc(conf.id, json!({}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("poll id");
    for tok in &conf.reps {
        app.cast_vote(pid, json!({"choice": "for"}), Some(tok)).await.expect(200);
    }
    app.close_poll(pid, Some(&conf.chair)).await.expect(200);
    for n in ["10", "20", "90"] {
        let m = app.get_motion(&by(n)["id"], None).await.expect(200);
        assert_eq!(m["outcome_text"], "CARRIED", "item {n}");
    }
    // Item 5 lost, then closing the conference leaves the rest NOT REACHED.
    conf.poll(&app, by("5")["id"].as_i64().expect("id"), json!("whole"), "simple", &["against", "against", "for"])
        .await;
    app.close_conference_with(conf.id, json!({"confirm": true}), Some(&conf.chair)).await.expect(200);
    let res = app.resolutions(conf.id, None).await.expect(200);
    let outcome = |item: &str| -> String {
        res["motions"]
            .as_array()
            .expect("motions")
            .iter()
            .find(|m| m["item"] == item)
            .and_then(|m| m["outcome_text"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(outcome("1"), "CARRIED UNANIMOUSLY");
    assert_eq!(outcome("2"), "PARTS (1) AND (3) CARRIED; PART (2) LOST");
    assert_eq!(outcome("5"), "LOST");
    assert_eq!(outcome("10"), "CARRIED");
    assert_eq!(outcome("95"), "NOT REACHED");
    assert_eq!(outcome("1a"), "NOT REACHED");
});

both_backends!(a_voided_poll_is_undone_recorded_and_retaken, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    app.import_agenda(conf.id, json!({"text": SAMPLE}), Some(&conf.chair)).await.expect(201);
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    let id_of = |item: &str| -> i64 {
        motions.as_array().expect("list").iter().find(|m| m["item"] == item).and_then(|m| m["id"].as_i64()).expect("id")
    };
    let twelve = id_of("12");
    app.take_motion_with(twelve, json!({"as": "parts"}), Some(&conf.chair)).await.expect(200);
    let first = conf.poll(&app, twelve, json!({"part": "(i)"}), "simple", &["for", "for", "against"]).await;
    let first_id = first["id"].as_i64().expect("id");
    let rider = conf
        .poll(&app, twelve, json!({"rider": {"text": "reports back in a year."}}), "simple", &["for", "for", "for"])
        .await;
    let rider_id = rider["id"].as_i64().expect("id");
    let m = app.get_motion(twelve, None).await.expect(200);
    assert_eq!(m["parts"].as_array().expect("parts").len(), 4, "the rider added a part");

    // Only the latest poll on the motion may be voided; a reason is needed.
    app.void_poll_with(first_id, json!({"reason": "wrong part"}), Some(&conf.chair))
        .await
        .expect_problem(409, "conflict");
    app.void_poll_with(rider_id, json!({"reason": "  "}), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");
    app.void_poll_with(rider_id, json!({"reason": "x"}), Some(&conf.reps[0])).await.expect_problem(403, "forbidden");
    let v = app
        .void_poll_with(rider_id, json!({"reason": "the rider was not seconded"}), Some(&conf.chair))
        .await
        .expect(200);
    assert_eq!(v["status"], "void");
    let m = app.get_motion(twelve, None).await.expect(200);
    assert_eq!(m["parts"].as_array().expect("parts").len(), 3, "the rider's part is gone");
    // Now the first poll is the latest: void it, and part (i) is undecided again.
    app.void_poll_with(first_id, json!({"reason": "the count was taken before the bell"}), Some(&conf.chair))
        .await
        .expect(200);
    app.void_poll_with(first_id, json!({"reason": "again"}), Some(&conf.chair)).await.expect_problem(409, "conflict");
    let m = app.get_motion(twelve, None).await.expect(200);
    assert_eq!(m["parts"][0]["outcome"], Value::Null);
    assert_eq!(m["voided_polls"].as_array().expect("voided").len(), 2);
    // Retaken: lost this time.
    conf.poll(&app, twelve, json!({"part": "(i)"}), "simple", &["against", "against", "for"]).await;
    let m = app.get_motion(twelve, None).await.expect(200);
    assert_eq!(m["parts"][0]["outcome"], "lost");
    let record = app.motion_record_as(twelve, "text", None).await;
    assert_eq!(record.status.as_u16(), 200);
    let text = record.text;
    assert!(
        text.contains("Vote voided by the chair: Motion 12: part (i) — void: the count was taken before the bell"),
        "{text}"
    );
    // In the audit log, with the reason.
    let admin = app.admin().await;
    let log = app.audit_log(Some(&admin)).await.expect(200);
    let voids: Vec<&Value> = log.as_array().expect("entries").iter().filter(|e| e["action"] == "poll.void").collect();
    assert_eq!(voids.len(), 2);
    assert!(voids.iter().any(|e| e["details"]["reason"] == "the rider was not seconded"));
});

both_backends!(closing_asks_to_confirm_and_taking_in_parts_can_be_undone, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 4).await;
    app.import_agenda(conf.id, json!({"text": SAMPLE}), Some(&conf.chair)).await.expect(201);
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    let id_of = |item: &str| -> i64 {
        motions.as_array().expect("list").iter().find(|m| m["item"] == item).and_then(|m| m["id"].as_i64()).expect("id")
    };
    // Taken in parts, then back to a whole before any vote; not after a part is voted.
    let twelve = id_of("12");
    app.take_motion_with(twelve, json!({"as": "parts"}), Some(&conf.chair)).await.expect(200);
    let m = app.take_motion_with(twelve, json!({"as": "whole"}), Some(&conf.chair)).await.expect(200);
    assert_eq!(m["taken_as"], "whole");
    app.take_motion_with(twelve, json!({"as": "parts"}), Some(&conf.chair)).await.expect(200);
    conf.poll(&app, twelve, json!({"part": "(i)"}), "simple", &["for", "for", "for"]).await;
    app.take_motion_with(twelve, json!({"as": "whole"}), Some(&conf.chair)).await.expect_problem(409, "conflict");

    // One of four voting: closing asks to confirm; two of four: it does not.
    let p = app.open_poll(id_of("13"), json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[0])).await.expect(200);
    let check = app.poll_close_check(pid, Some(&conf.chair)).await.expect(200);
    assert_eq!(check["needs_confirmation"], true);
    assert_eq!(check["registered"], 4);
    assert!(check["message"].as_str().expect("message").contains("Only 1 of 4"));
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[1])).await.expect(200);
    let check = app.poll_close_check(pid, Some(&conf.chair)).await.expect(200);
    assert_eq!(check["needs_confirmation"], false);
    app.poll_close_check(pid, Some(&conf.reps[0])).await.expect_problem(403, "forbidden");
    // While a poll is open the conference cannot be closed; the check says so.
    let c = app.conference_close_check(conf.id, Some(&conf.chair)).await.expect(200);
    assert_eq!(c["open_poll"], true);
    app.close_poll(pid, Some(&conf.chair)).await.expect(200);
    let c = app.conference_close_check(conf.id, Some(&conf.chair)).await.expect(200);
    assert_eq!(c["open_poll"], false);
    assert_eq!(c["not_reached"], 9, "10 items, 13 decided (12 is only partly decided): {c}");
    assert_eq!(c["items"][0], "12");
    app.close_conference_with(conf.id, json!({"confirm": true}), Some(&conf.chair)).await.expect(200);
    // The check said what closing did: those nine, and no other, are (in part) NOT REACHED.
    let res = app.resolutions(conf.id, None).await.expect(200);
    let not_reached: Vec<&str> = res["motions"]
        .as_array()
        .expect("motions")
        .iter()
        .filter(|m| m["outcome_text"].as_str().is_some_and(|t| t.contains("NOT REACHED")))
        .map(|m| m["item"].as_str().expect("item"))
        .collect();
    assert_eq!(not_reached, strings(&c["items"]));
});

both_backends!(running_order_edit_and_delete_until_a_vote, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    app.import_agenda(conf.id, json!({"text": SAMPLE}), Some(&conf.chair)).await.expect(201);
    let list = |v: &Value| -> Vec<(i64, String)> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|m| (m["id"].as_i64().expect("id"), m["item"].as_str().expect("item").to_string()))
            .collect()
    };
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    let mut order = list(&motions);
    // Item 19 is taken first.
    let last = order.pop().expect("19");
    order.insert(0, last);
    let ids: Vec<i64> = order.iter().map(|(id, _)| *id).collect();
    let r = app.set_running_order(conf.id, json!({"motions": ids}), Some(&conf.chair)).await.expect(200);
    assert_eq!(list(&r)[0].1, "19");
    let again = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    assert_eq!(list(&again)[0].1, "19");
    assert_eq!(list(&again)[1].1, "12");
    // Every motion exactly once.
    app.set_running_order(conf.id, json!({"motions": &ids[1..]}), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");
    app.set_running_order(conf.id, json!({"motions": [ids[0], ids[0]]}), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");

    // Edit 13 (a typo in the printed text), renumber 12b, delete 12a.
    let id_of = |item: &str| order.iter().find(|(_, n)| n == item).map(|(id, _)| *id).expect("item");
    let m = put(
        &app,
        &format!("/api/v1/motions/{}", id_of("13")),
        json!({"stem": "That conference calls for a ballot.", "parts": [{"text": "now"}, {"text": "later"}]}),
        Some(&conf.chair),
    )
    .await
    .expect(200);
    assert_eq!(m["stem"], "That conference calls for a ballot.");
    assert_eq!(m["parts"][1]["label"], "(ii)");
    let m = put(&app, &format!("/api/v1/motions/{}", id_of("12b")), json!({"item": "12c"}), Some(&conf.chair))
        .await
        .expect(200);
    assert_eq!(m["item"], "12c");
    put(&app, &format!("/api/v1/motions/{}", id_of("12b")), json!({"item": "13"}), Some(&conf.chair))
        .await
        .expect_problem(409, "conflict");
    let r = app.delete_motion(id_of("12a"), Some(&conf.chair)).await;
    assert_eq!(r.status.as_u16(), 204);
    app.get_motion(id_of("12a"), None).await.expect_problem(404, "not_found");

    // After a vote: no more edits or deletion; withdrawing is the way.
    conf.poll(&app, id_of("14"), json!("whole"), "simple", &["for"]).await;
    put(&app, &format!("/api/v1/motions/{}", id_of("14")), json!({"stem": "That x."}), Some(&conf.chair))
        .await
        .expect_problem(409, "conflict");
    let r = app.delete_motion(id_of("14"), Some(&conf.chair)).await;
    assert_eq!(r.status.as_u16(), 409);
    // Moved to the grey section and withdrawn, before a vote.
    let m = app.set_marks(id_of("18"), json!({"marks": ["a", "grey"]}), Some(&conf.chair)).await.expect(200);
    assert_eq!(m["marks"], json!(["a", "grey"]));
    let m = app.decide_motion(id_of("17"), json!({"outcome": "withdrawn"}), Some(&conf.chair)).await.expect(200);
    assert_eq!(m["outcome_text"], "WITHDRAWN");
});
