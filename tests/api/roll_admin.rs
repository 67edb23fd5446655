//! The roll on the officer's console (paged, searched, corrected and removed before opening), turnout by
//! LMC as CSV with the results' small-group suppression, and scheduled reminders that go once when due.

use carried::services::auth::Role;
use serde_json::{json, Value};

use crate::ballots::{answers_for, create_ballot, open_ballot, roll_csv};
use crate::both_backends;
use crate::helpers::TestApp;
use crate::mailbox::{read_dir_messages, wait_for};

async fn import(app: &TestApp, officer: &str, id: i64, csv: String) -> Value {
    app.import_roll(id, csv.into_bytes(), Some(officer)).await.expect(200)
}

/// The audit log's entries of one action, read as the scrutineer (made on first use).
async fn log_entries(app: &TestApp, action: &str) -> Vec<Value> {
    let email = "auditor@example.org";
    let login = app.sign_in(json!({"email": email, "password": crate::helpers::PASSWORD}), None).await;
    let admin = match login.body["token"].as_str() {
        Some(t) => t.to_string(),
        None => app.user_with(email, &[Role::Scrutineer]).await.1,
    };
    let log = app.audit_log(Some(&admin)).await.expect(200);
    log.as_array().expect("log").iter().filter(|e| e["action"] == action).cloned().collect()
}

