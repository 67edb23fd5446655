//! The conference half over HTTP: motions pasted as printed, taken in parts, voted live, recorded.

use carried::services::auth::Role;
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

const SEED: &str = include_str!("../fixtures/motion-2025-online-access.txt");

pub struct Conf {
    pub id: i64,
    pub chair: String,
    pub reps: Vec<String>,
}

/// A conference with a chair and `n` registered representatives.
pub async fn conference_with_reps(app: &TestApp, n: usize) -> Conf {
    let (_, chair) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let c = app
        .create_conference(json!({"name": "Conference of England LMCs", "venue": "Manchester"}), Some(&chair))
        .await
        .expect(201);
    let id = c["id"].as_i64().expect("id");
    let mut reps = Vec::new();
    for i in 0..n {
        let email = format!("rep{i}@example.org");
        let uid = app.seed_user(&email, &[Role::Representative]).await;
        app.add_representative(id, json!({"user_id": uid, "lmc": format!("LMC {i}")}), Some(&chair)).await.expect(201);
        reps.push(app.login(&email).await);
    }
    Conf { id, chair, reps }
}

impl Conf {
    pub async fn motion(&self, app: &TestApp, body: Value) -> Value {
        app.create_motion(self.id, body, Some(&self.chair)).await.expect(201)
    }

    /// Open a poll, cast `choices` (one per representative, in order), close it; returns the closed poll.
    pub async fn poll(&self, app: &TestApp, motion_id: i64, subject: Value, majority: &str, choices: &[&str]) -> Value {
        let p = app
            .open_poll(
                motion_id,
                json!({"subject": subject, "majority": majority, "method": "electronic"}),
                Some(&self.chair),
            )
            .await
            .expect(201);
        let pid = p["id"].as_i64().expect("poll id");
        assert_eq!(p["status"], "open");
        for (tok, ch) in self.reps.iter().zip(choices) {
            app.cast_vote(pid, json!({"choice": ch}), Some(tok)).await.expect(200);
        }
        app.close_poll(pid, Some(&self.chair)).await.expect(200)
    }

    pub async fn outcome_text(&self, app: &TestApp, motion_id: i64) -> Value {
        app.get_motion(motion_id, None).await.expect(200)["outcome_text"].clone()
    }
}

fn structured(stem: &str, n: usize) -> Value {
    let parts: Vec<Value> = (0..n).map(|i| json!({"text": format!("part number {}", i + 1)})).collect();
    json!({"proposer": "Lambeth", "stem": stem, "parts": parts})
}

both_backends!(seed_motion_is_carried_in_all_parts, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let m = conf.motion(&app, json!({"text": SEED})).await;
    assert_eq!(m["proposer"], "North Staffordshire");
    assert_eq!(m["agenda_committee"], true);
    assert!(m["stem"]
        .as_str()
        .is_some_and(|s| s.starts_with("That conference is deeply concerned") && s.contains("(08:00–18:30)")));
    let labels: Vec<&str> = m["parts"].as_array().expect("parts").iter().filter_map(|p| p["label"].as_str()).collect();
    assert_eq!(labels, ["(i)", "(ii)", "(iii)", "(iv)", "(v)"]);
    assert!(m["parts"][4]["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("mandates GPCE to prepare options for action")));
    let mid = m["id"].as_i64().expect("id");
    assert_eq!(m["outcome_text"], Value::Null);
    for label in labels {
        let closed = conf.poll(&app, mid, json!({"part": label}), "simple", &["for", "for", "against"]).await;
        assert_eq!(closed["counts"], json!({"for": 2, "against": 1, "abstain": 0}));
        assert_eq!(closed["result"], "carried");
    }
    assert_eq!(conf.outcome_text(&app, mid).await, "CARRIED IN ALL PARTS");
    let text = app.motion_record_as(mid, "text", None).await.text;
    assert!(text.contains("AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE:"), "{text}");
    assert!(text.contains("(iii) insists that online consultations may be curtailed"), "{text}");
    assert!(text.contains("for 2, against 1, abstain 0"), "{text}");
    assert!(text.trim_end().ends_with("CARRIED IN ALL PARTS"), "{text}");
    let json = app.motion_record(mid, None).await.expect(200);
    assert_eq!(json["record"]["outcome_text"], "CARRIED IN ALL PARTS");
});

both_backends!(mixed_parts_are_grouped_in_order, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let m = conf.motion(&app, structured("That conference believes:", 5)).await;
    let mid = m["id"].as_i64().expect("id");
    let plan = [
        ("(i)", ["for", "for", "for"]),
        ("(ii)", ["against", "against", "for"]),
        ("(iii)", ["for", "for", "against"]),
        ("(iv)", ["for", "against", "abstain"]),
        ("(v)", ["for", "for", "abstain"]),
    ];
    for (label, votes) in plan {
        conf.poll(&app, mid, json!({"part": label}), "simple", &votes).await;
    }
    assert_eq!(conf.outcome_text(&app, mid).await, "PARTS (i), (iii) AND (v) CARRIED; PARTS (ii) AND (iv) LOST");
    let view = app.get_motion(mid, None).await.expect(200);
    assert_eq!(view["parts"][0]["qualifier"], "unanimously");
    assert_eq!(view["parts"][4]["qualifier"], "nem_con");
    assert_eq!(view["parts"][3]["outcome"], "lost", "a tie is lost");
});

