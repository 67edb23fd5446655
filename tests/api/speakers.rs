//! Speakers and time (issue 14, item 3): representatives ask to speak from their phones, the chair calls
//! them (first-time speakers first if the conference wants it) and runs a clock every screen agrees on;
//! and closing a vote that fewer than half have voted in needs the chair's confirmation, server-side.

use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::both_backends;
use crate::conference::conference_with_reps;
use crate::helpers::TestApp;

async fn read_until<S>(stream: &mut S, seen: &mut String, needle: &str)
where
    S: futures_util::Stream<Item = reqwest::Result<actix_web::web::Bytes>> + Unpin,
{
    let fut = async {
        while !seen.contains(needle) {
            let chunk = stream.next().await.expect("stream open").expect("chunk");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), fut)
        .await
        .unwrap_or_else(|_| panic!("no {needle} within 10 s: {seen}"));
}

fn names(queue: &Value) -> Vec<String> {
    queue.as_array().expect("queue").iter().map(|q| q["lmc"].as_str().expect("lmc").to_string()).collect()
}

both_backends!(representatives_ask_the_chair_calls_and_the_clock_runs, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let cid = conf.id;
    let m = conf.motion(&app, json!({"text": "12 KENT: That conference asks for time to speak."})).await;
    let mid = m["id"].as_i64().expect("id");
    let other =
        conf.motion(&app, json!({"text": "13 DEVON: That conference moves on."})).await["id"].as_i64().expect("id");

    // Rules as in standing orders; defaults first.
    let rules = app.speaker_rules(cid, None).await.expect(200);
    assert_eq!(
        rules,
        json!({"first_time_speakers_first": false, "proposer_seconds": 180, "speaker_seconds": 120, "reply_seconds": 120})
    );
    app.set_speaker_rules(cid, json!({"speaker_seconds": 5}), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");
    app.set_speaker_rules(cid, json!({"speaker_secs": 60}), Some(&conf.chair))
        .await
        .expect_problem(400, "invalid_json");
    app.set_speaker_rules(cid, json!({"speaker_seconds": 60}), Some(&conf.reps[0]))
        .await
        .expect_problem(403, "forbidden");
    let rules = app
        .set_speaker_rules(cid, json!({"speaker_seconds": 60, "first_time_speakers_first": true}), Some(&conf.chair))
        .await
        .expect(200);
    assert_eq!(rules["speaker_seconds"], 60);
    assert_eq!(rules["proposer_seconds"], 180, "left out: kept");

    // No debate open: nobody can ask yet.
    let v = app.list_speakers(cid, None).await.expect(200);
    assert_eq!(v["motion"], Value::Null);
    app.ask_to_speak(mid, json!({"side": "for"}), Some(&conf.reps[0])).await.expect_problem(409, "conflict");
    app.open_debate(cid, json!({"motion_id": 999_999}), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");
    let v = app.open_debate(cid, json!({"motion_id": mid}), Some(&conf.chair)).await.expect(200);
    assert_eq!(v["motion"]["item"], "12");
    assert_eq!(v["motion"]["proposer"], "Kent");

    // A live listener sees every change.
    let resp = app.client.get(app.url(&format!("/api/v1/conferences/{cid}/events"))).send().await.expect("sse");
    let mut stream = resp.bytes_stream();
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "event: ready").await;

    // Three representatives ask; one twice; the chair (not a representative) may not.
    let r0 = app.ask_to_speak(mid, json!({"side": "for"}), Some(&conf.reps[0])).await.expect(201);
    let mine0 = r0["mine"].as_i64().expect("my request");
    assert_eq!(r0["representative"], true);
    app.ask_to_speak(mid, json!({"side": "against"}), Some(&conf.reps[0])).await.expect_problem(409, "conflict");
    app.ask_to_speak(mid, json!({"side": "maybe"}), Some(&conf.reps[1])).await.expect_problem(400, "invalid_json");
    app.ask_to_speak(mid, json!({"side": "for"}), Some(&conf.chair)).await.expect_problem(403, "forbidden");
    let r1 = app.ask_to_speak(mid, json!({"side": "against"}), Some(&conf.reps[1])).await.expect(201);
    let mine1 = r1["mine"].as_i64().expect("my request");
    let r2 = app.ask_to_speak(mid, json!({"side": "for"}), Some(&conf.reps[2])).await.expect(201);
    let mine2 = r2["mine"].as_i64().expect("my request");
    read_until(&mut stream, &mut seen, "LMC 2").await;
    assert!(seen.contains("event: speakers_updated"), "{seen}");
    assert!(
        !seen.contains("\"mine\":1") && seen.contains("\"mine\":null"),
        "events carry nobody's own request: {seen}"
    );
    let v = app.list_speakers(cid, Some(&conf.reps[1])).await.expect(200);
    assert_eq!(names(&v["queue"]), ["LMC 0", "LMC 1", "LMC 2"]);
    assert_eq!(v["queue"][1]["side"], "against");
    assert_eq!(v["queue"][1]["position"], 2);
    assert_eq!(v["queue"][0]["first_time"], true);
    assert_eq!(v["mine"], mine1);
    let public = app.list_speakers(cid, None).await.expect(200);
    assert_eq!(public["mine"], Value::Null);
    assert_eq!(public["representative"], false);

    // Withdrawing: one's own, or the chair; not someone else's.
    app.withdraw_request(mine2, Some(&conf.reps[1])).await.expect_problem(403, "forbidden");
    app.withdraw_request(mine2, Some(&conf.reps[2])).await.expect(200);
    app.withdraw_request(mine2, Some(&conf.chair)).await.expect_problem(409, "conflict");
    let v = app.list_speakers(cid, Some(&conf.reps[2])).await.expect(200);
    assert_eq!(names(&v["queue"]), ["LMC 0", "LMC 1"]);
    assert_eq!(v["mine"], Value::Null);
    // ... and may ask again.
    let r2 = app.ask_to_speak(mid, json!({"side": "against"}), Some(&conf.reps[2])).await.expect(201);
    let mine2 = r2["mine"].as_i64().expect("my request");

    // The proposer opens the debate, at the proposer's limit; the clock waits for the chair.
    app.speaker_timer(cid, json!({"running": true}), Some(&conf.chair)).await.expect_problem(409, "conflict");
    let v = app.call_speaker_with(cid, json!({"kind": "proposer"}), Some(&conf.chair)).await.expect(200);
    let cur = &v["current"];
    assert_eq!(
        (cur["kind"].as_str(), cur["lmc"].as_str(), cur["name"].as_str()),
        (Some("proposer"), Some("Kent"), Some("The proposer"))
    );
    assert_eq!(cur["clock"]["limit_seconds"], 180);
    assert_eq!(cur["clock"]["running"], false);
    assert_eq!(cur["clock"]["remaining_ms"], 180_000);
    let v = app.speaker_timer(cid, json!({"running": true}), Some(&conf.chair)).await.expect(200);
    assert_eq!(v["current"]["clock"]["running"], true);
    app.speaker_timer(cid, json!({"running": true}), Some(&conf.chair)).await.expect_problem(409, "conflict");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let v = app.list_speakers(cid, None).await.expect(200);
    let left = v["current"]["clock"]["remaining_ms"].as_i64().expect("remaining");
    assert!((170_000..=178_900).contains(&left), "about 1.2 s spoken: {left}");
    let v = app.speaker_timer(cid, json!({"running": false}), Some(&conf.chair)).await.expect(200);
    let stopped = v["current"]["clock"]["remaining_ms"].as_i64().expect("remaining");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let v = app.list_speakers(cid, None).await.expect(200);
    assert_eq!(v["current"]["clock"]["remaining_ms"], stopped, "stopped: the clock stands still");

    // Next: the first in the queue, at the speakers' limit; the proposer has been heard.
    let v = app.call_speaker_with(cid, json!({}), Some(&conf.chair)).await.expect(200);
    assert_eq!(v["current"]["lmc"], "LMC 0");
    assert_eq!(v["current"]["side"], "for");
    assert_eq!(v["current"]["clock"]["limit_seconds"], 60);
    assert_eq!(v["heard"][0]["kind"], "proposer");
    assert_eq!(names(&v["queue"]), ["LMC 1", "LMC 2"]);
    read_until(&mut stream, &mut seen, "\"kind\":\"speaker\"").await;
    // The called speaker's phone knows it is them; they cannot withdraw now.
    let mine = app.list_speakers(cid, Some(&conf.reps[0])).await.expect(200);
    assert_eq!(mine["mine"], mine0);
    assert_eq!(mine["current"]["id"], mine0);
    app.withdraw_request(mine0, Some(&conf.reps[0])).await.expect_problem(409, "conflict");

    // Over time: the clock goes negative and says so.
    app.speaker_timer(cid, json!({"running": true}), Some(&conf.chair)).await.expect(200);
    app.state
        .db
        .run(move |c| {
            use carried::db::schema_speakers::speaker_requests as sr;
            use diesel::prelude::*;
            let earlier = carried::db::now() - chrono::Duration::seconds(75);
            diesel::update(sr::table.filter(sr::id.eq(mine0)))
                .set(sr::timer_started_at.eq(Some(earlier)))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("start the clock 75 s ago");
    let v = app.list_speakers(cid, None).await.expect(200);
    let clock = &v["current"]["clock"];
    assert_eq!(clock["over_time"], true, "{clock}");
    let left = clock["remaining_ms"].as_i64().expect("remaining");
    assert!((-16_000..=-14_900).contains(&left), "75 s into a 60 s speech: {left}");

    // Any in the queue may be called, not only the first; a request on another motion may not.
    app.call_speaker_with(cid, json!({"request_id": mine0}), Some(&conf.chair)).await.expect_problem(409, "conflict");
    let v = app.call_speaker_with(cid, json!({"request_id": mine2}), Some(&conf.chair)).await.expect(200);
    assert_eq!(v["current"]["lmc"], "LMC 2");
    assert_eq!(v["heard"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["heard"][1]["clock"]["over_time"], true, "heard over time: {}", v["heard"][1]);
    app.end_debate(cid, Some(&conf.chair)).await.expect(200);
    app.end_debate(cid, Some(&conf.chair)).await.expect_problem(409, "conflict");
    let v =
        app.call_speaker_with(cid, json!({"kind": "reply", "name": "Dr Kent"}), Some(&conf.chair)).await.expect(200);
    assert_eq!((v["current"]["kind"].as_str(), v["current"]["name"].as_str()), (Some("reply"), Some("Dr Kent")));
    assert_eq!(v["current"]["clock"]["limit_seconds"], 120);
    assert_eq!(names(&v["queue"]), ["LMC 1"]);

    // The next motion: the one still waiting lapses. LMC 0 has spoken at this conference, LMC 1 has not:
    // with first-time speakers first, LMC 1 goes ahead although LMC 0 asked first.
    let v = app.open_debate(cid, json!({"motion_id": other}), Some(&conf.chair)).await.expect(200);
    assert_eq!(v["current"], Value::Null);
    assert_eq!(v["queue"], json!([]));
    app.withdraw_request(mine1, Some(&conf.reps[1])).await.expect_problem(409, "conflict");
    app.ask_to_speak(mid, json!({"side": "for"}), Some(&conf.reps[0])).await.expect_problem(409, "conflict");
    app.ask_to_speak(other, json!({"side": "for"}), Some(&conf.reps[0])).await.expect(201);
    let v = app.ask_to_speak(other, json!({"side": "against"}), Some(&conf.reps[1])).await.expect(201);
    assert_eq!(names(&v["queue"]), ["LMC 1", "LMC 0"]);
    assert_eq!(
        (v["queue"][0]["first_time"].as_bool(), v["queue"][1]["first_time"].as_bool()),
        (Some(true), Some(false))
    );
    app.set_speaker_rules(cid, json!({"first_time_speakers_first": false}), Some(&conf.chair)).await.expect(200);
    let v = app.list_speakers(cid, None).await.expect(200);
    assert_eq!(names(&v["queue"]), ["LMC 0", "LMC 1"], "without the rule: the order asked in");
    let v = app.call_speaker_with(cid, json!({}), Some(&conf.chair)).await.expect(200);
    assert_eq!(v["current"]["lmc"], "LMC 0");

    // Another conference's chair may not run this one; the chair's actions are in the audit log.
    let log = app.audit_log(Some(&app.admin().await)).await.expect(200);
    let actions: Vec<&str> = log.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"speakers.rules") && actions.contains(&"speakers.debate"), "{actions:?}");

    // Closing the conference with motions undecided needs confirming too, and says what it would do.
    let r = app.close_conference(cid, Some(&conf.chair)).await;
    r.expect_problem(409, "confirmation_needed");
    assert!(r.text.contains("2 motions will become NOT REACHED (12, 13)"), "{}", r.text);
    assert_eq!(app.get_conference(cid, None).await.expect(200)["status"], "open");
    // A closed conference takes no more speakers.
    app.close_conference_with(cid, json!({"confirm": true}), Some(&conf.chair)).await.expect(200);
    app.call_speaker_with(cid, json!({}), Some(&conf.chair)).await.expect_problem(409, "conflict");
    app.ask_to_speak(other, json!({"side": "for"}), Some(&conf.reps[2])).await.expect_problem(409, "conflict");
    assert_eq!(app.list_speakers(cid, None).await.expect(200)["motion"], Value::Null, "no debate once closed");
});

both_backends!(closing_a_vote_few_have_voted_in_needs_confirming, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 4).await;
    let mid = conf.motion(&app, json!({"stem": "That conference counts heads."})).await["id"].as_i64().expect("id");
    let p = app.open_poll(mid, json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    app.cast_vote(pid, json!({"choice": "for"}), Some(&conf.reps[0])).await.expect(200);
    // One of four: refused with the figures, and nothing closed.
    let r = app.close_poll(pid, Some(&conf.chair)).await;
    r.expect_problem(409, "confirmation_needed");
    let detail =
        serde_json::from_str::<Value>(&r.text).expect("problem")["detail"].as_str().expect("detail").to_string();
    assert!(detail.contains("only 1 of 4 registered representatives have voted"), "{detail}");
    app.close_poll_with(pid, json!({"confirm": false}), Some(&conf.chair))
        .await
        .expect_problem(409, "confirmation_needed");
    assert_eq!(app.get_poll(pid, None).await.expect(200)["status"], "open");
    app.close_poll_with(pid, json!({"counts": {"for": 1, "against": 0, "abstain": 0}}), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");
    let closed = app.close_poll_with(pid, json!({"confirm": true}), Some(&conf.chair)).await.expect(200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["result"], "carried");

    // Two of four (half): no confirmation needed.
    let m2 = conf.motion(&app, json!({"stem": "That conference counts again."})).await["id"].as_i64().expect("id");
    let p = app.open_poll(m2, json!({"subject": "whole"}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("id");
    for tok in &conf.reps[..2] {
        app.cast_vote(pid, json!({"choice": "against"}), Some(tok)).await.expect(200);
    }
    assert_eq!(app.close_poll(pid, Some(&conf.chair)).await.expect(200)["result"], "lost");

    // A show of hands is declared by the chair: no electronic turnout to confirm.
    let m3 = conf.motion(&app, json!({"stem": "That conference raises hands."})).await["id"].as_i64().expect("id");
    let p =
        app.open_poll(m3, json!({"subject": "whole", "method": "show_of_hands"}), Some(&conf.chair)).await.expect(201);
    let closed = app.close_poll_with(&p["id"], json!({"result": "carried"}), Some(&conf.chair)).await.expect(200);
    assert_eq!(closed["result"], "carried");
});