both_backends!(the_roll_is_paged_searched_and_corrected_before_opening, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let (_, scrutineer) = app.user_with("scrutineer@example.org", &[Role::Scrutineer]).await;
    let id = create_ballot(&app, &officer, json!({})).await;
    let mut csv = roll_csv(30, &["North Staffordshire", "Cleveland", "Devon"], false);
    csv.push_str("AB/123,Dr Slash,slash@example.org,Devon,locum\n");
    assert_eq!(import(&app, &officer, id, csv).await["added"], 31);

    // Pages.
    let p = app.search_roll(id, "per_page=10", Some(&officer)).await.expect(200);
    assert_eq!((p["total"].clone(), p["pages"].clone(), p["page"].clone()), (json!(31), json!(4), json!(1)), "{p}");
    assert_eq!(p["editable"], true);
    let voters = p["voters"].as_array().expect("voters");
    assert_eq!(voters.len(), 10);
    assert!(voters[0].get("voted").is_none() && voters[0].get("code_hash").is_none(), "{}", voters[0]);
    let last = app.search_roll(id, "page=4&per_page=10", Some(&officer)).await.expect(200);
    assert_eq!(last["voters"].as_array().map(Vec::len), Some(1));
    let beyond = app.search_roll(id, "page=9&per_page=10", Some(&officer)).await.expect(200);
    assert_eq!((beyond["total"].clone(), beyond["voters"].as_array().map(Vec::len)), (json!(31), Some(0)));
    app.search_roll(id, "page=0", Some(&officer)).await.expect_problem(400, "bad_request");
    app.search_roll(id, "per_page=501", Some(&officer)).await.expect_problem(400, "bad_request");
    // Every voter appears once across the pages, in order of name.
    let mut names = Vec::new();
    for page in 1..=4 {
        let p = app.search_roll(id, &format!("page={page}&per_page=10"), Some(&officer)).await.expect(200);
        names.extend(
            p["voters"].as_array().expect("voters").iter().map(|v| v["name"].as_str().unwrap_or("").to_string()),
        );
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    sorted.dedup();
    assert_eq!(sorted.len(), 31);

    // Search: name, LMC, email, membership number; case ignored; % is a character, not a wildcard.
    let total = |v: Value| v["total"].as_i64().unwrap_or(-1);
    assert_eq!(total(app.search_roll(id, "q=CLEVELAND", Some(&officer)).await.expect(200)), 10);
    assert_eq!(total(app.search_roll(id, "q=doctor%201", Some(&officer)).await.expect(200)), 11, "Doctor 1, 10-19");
    assert_eq!(total(app.search_roll(id, "q=gp2%40", Some(&officer)).await.expect(200)), 1);
    assert_eq!(total(app.search_roll(id, "q=m0002", Some(&officer)).await.expect(200)), 10);
    assert_eq!(total(app.search_roll(id, "q=%25", Some(&officer)).await.expect(200)), 0);
    let found = app.search_roll(id, "q=gp7%40", Some(&officer)).await.expect(200);
    assert_eq!(found["voters"][0]["membership_no"], "M00007");
    assert_eq!(found["q"], "gp7@");
    // The scrutineer reads the roll too; correcting it is the officer's.
    app.list_roll(id, Some(&scrutineer)).await.expect(200);
    let patch = |no: &str, body: Value, token: &str| {
        let (no, token) = (no.to_string(), token.to_string());
        let app = &app;
        async move { app.correct_voter(id, no, body, Some(&token)).await }
    };
    patch("M00001", json!({"lmc": "Devon"}), &scrutineer).await.expect_problem(403, "forbidden");

    // A correction: the email is lowercased, the other fields stay; recorded without the person's details.
    let v = patch("M00001", json!({"email": " New.Address@Example.ORG ", "lmc": "Devon"}), &officer).await.expect(200);
    assert_eq!(
        (v["email"].as_str(), v["lmc"].as_str(), v["name"].as_str()),
        (Some("new.address@example.org"), Some("Devon"), Some("Doctor 1"))
    );
    // Membership numbers are matched ignoring case; a '/' in one travels percent-encoded.
    let v = patch("ab%2F123", json!({"role": "Salaried"}), &officer).await.expect(200);
    assert_eq!((v["membership_no"].as_str(), v["role"].as_str()), (Some("AB/123"), Some("salaried")));
    // Problems: every one named (422); another voter's email (409); nobody by that number (404).
    let bad = patch("M00002", json!({"email": "not-an-email", "role": "chair"}), &officer).await;
    bad.expect_problem(422, "validation_failed");
    assert!(bad.text.contains("not a valid address") && bad.text.contains("role"), "{}", bad.text);
    let taken = patch("m00002", json!({"email": "GP3@example.org"}), &officer).await;
    taken.expect_problem(409, "conflict");
    assert!(taken.text.contains("membership number M00003"), "{}", taken.text);
    patch("M99999", json!({"name": "Nobody"}), &officer).await.expect_problem(404, "not_found");
    patch("M00002", json!({}), &officer).await.expect_problem(422, "validation_failed");
    let unchanged = app.search_roll(id, "q=gp2%40", Some(&officer)).await.expect(200);
    assert_eq!(unchanged["voters"][0]["role"], "partner", "nothing written by a refused correction");

    // A removal.
    app.remove_voter(id, "M00004", Some(&officer)).await.expect(204);
    app.remove_voter(id, "M00004", Some(&officer)).await.expect_problem(404, "not_found");
    assert_eq!(app.get_ballot(id, Some(&officer)).await.expect(200)["roll_size"], 30);

    let corrections = log_entries(&app, "ballot.roll.correct").await;
    assert_eq!(corrections.len(), 2, "{corrections:?}");
    assert_eq!(corrections[0]["details"], json!({"membership_no": "M00001", "changed": ["email", "lmc"]}));
    assert!(!corrections[0]["details"].to_string().contains("new.address"), "no addresses in the log");
    let removals = log_entries(&app, "ballot.roll.remove").await;
    assert_eq!(removals.len(), 1);
    assert_eq!(removals[0]["details"], json!({"membership_no": "M00004", "roll_size": 30}));

    // Opening freezes the roll: the invitation goes to the corrected address, and no more corrections.
    app.open_ballot(id, Some(&officer)).await.expect(200);
    let mails = app.mail(30, |m| m.contains("?code=")).await;
    assert!(mails.iter().any(|m| m.contains("new.address@example.org")));
    assert!(!mails.iter().any(|m| m.contains("gp4@example.org")), "the removed voter is not invited");
    let frozen = patch("M00001", json!({"name": "Dr Late"}), &officer).await;
    frozen.expect_problem(409, "conflict");
    assert!(frozen.text.contains("froze when the ballot opened"), "{}", frozen.text);
    app.remove_voter(id, "M00002", Some(&officer)).await.expect_problem(409, "conflict");
    let p = app.list_roll(id, Some(&officer)).await.expect(200);
    assert_eq!((p["editable"].clone(), p["total"].clone()), (json!(false), json!(30)));
});