both_backends!(whole_motion_qualifiers_and_majorities, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let cases: [(&str, [&str; 3], Value); 6] = [
        ("simple", ["for", "for", "for"], json!("CARRIED UNANIMOUSLY")),
        ("simple", ["for", "for", "abstain"], json!("CARRIED NEM CON")),
        ("simple", ["for", "for", "against"], json!("CARRIED")),
        ("two_thirds", ["for", "for", "against"], json!("CARRIED BY A TWO-THIRDS MAJORITY")),
        ("two_thirds", ["for", "against", "abstain"], json!("LOST")),
        ("simple", ["for", "against", "abstain"], json!("LOST")),
    ];
    for (i, (majority, votes, expected)) in cases.into_iter().enumerate() {
        let m = conf.motion(&app, json!({"stem": format!("That conference case {i}.")})).await;
        let mid = m["id"].as_i64().expect("id");
        let closed = conf.poll(&app, mid, json!("whole"), majority, &votes).await;
        assert_eq!(closed["majority"], majority);
        assert_eq!(conf.outcome_text(&app, mid).await, expected, "case {i}");
    }
});

both_backends!(procedural_outcomes_reference_withdrawn_and_not_reached, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let reference =
        conf.motion(&app, json!({"stem": "That conference asks for a review."})).await["id"].as_i64().expect("id");
    conf.poll(
        &app,
        reference,
        json!({"procedural": {"kind": "taken_as_reference", "part": null}}),
        "simple",
        &["for", "for", "against"],
    )
    .await;
    assert_eq!(conf.outcome_text(&app, reference).await, "CARRIED AS A REFERENCE");

    let withdrawn =
        conf.motion(&app, json!({"stem": "That conference withdraws this."})).await["id"].as_i64().expect("id");
    let r = app.decide_motion(withdrawn, json!({"outcome": "withdrawn"}), Some(&conf.chair)).await;
    assert_eq!(r.expect(200)["outcome_text"], "WITHDRAWN");

    let closure =
        conf.motion(&app, json!({"stem": "That conference debates at length."})).await["id"].as_i64().expect("id");
    let p = conf
        .poll(
            &app,
            closure,
            json!({"procedural": {"kind": "motion_be_now_put", "part": null}}),
            "two_thirds",
            &["for", "for", "for"],
        )
        .await;
    assert_eq!(p["result"], "carried");
    assert_eq!(conf.outcome_text(&app, closure).await, Value::Null, "closure only ends the debate");

    let in_parts = conf.motion(&app, structured("That conference wants:", 3)).await["id"].as_i64().expect("id");
    conf.poll(&app, in_parts, json!({"part": "(i)"}), "simple", &["for", "for", "for"]).await;
    let untouched =
        conf.motion(&app, json!({"stem": "That conference never gets here."})).await["id"].as_i64().expect("id");

    app.close_conference_with(conf.id, json!({"confirm": true}), Some(&conf.chair)).await.expect(200);
    assert_eq!(conf.outcome_text(&app, untouched).await, "NOT REACHED");
    assert_eq!(conf.outcome_text(&app, in_parts).await, "PART (i) CARRIED; PARTS (ii) AND (iii) NOT REACHED");
    assert_eq!(conf.outcome_text(&app, closure).await, "NOT REACHED");
    assert_eq!(
        conf.outcome_text(&app, reference).await,
        "CARRIED AS A REFERENCE",
        "decided motions keep their outcome"
    );
});

both_backends!(amendments_change_text_and_riders_add_parts, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let mid = conf.motion(&app, structured("That conference:", 2)).await["id"].as_i64().expect("id");
    conf.poll(
        &app,
        mid,
        json!({"amendment": {"part": "(ii)", "text": "part two as amended"}}),
        "simple",
        &["for", "for", "against"],
    )
    .await;
    conf.poll(
        &app,
        mid,
        json!({"amendment": {"part": "(i)", "text": "a lost amendment"}}),
        "simple",
        &["against", "against", "for"],
    )
    .await;
    conf.poll(&app, mid, json!({"rider": {"text": "and a rider"}}), "simple", &["for", "for", "for"]).await;
    let view = app.get_motion(mid, None).await.expect(200);
    assert_eq!(view["parts"][0]["text"], "part number 1");
    assert_eq!(view["parts"][1]["text"], "part two as amended");
    assert_eq!(view["parts"][2]["label"], "(iii)");
    assert_eq!(view["parts"][2]["added_by_rider"], true);
    for label in ["(i)", "(ii)", "(iii)"] {
        conf.poll(&app, mid, json!({"part": label}), "simple", &["for", "for", "against"]).await;
    }
    assert_eq!(conf.outcome_text(&app, mid).await, "CARRIED IN ALL PARTS");
});

both_backends!(who_may_vote_and_when, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 2).await;
    let mid = conf.motion(&app, json!({"stem": "That conference votes."})).await["id"].as_i64().expect("id");
    let p = app.open_poll(mid, json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");

    // A second poll cannot open while one is open.
    app.open_poll(mid, json!({"subject": "whole"}), Some(&conf.chair)).await.expect_problem(409, "conflict");
    // Representatives of another conference, and non-representatives, cannot vote.
    let other = app.create_conference(json!({"name": "Another conference"}), Some(&conf.chair)).await.expect(201);
    let uid = app.seed_user("elsewhere@example.org", &[Role::Representative]).await;
    app.add_representative(&other["id"], json!({"user_id": uid, "lmc": "Devon"}), Some(&conf.chair)).await.expect(201);
    let elsewhere = app.login("elsewhere@example.org").await;
    app.cast_vote(pid, json!({"choice": "for"}), Some(&elsewhere)).await.expect_problem(403, "forbidden");
    app.cast_vote(pid, json!({"choice": "for"}), None).await.expect_problem(401, "unauthenticated");
    app.cast_vote(pid, json!({"choice": "maybe"}), Some(&conf.reps[0])).await.expect_problem(400, "invalid_json");
    // Votes are counted once and can be changed until close; nobody sees counts before.
    let ack = app.cast_vote(pid, json!({"choice": "against"}), Some(&conf.reps[0])).await.expect(200);
    assert_eq!(ack["votes_cast"], 1);
    let ack = app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[0])).await.expect(200);
    assert_eq!(ack["votes_cast"], 1);
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[1])).await.expect(200);
    let open = app.get_poll(pid, None).await.expect(200);
    assert_eq!(open["counts"], Value::Null);
    assert_eq!(open["votes_cast"], 2);
    let mine = app.my_vote(pid, Some(&conf.reps[0])).await.expect(200);
    assert_eq!(mine["choice"], "for");
    // Only the chair closes.
    app.close_poll(pid, Some(&conf.reps[0])).await.expect_problem(403, "forbidden");
    let closed = app.close_poll(pid, Some(&conf.chair)).await.expect(200);
    assert_eq!(closed["counts"], json!({"for": 2, "against": 0, "abstain": 0}));
    app.cast_vote(pid, json!({"choice": "against"}), Some(&conf.reps[1])).await.expect_problem(409, "poll_closed");
    app.close_poll(pid, Some(&conf.chair)).await.expect_problem(409, "poll_closed");
    assert_eq!(conf.outcome_text(&app, mid).await, "CARRIED UNANIMOUSLY");
});