fn csv_lines(text: &str) -> Vec<Vec<String>> {
    text.split("\r\n").filter(|l| !l.is_empty()).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

both_backends!(turnout_by_lmc_exports_as_csv_with_small_groups_hidden, |app: TestApp| async move {
    // 45 voters: Devon 20, Kent 20, Cornwall 5.
    let lmcs = ["Devon", "Kent", "Devon", "Kent", "Devon", "Kent", "Devon", "Kent", "Cornwall"];
    let b = open_ballot(&app, 45, &lmcs).await;
    let id = b.id;
    for (i, (_, code)) in b.codes.iter().take(23).enumerate() {
        app.cast_ballot(id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
    }
    let r = app.ballot_turnout_csv(id, Some(&b.officer)).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    assert!(r.content_type().starts_with("text/csv"), "{}", r.content_type());
    let disposition = r.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(disposition.contains(&format!("turnout-ballot-{id}.csv")), "{disposition}");
    let lines = csv_lines(&r.text);
    assert_eq!(lines[0], ["lmc", "eligible", "voted", "turnout", "note"]);
    assert_eq!(lines[1][..4], ["All LMC areas", "45", "23", "0.5111"]);
    // The same rows as the console's live turnout: hidden by the same rule, in steps of ten.
    let t = app.ballot_turnout(id, Some(&b.officer)).await.expect(200);
    let by_lmc = t["by_lmc"].as_array().expect("by_lmc");
    assert_eq!(lines.len(), 2 + by_lmc.len());
    for row in by_lmc {
        let line = lines.iter().find(|l| l[0] == row["group"].as_str().unwrap_or("?")).expect("a line per group");
        assert_eq!(line[1], row["eligible"].to_string());
        assert_eq!(line[2], row["voted"].as_u64().map(|v| v.to_string()).unwrap_or_default(), "{line:?} {row}");
    }
    let cornwall = lines.iter().find(|l| l[0] == "Cornwall").expect("Cornwall");
    assert_eq!((cornwall[2].as_str(), cornwall[3].as_str()), ("", ""), "a group of five is hidden: {cornwall:?}");
    assert!(cornwall[4].contains("fewer than 10"), "{cornwall:?}");
    assert!(
        lines.iter().skip(2).filter(|l| !l[2].is_empty()).all(|l| l[2].parse::<u64>().is_ok_and(|v| v % 10 == 0)),
        "shown groups move in steps of ten while voting is open: {lines:?}"
    );
    let (_, scrutineer) = app.user_with("scrutineer@example.org", &[Role::Scrutineer]).await;
    app.ballot_turnout_csv(id, Some(&scrutineer)).await.expect(200);
    app.ballot_turnout_csv(id, None).await.expect_problem(401, "unauthenticated");
    app.get(&format!("/api/v1/ballots/{id}/turnout?format=xml"), Some(&b.officer))
        .await
        .expect_problem(400, "bad_request");

    // Closed: the final figures, hidden as the results' breakdown hides them (by voters).
    app.close_ballot(id, Some(&b.officer)).await.expect(200);
    let r = app.ballot_turnout_csv(id, Some(&b.officer)).await;
    let lines = csv_lines(&r.text);
    assert_eq!(lines[1], ["All LMC areas", "45", "23", "0.5111", "final"]);
    let results = app.ballot_results(id, None).await.expect(200);
    let rows: Vec<&Value> =
        results["breakdowns"].as_array().expect("breakdowns").iter().filter(|g| g["dimension"] == "lmc").collect();
    assert_eq!(lines.len(), 2 + rows.len());
    for row in rows {
        let line = lines.iter().find(|l| l[0] == row["group"].as_str().unwrap_or("?")).expect("a line per group");
        assert_eq!(line[2], row["voted"].as_u64().map(|v| v.to_string()).unwrap_or_default(), "{line:?} {row}");
    }
    let cornwall = lines.iter().find(|l| l[0] == "Cornwall").expect("Cornwall");
    assert_eq!(cornwall[2], "", "still hidden after the close: {cornwall:?}");
});

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A ballot closing `closes_in` from now, with a roll of `n`, opened.
pub(crate) async fn open_closing(
    app: &TestApp,
    officer: &str,
    n: usize,
    closes_in: chrono::Duration,
) -> (i64, chrono::DateTime<chrono::Utc>) {
    let closes = chrono::Utc::now() + closes_in;
    let id = create_ballot(app, officer, json!({"closes_at": rfc3339(closes)})).await;
    import(app, officer, id, roll_csv(n, &["Devon"], false)).await;
    app.open_ballot(id, Some(officer)).await.expect(200);
    let closes = chrono::DateTime::parse_from_rfc3339(&rfc3339(closes)).expect("time").with_timezone(&chrono::Utc);
    (id, closes)
}

/// The scheduler's tick at a chosen time.
async fn tick(app: &TestApp, at: chrono::DateTime<chrono::Utc>) -> usize {
    app.state.db.run(move |c| carried::services::reminders::send_due(c, at.naive_utc())).await.expect("tick")
}

async fn reminders_total(app: &TestApp, officer: &str, id: i64) -> i64 {
    let mail = app.mail_status(id, Some(officer)).await.expect(200);
    mail["by_kind"]
        .as_array()
        .expect("by_kind")
        .iter()
        .find(|k| k["kind"] == "reminder")
        .map_or(0, |k| k["total"].as_i64().unwrap_or(0))
}

both_backends!(scheduled_reminders_go_once_when_due, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let (id, closes) = open_closing(&app, &officer, 12, chrono::Duration::days(10)).await;
    let put = |body: Value| {
        let (app, officer) = (&app, officer.clone());
        async move { app.schedule_reminders(id, body, Some(&officer)).await }
    };
    let s = put(json!({"days_before_close": [2, 7]})).await.expect(200);
    let schedule = s["schedule"].as_array().expect("schedule");
    assert_eq!(schedule.len(), 2);
    assert_eq!((schedule[0]["days_before_close"].clone(), schedule[0]["state"].clone()), (json!(7), json!("pending")));
    assert_eq!(s["next_scheduled_at"], rfc3339(closes - chrono::Duration::days(7)), "{s}");
    // Refused: past, out of range; nothing changes.
    let past = put(json!({"days_before_close": [11]})).await;
    past.expect_problem(422, "validation_failed");
    assert!(past.text.contains("11 days before the close") && past.text.contains("already passed"), "{}", past.text);
    put(json!({"days_before_close": [0, 7]})).await.expect_problem(422, "validation_failed");
    let (_, other) = app.user_with("officer2@example.org", &[Role::Officer]).await;
    app.schedule_reminders(id, json!({"days_before_close": [3]}), Some(&other)).await.expect_problem(403, "forbidden");
    let log = log_entries(&app, "ballot.reminders.schedule").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["details"], json!({"days_before_close": [7, 2]}));

    // Not yet due: nothing. Due: one round to the 12 who have not voted; the next tick sends nothing more.
    assert_eq!(tick(&app, closes - chrono::Duration::days(7) - chrono::Duration::minutes(1)).await, 0);
    let t7 = closes - chrono::Duration::days(7) + chrono::Duration::minutes(1);
    assert_eq!(tick(&app, t7).await, 12);
    assert_eq!(tick(&app, t7).await, 0, "never twice");
    assert_eq!(tick(&app, t7 + chrono::Duration::hours(5)).await, 0, "never twice");
    assert_eq!(reminders_total(&app, &officer, id).await, 12);
    let s = app.reminder_status(id, Some(&officer)).await.expect(200);
    assert_eq!(s["schedule"][0]["state"], "sent", "{s}");
    assert_eq!(s["schedule"][0]["sent_count"], 12);
    assert_eq!(s["schedule"][1]["state"], "pending");
    assert_eq!(s["last_count"], 12, "the scheduled round is the last round");
    assert_eq!(s["next_scheduled_at"], rfc3339(closes - chrono::Duration::days(2)));
    let rounds = log_entries(&app, "ballot.remind").await;
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0]["actor"], "scheduler");
    assert_eq!(rounds[0]["details"]["scheduled_days_before_close"], json!([7]));
    // Saving the schedule again keeps the round that went (it does not go again).
    put(json!({"days_before_close": [7, 2]})).await.expect(200);
    assert_eq!(tick(&app, t7 + chrono::Duration::hours(6)).await, 0);

    // A manual round (forced: the scheduled round was logged at the real time, a moment ago).
    app.remind_voters_forced(id, Some(&officer)).await.expect(200);
    assert_eq!(reminders_total(&app, &officer, id).await, 24);
    // Two GPs vote; the two-day round goes to the other ten.
    let mails =
        app.mail(12, |m| m.contains("?code=") && m.contains("invited to vote") && !m.contains("reminder")).await;
    let codes = crate::mailbox::codes_in(&mails);
    for (i, (_, code)) in codes.iter().take(2).enumerate() {
        app.cast_ballot(id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
    }
    let now = chrono::Utc::now();
    let t2 = closes - chrono::Duration::days(2) + chrono::Duration::minutes(1);
    assert!(t2 > now + chrono::Duration::hours(1), "the manual round is more than an hour before");
    assert_eq!(tick(&app, t2).await, 10);
    assert_eq!(reminders_total(&app, &officer, id).await, 34);
    let s = app.reminder_status(id, Some(&officer)).await.expect(200);
    assert!(s["next_scheduled_at"].is_null(), "{s}");
    assert_eq!(s["schedule"][1]["sent_count"], 10);

    // The hour rule for scheduled rounds: a ballot whose round falls due 10 minutes after a manual round.
    let (id2, closes2) =
        open_closing(&app, &officer, 3, chrono::Duration::days(7) + chrono::Duration::minutes(10)).await;
    app.schedule_reminders(id2, json!({"days_before_close": [7]}), Some(&officer)).await.expect(200);
    app.remind_voters(id2, Some(&officer)).await.expect(200);
    let due = closes2 - chrono::Duration::days(7);
    assert_eq!(tick(&app, due + chrono::Duration::minutes(1)).await, 0, "waits: a round went within the hour");
    let s = app.reminder_status(id2, Some(&officer)).await.expect(200);
    assert_eq!(s["schedule"][0]["state"], "pending");
    assert_eq!(tick(&app, chrono::Utc::now() + chrono::Duration::minutes(61)).await, 3, "then goes");

    // Closed before a round was due: the round is skipped and says why; no more scheduling.
    let (id3, _) = open_closing(&app, &officer, 2, chrono::Duration::days(9)).await;
    app.schedule_reminders(id3, json!({"days_before_close": [3]}), Some(&officer)).await.expect(200);
    app.close_ballot(id3, Some(&officer)).await.expect(200);
    assert_eq!(tick(&app, chrono::Utc::now()).await, 0);
    let s = app.reminder_status(id3, Some(&officer)).await.expect(200);
    assert_eq!(s["schedule"][0]["state"], "skipped", "{s}");
    assert!(s["schedule"][0]["note"].as_str().unwrap_or("").contains("closed"), "{s}");
    app.schedule_reminders(id3, json!({"days_before_close": [3]}), Some(&officer))
        .await
        .expect_problem(409, "conflict");

    // No closing time: 409 with what to do.
    let id4 = create_ballot(&app, &officer, json!({})).await;
    let r = app.schedule_reminders(id4, json!({"days_before_close": [7]}), Some(&officer)).await;
    r.expect_problem(409, "conflict");
    assert!(r.text.contains("no closing time"), "{}", r.text);
});

// The service's own one-second tick sends a round when it falls due (no test clock). Every other test of
// scheduled work runs the scheduler's step itself (`app.run_due`); this one waits, a few seconds, on
// purpose: it is the test that the background loop does run that step.
both_backends!(the_service_sends_a_scheduled_round_by_itself, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let (id, _) = open_closing(&app, &officer, 4, chrono::Duration::days(2) + chrono::Duration::seconds(8)).await;
    app.schedule_reminders(id, json!({"days_before_close": [2]}), Some(&officer)).await.expect(200);
    // The service's own tick and background sender, with nobody asking: wait for the file outbox.
    let outbox = app.data_path().join("outbox");
    let reminders = wait_for(|| read_dir_messages(&outbox), 4, |m| m.contains("This is a reminder")).await;
    assert_eq!(reminders.len(), 4);
    let s = app.reminder_status(id, Some(&officer)).await.expect(200);
    assert_eq!(
        (s["schedule"][0]["state"].clone(), s["schedule"][0]["sent_count"].clone()),
        (json!("sent"), json!(4)),
        "{s}"
    );
});