both_backends!(show_of_hands_is_declared_by_the_chair, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let mid = conf.motion(&app, json!({"stem": "That conference raises hands."})).await["id"].as_i64().expect("id");
    let p =
        app.open_poll(mid, json!({"subject": "whole", "method": "show_of_hands"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[0])).await.expect_problem(409, "conflict");
    app.close_poll(pid, Some(&conf.chair)).await.expect_problem(422, "validation_failed");
    let r = app
        .close_poll_with(
            pid,
            json!({"result": "carried", "counts": {"for": 10, "against": 12, "abstain": 0}}),
            Some(&conf.chair),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    let closed = app
        .close_poll_with(
            pid,
            json!({"result": "carried", "counts": {"for": 120, "against": 12, "abstain": 3}}),
            Some(&conf.chair),
        )
        .await
        .expect(200);
    assert_eq!(closed["counts"]["for"], 120);
    assert_eq!(conf.outcome_text(&app, mid).await, "CARRIED");
});

both_backends!(unreadable_motions_say_where_and_write_nothing, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 0).await;
    let r = app
        .create_motion(
            conf.id,
            json!({"text": "LAMBETH LMC\nConference notes that:\n(i) one\n(iii) three"}),
            Some(&conf.chair),
        )
        .await;
    r.expect_problem(422, "motion_unreadable");
    assert!(r.body["detail"].as_str().unwrap_or("").contains("line"), "{}", r.text);
    let r = app.create_motion(conf.id, json!({"text": ""}), Some(&conf.chair)).await;
    r.expect_problem(422, "motion_unreadable");
    let agenda = app.list_motions(conf.id, None).await.expect(200);
    assert_eq!(agenda, json!([]));
});

both_backends!(agenda_marks_and_resolutions_report, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 1).await;
    let a = conf
        .motion(
            &app,
            json!({"stem": "That conference <script>alert(1)</script> reaffirms policy.", "marks": ["a"], "number": 5}),
        )
        .await;
    let starred = conf
        .motion(&app, json!({"stem": "That conference debates this.", "marks": ["starred"], "needs_two_thirds": true}))
        .await;
    assert_eq!(starred["number"], 6);
    let aid = a["id"].as_i64().expect("id");
    app.decide_motion(aid, json!({"outcome": "carried"}), Some(&conf.chair)).await.expect(200);
    // Only A/AR motions are carried without a vote.
    app.decide_motion(&starred["id"], json!({"outcome": "carried"}), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");
    let p = app.open_poll(&starred["id"], json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    assert_eq!(p["majority"], "two_thirds", "the agenda committee's two-thirds mark sets the default");
    let agenda = app.list_motions(conf.id, None).await.expect(200);
    assert_eq!(agenda[0]["marks"], json!(["a"]));
    assert_eq!(agenda[0]["outcome_text"], "CARRIED");
    let html = app.resolutions_as(conf.id, "html", None).await.text;
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>alert"), "motion text is escaped");
    let csv = app.resolutions_as(conf.id, "csv", None).await.text;
    assert!(csv.lines().nth(1).is_some_and(|l| l.starts_with("5,") && l.ends_with("\"CARRIED\"")), "{csv}");
    let md = app.resolutions_as(conf.id, "md", None).await.text;
    assert!(md.contains("CARRIED"), "{md}");
    app.resolutions_as(conf.id, "pdf", None).await.expect_problem(400, "bad_request");
});

both_backends!(live_events_follow_the_poll, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 2).await;
    let mid = conf.motion(&app, json!({"stem": "That conference watches live."})).await["id"].as_i64().expect("id");
    let resp = app.client.get(app.url(&format!("/api/v1/conferences/{}/events", conf.id))).send().await.expect("sse");
    assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("text/event-stream"));
    let mut stream = resp.bytes_stream();
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "event: ready").await;
    let p = app.open_poll(mid, json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    read_until(&mut stream, &mut seen, "event: poll_opened").await;
    app.cast_vote(pid, json!({"choice": "against"}), Some(&conf.reps[0])).await.expect(200);
    read_until(&mut stream, &mut seen, "event: poll_progress").await;
    // The progress event itself, to its blank line (the wording sent when the poll opened may say "for or
    // against").
    let start = seen.find("event: poll_progress").unwrap_or_default();
    let whole = read_until_after(&mut stream, &mut seen, start, "\n\n").await;
    let progress = &whole[start..];
    let progress = &progress[..progress.find("\n\n").unwrap_or(progress.len())];
    assert!(
        !progress.contains("against") && !progress.contains("\"for\""),
        "progress shows a count, never a choice: {progress}"
    );
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[1])).await.expect(200);
    app.close_poll(pid, Some(&conf.chair)).await.expect(200);
    let all = read_until(&mut stream, &mut seen, "event: poll_closed").await;
    let closed_line = all.lines().skip_while(|l| *l != "event: poll_closed").nth(1).expect("data line");
    let data: Value = serde_json::from_str(closed_line.trim_start_matches("data: ")).expect("json");
    assert_eq!(data["poll"]["counts"], json!({"for": 1, "against": 1, "abstain": 0}));
    assert_eq!(data["poll"]["outcome_text"], "LOST");
});

/// Reads on until `needle` appears at or after byte `from` of what was seen.
async fn read_until_after<S>(stream: &mut S, seen: &mut String, from: usize, needle: &str) -> String
where
    S: futures_util::Stream<Item = reqwest::Result<actix_web::web::Bytes>> + Unpin,
{
    let fut = async {
        while !seen[from..].contains(needle) {
            let chunk = stream.next().await.expect("stream open").expect("chunk");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), fut)
        .await
        .unwrap_or_else(|_| panic!("no {needle} within 10 s: {seen}"));
    seen.clone()
}

async fn read_until<S>(stream: &mut S, seen: &mut String, needle: &str) -> String
where
    S: futures_util::Stream<Item = reqwest::Result<actix_web::web::Bytes>> + Unpin,
{
    read_until_after(stream, seen, 0, needle).await
}

both_backends!(representatives_registered_by_csv_set_a_password_and_vote, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 0).await;
    app.seed_user("existing@example.org", &[Role::Member]).await;
    let csv = "name,email,lmc\nDr Ann Patel,ann@example.org,Lambeth\n\"Smith, John\",john@example.org,Devon\nExisting GP,existing@example.org,Cleveland\nNo Email,not-an-email,Devon\nDr Ann Again,ANN@example.org,Lambeth\n";
    let r = app.import_representatives(conf.id, csv.as_bytes().to_vec(), Some(&conf.chair)).await.expect(200);
    assert_eq!(r["added"], 3);
    assert_eq!(r["invited"], 2);
    let rejected = r["rejected"].as_array().expect("rejected");
    assert_eq!(rejected.iter().map(|x| x["line"].as_u64().unwrap_or(0)).collect::<Vec<_>>(), [5, 6]);
    assert!(rejected[1]["reason"].as_str().unwrap_or("").contains("first on line 2"), "{rejected:?}");
    app.import_representatives(conf.id, b"email,lmc\nx@example.org,Devon\n".to_vec(), Some(&conf.chair))
        .await
        .expect_problem(400, "invalid_csv");

    let mails = app.mail(2, |m| m.contains("set-password?token=")).await;
    let ann = mails.iter().find(|m| m.contains("ann@example.org")).expect("Ann's invitation");
    let token: String =
        ann[ann.find("token=").expect("token") + 6..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    app.set_password(json!({"token": token, "password": "short"}), None).await.expect_problem(422, "validation_failed");
    let me = app.set_password(json!({"token": token, "password": "Ann's own long passphrase"}), None).await.expect(200);
    assert_eq!(me["roles"], json!(["representative"]));
    app.set_password(json!({"token": token, "password": "Ann's second passphrase"}), None)
        .await
        .expect_problem(401, "invalid_token");
    let login = app
        .sign_in(json!({"email": "ann@example.org", "password": "Ann's own long passphrase"}), None)
        .await
        .expect(200);
    let ann_token = login["token"].as_str().expect("token").to_string();
    let mid = conf.motion(&app, json!({"stem": "That conference welcomes Ann."})).await["id"].as_i64().expect("id");
    let p = app.open_poll(mid, json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    app.cast_vote(&p["id"], json!({"choice": "for"}), Some(&ann_token)).await.expect(200);
    let reps = app.list_representatives(conf.id, Some(&conf.chair)).await.expect(200);
    assert_eq!(reps.as_array().map(Vec::len), Some(3));
});

/// Two instances on one PostgreSQL database: a client listening on one sees polls run on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_clients_of_every_instance_on_postgres() {
    let Some((_admin, _name, url)) = crate::helpers::fresh_postgres_database() else {
        eprintln!("NOTE: CARRIED_TEST_POSTGRES_URL is not set: the two-instance events test is skipped");
        return;
    };
    let a = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, &[("CARRIED_DATABASE_URL", &url)])
        .await
        .expect("instance a");
    // Instances share the key file through configuration.
    let keys = a.data_path().join("keys.json").display().to_string();
    let b = crate::helpers::spawn_app_with(
        crate::helpers::Backend::Sqlite,
        &[("CARRIED_DATABASE_URL", &url), ("CARRIED_KEYS_FILE", &keys)],
    )
    .await
    .expect("instance b");
    let conf = conference_with_reps(&a, 1).await;
    let mid = conf.motion(&a, json!({"stem": "That conference spans instances."})).await["id"].as_i64().expect("id");
    let resp = b.client.get(b.url(&format!("/api/v1/conferences/{}/events", conf.id))).send().await.expect("sse on b");
    let mut stream = resp.bytes_stream();
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "event: ready").await;
    let p = a.open_poll(mid, json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    read_until(&mut stream, &mut seen, "event: poll_opened").await;
    // The rep votes through instance b, the chair closes through a.
    b.cast_vote(&p["id"], json!({"choice": "for"}), Some(&conf.reps[0])).await.expect(200);
    a.close_poll(&p["id"], Some(&conf.chair)).await.expect(200);
    let all = read_until(&mut stream, &mut seen, "event: poll_closed").await;
    assert_eq!(all.matches("event: poll_opened").count(), 1, "each event once: {all}");
    assert!(all.contains("CARRIED UNANIMOUSLY"), "{all}");
    drop(a);
    drop(b);
    if let Ok(mut c) = <diesel::PgConnection as diesel::Connection>::establish(&_admin) {
        let _ = diesel::connection::SimpleConnection::batch_execute(
            &mut c,
            &format!("DROP DATABASE IF EXISTS {_name} WITH (FORCE)"),
        );
    }
}

both_backends!(a_motions_are_carried_en_bloc, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let a1 = conf.motion(&app, json!({"stem": "That conference reaffirms policy one.", "marks": ["a"]})).await["id"]
        .as_i64()
        .expect("id");
    // Marked as needing two-thirds on its own; put with the others, the procedure's simple majority.
    let a2 = conf
        .motion(
            &app,
            json!({"stem": "That conference reaffirms policy two.", "marks": ["a"], "needs_two_thirds": true}),
        )
        .await;
    assert_eq!(a2["default_majorities"]["whole"], "two_thirds", "{a2}");
    assert_eq!(a2["default_majorities"]["a_motions_en_bloc"], "simple", "{a2}");
    let a2 = a2["id"].as_i64().expect("id");
    let debated = conf.motion(&app, json!({"stem": "That conference debates this.", "marks": ["starred"]})).await["id"]
        .as_i64()
        .expect("id");
    app.open_en_bloc(conf.id, json!({"motions": [debated]}), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");
    let p = app.open_en_bloc(conf.id, json!({}), Some(&conf.chair)).await.expect(201);
    assert_eq!(p["subject"], json!({"a_motions_en_bloc": [a1, a2]}));
    assert_eq!(p["majority"], "simple", "{p}");
    assert!(p["wording"]["majority_needed"].as_str().unwrap_or("").starts_with("Needs a simple majority"), "{p}");
    assert!(p["question"].as_str().unwrap_or("").contains("'A' motions"), "{p}");
    let pid = p["id"].as_i64().expect("id");
    for (tok, ch) in conf.reps.iter().zip(["for", "for", "against"]) {
        app.cast_vote(pid, json!({"choice": ch}), Some(tok)).await.expect(200);
    }
    let closed = app.close_poll(pid, Some(&conf.chair)).await.expect(200);
    assert_eq!(closed["result"], "carried");
    assert_eq!(conf.outcome_text(&app, a1).await, "CARRIED");
    assert_eq!(conf.outcome_text(&app, a2).await, "CARRIED");
    assert_eq!(conf.outcome_text(&app, debated).await, Value::Null);
    app.open_en_bloc(conf.id, json!({}), Some(&conf.chair)).await.expect_problem(422, "validation_failed");
});

both_backends!(
    a_poll_by_a_method_the_conference_does_not_use_is_refused_and_opens_nothing,
    |app: TestApp| async move {
        let conf = conference_with_reps(&app, 1).await;
        let chair = Some(conf.chair.as_str());
        let m = conf.motion(&app, json!({"stem": "That conference supports one.", "proposer": "Avon"})).await;
        let mid = m["id"].as_i64().expect("id");
        let r = app.open_poll(mid, json!({"subject": "whole", "method": "postal"}), chair).await;
        r.expect_problem(422, "validation_failed");
        assert_eq!(r.body["detail"], "method: \"postal\" is not electronic or show_of_hands", "{}", r.text);
        let r = app.open_en_bloc(conf.id, json!({"method": "Electronic"}), chair).await;
        r.expect_problem(422, "validation_failed");
        assert_eq!(app.list_open_polls(conf.id, None).await.expect(200), json!([]));
        // Said as the conference says it, it opens.
        let p = app.open_poll(mid, json!({"subject": "whole", "method": "show_of_hands"}), chair).await.expect(201);
        assert_eq!(p["method"], "show_of_hands");
    }
);
