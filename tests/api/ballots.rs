//! Indicative ballots over HTTP: roll, invitations with codes, secret voting, turnout, results.

use carried::services::auth::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::mailbox::{codes_in, wait_for, Smtp};

pub const MENU: [&str; 4] = [
    "Switch off online consultation tools once safe capacity is reached",
    "Limit contacts to 25 per clinician per day",
    "Decline new ICB contracts",
    "Stop engaging with Advice and Guidance",
];

pub fn questions() -> Value {
    json!([
        {"text": "Are you prepared to undertake one or more examples of collective action?", "kind": "yes_no"},
        {"text": "Which of these actions would you take?", "kind": "many_of", "max": 3, "options": MENU},
    ])
}

pub fn roll_csv(n: usize, lmcs: &[&str], bad: bool) -> String {
    let mut lines = vec!["membership_no,name,email,lmc,role".to_string()];
    for i in 0..n {
        lines.push(format!("M{i:05},Doctor {i},gp{i}@example.org,{},partner", lmcs[i % lmcs.len()]));
    }
    if bad {
        lines.push("M99998,Bad Email,not-an-email,Devon,partner".into());
        lines.push("M00000,Duplicate,gp0@example.org,Devon,partner".into());
    }
    lines.join("\n") + "\n"
}

pub fn answers_for(i: usize) -> Value {
    let yes = if i % 4 != 3 { "yes" } else { "no" };
    let mut picks = vec![MENU[0]];
    if i.is_multiple_of(2) {
        picks.push(MENU[1]);
    }
    json!([yes, picks])
}

/// An account created by an admin without a password, whose holder sets one with the link emailed to
/// them (read from the file outbox): the account has proved control of its email address.
/// Returns (user id, token).
pub async fn proven_user(app: &TestApp, admin: &str, email: &str, roles: &[&str]) -> (i64, String) {
    let u = app
        .create_user(json!({"email": email, "name": format!("Test {email}"), "roles": roles}), Some(admin))
        .await
        .expect(201);
    let to = format!("<{email}>");
    let mails = app.mail(1, |m| m.contains("set-password?token=") && m.contains(&to)).await;
    let m = &mails[0];
    let at = m.find("set-password?token=").map(|p| p + "set-password?token=".len()).unwrap_or(0);
    let token: String = m[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    app.set_password(json!({"token": token, "password": crate::helpers::PASSWORD}), None).await.expect(200);
    (u["id"].as_i64().expect("id"), app.login(email).await)
}

pub struct OpenBallot {
    pub id: i64,
    pub officer: String,
    /// (email, code) for every voter, in roll order.
    pub codes: Vec<(String, String)>,
}

pub async fn create_ballot(app: &TestApp, officer: &str, extra: Value) -> i64 {
    let mut body = json!({"title": "Indicative ballot on online access", "questions": questions()});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    app.create_ballot(body, Some(officer)).await.expect(201)["id"].as_i64().expect("id")
}

/// Officer creates a ballot, imports a roll of n (plus two bad lines), opens it; invitations are read
/// from the file outbox (the default mail transport).
pub async fn open_ballot(app: &TestApp, n: usize, lmcs: &[&str]) -> OpenBallot {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    open_ballot_as(app, officer, n, lmcs).await
}

pub async fn open_ballot_as(app: &TestApp, officer: String, n: usize, lmcs: &[&str]) -> OpenBallot {
    let id = create_ballot(app, &officer, json!({})).await;
    let r = app.import_roll(id, roll_csv(n, lmcs, true).into_bytes(), Some(&officer)).await.expect(200);
    assert_eq!(r["added"], n);
    let opened = app.open_ballot(id, Some(&officer)).await.expect(200);
    assert_eq!(opened["eligible"], n);
    let mails = app.mail(n, |m| m.contains("?code=")).await;
    let mut codes = codes_in(&mails);
    codes.sort();
    assert_eq!(codes.len(), n);
    OpenBallot { id, officer, codes }
}

both_backends!(a_ballot_runs_from_roll_to_results, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let id = create_ballot(&app, &officer, json!({})).await;
    let r = app
        .import_roll(id, roll_csv(10, &["North Staffordshire", "Cleveland"], true).into_bytes(), Some(&officer))
        .await
        .expect(200);
    assert_eq!(r["added"], 10);
    let rejected = r["rejected"].as_array().expect("rejected");
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["line"], 12);
    assert!(rejected[0]["reason"].as_str().unwrap_or("").contains("email"), "{rejected:?}");
    assert_eq!(rejected[1]["line"], 13);
    assert!(rejected[1]["reason"].as_str().unwrap_or("").contains("duplicate"), "{rejected:?}");

    // Before opening: no voting, no checkpoint, no results.
    app.ballot_results(id, None).await.expect_problem(409, "results_not_available");
    app.ballot_checkpoint(id, None).await.expect_problem(409, "ballot_not_open");
    let opened = app.open_ballot(id, Some(&officer)).await.expect(200);
    assert_eq!(opened["eligible"], 10);
    // The roll is frozen and the questions can no longer change.
    app.import_roll(id, roll_csv(1, &["Devon"], false).into_bytes(), Some(&officer))
        .await
        .expect_problem(409, "conflict");
    app.update_ballot(id, json!({"title": "Changed", "questions": questions()}), Some(&officer))
        .await
        .expect_problem(409, "conflict");

    let mails = app.mail(10, |m| m.contains("?code=")).await;
    let codes = codes_in(&mails);
    assert_eq!(codes.len(), 10, "one invitation per voter");
    let distinct: std::collections::HashSet<_> = codes.iter().map(|(_, c)| c.clone()).collect();
    assert_eq!(distinct.len(), 10, "codes are unique");
    assert!(mails[0].contains(&format!("/vote/{id}?code=")), "link to the voting page");

    let mut receipts = Vec::new();
    for (i, (_, code)) in codes.iter().take(8).enumerate() {
        let r = app.cast_ballot(id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
        receipts.push(r["receipt"].as_str().expect("receipt").to_string());
    }
    let again = app.cast_ballot(id, json!({"code": codes[0].1, "answers": answers_for(0)}), None).await;
    again.expect_problem(409, "already_voted");
    // Results stay hidden while open; turnout shows.
    app.ballot_results(id, None).await.expect_problem(409, "results_not_available");
    let t = app.ballot_turnout(id, Some(&officer)).await.expect(200);
    assert_eq!((t["eligible"].as_i64(), t["voted"].as_i64()), (Some(10), Some(8)));
    assert_eq!(t["turnout"], 0.8);
    assert_eq!(t["by_lmc"].as_array().map(Vec::len), Some(2));
    // Eight votes wait in the ballot box: fewer than ten are never chained while open (docs/secrecy.md).
    let cp = app.ballot_checkpoint(id, None).await.expect(200);
    assert_eq!(cp["count"], 0);

    app.close_ballot(id, Some(&officer)).await.expect(200);
    app.cast_ballot(id, json!({"code": codes[9].1, "answers": answers_for(9)}), None)
        .await
        .expect_problem(409, "ballot_not_open");
    let res = app.ballot_results(id, None).await.expect(200);
    assert_eq!(res["eligible"], 10);
    assert_eq!(res["votes_cast"], 8);
    assert_eq!(res["turnout"], 0.8);
    let q1 = &res["questions"][0]["options"];
    let yes = q1.as_array().expect("options").iter().find(|o| o["option"] == "yes").expect("yes");
    assert_eq!(yes["votes"], 6, "answers_for gives yes to i % 4 != 3: 6 of 8");
    assert_eq!(yes["share_of_cast"], 0.75);
    assert_eq!(yes["share_of_eligible"], 0.6);
    let menu = res["questions"][1]["options"].as_array().expect("menu");
    assert_eq!(menu[0]["votes"], 8);
    assert_eq!(menu[1]["votes"], 4);
    assert_eq!(res["thresholds"]["turnout"]["met"], true);
    assert_eq!(res["thresholds"]["yes_of_eligible"]["met"], true);
    // Groups of fewer than 10 voters are suppressed in breakdowns.
    let rows = res["breakdowns"].as_array().expect("breakdowns");
    assert!(!rows.is_empty() && rows.iter().all(|r| r["suppressed"] == true), "{rows:?}");
    let csv = app.ballot_results_csv(id, None).await;
    assert!(csv.text.contains("Decline new ICB contracts"), "{}", csv.text);
    let svg = app.get(&format!("/api/v1/ballots/{id}/results?format=svg&question=2"), None).await;
    assert!(
        svg.content_type().starts_with("image/svg+xml")
            && svg.text.contains("<svg")
            && svg.text.contains("Limit contacts")
    );

    let record = app.ballot_record(id, None).await.expect(200);
    let in_record: Vec<&str> =
        record["entries"].as_array().expect("entries").iter().filter_map(|e| e["receipt"].as_str()).collect();
    for r in &receipts {
        assert!(in_record.contains(&r.as_str()), "receipt {r} is in the published record");
    }
    app.publish_ballot(id, Some(&officer)).await.expect(200);
    let notices = app.mail(10, |m| m.contains("/results")).await;
    assert_eq!(notices.len(), 10);
});

both_backends!(bad_votes_are_refused_and_change_nothing, |app: TestApp| async move {
    let b = open_ballot(&app, 3, &["Devon"]).await;
    app.cast_ballot(b.id, json!({"code": "AAAA-BBBB-CCCC-DDDD", "answers": answers_for(0)}), None)
        .await
        .expect_problem(403, "forbidden");
    app.cast_ballot(b.id, json!({"answers": answers_for(0)}), None).await.expect_problem(401, "unauthenticated");
    let code = &b.codes[0].1;
    for bad in [
        json!(["maybe", [MENU[0]]]),
        json!(["yes"]),
        json!(["yes", [MENU[0], MENU[1], MENU[2], MENU[3]]]),
        json!(["yes", ["Go on strike"]]),
        json!(["yes", [MENU[0], MENU[0]]]),
    ] {
        let r = app.cast_ballot(b.id, json!({"code": code, "answers": bad}), None).await;
        r.expect_problem(422, "validation_failed");
    }
    app.cast_ballot(b.id, json!({"code": code, "answers": answers_for(0), "extra": 1}), None)
        .await
        .expect_problem(400, "invalid_json");
    let t = app.ballot_turnout(b.id, Some(&b.officer)).await.expect(200);
    assert_eq!(t["voted"], 0, "refused votes write nothing");
    // The code still works after the refusals, typed loosely.
    let loose = code.to_lowercase().replace('-', " ");
    app.cast_ballot(b.id, json!({"code": loose, "answers": answers_for(0)}), None).await.expect(201);
    // A code works only for its own ballot.
    let other = create_ballot(&app, &b.officer, json!({"title": "Another ballot"})).await;
    app.import_roll(other, roll_csv(2, &["Devon"], false).into_bytes(), Some(&b.officer)).await.expect(200);
    app.open_ballot(other, Some(&b.officer)).await.expect(200);
    app.cast_ballot(other, json!({"code": b.codes[1].1, "answers": answers_for(1)}), None)
        .await
        .expect_problem(403, "forbidden");
    // Who may do what.
    let (_, member) = app.user_with("member@example.org", &[Role::Member]).await;
    app.ballot_turnout(b.id, Some(&member)).await.expect_problem(403, "forbidden");
    app.close_ballot(b.id, Some(&member)).await.expect_problem(403, "forbidden");
    let (_, scrutineer) = app.user_with("scrutineer@example.org", &[Role::Scrutineer]).await;
    app.ballot_turnout(b.id, Some(&scrutineer)).await.expect(200);
    app.close_ballot(b.id, Some(&scrutineer)).await.expect_problem(403, "forbidden");
});

both_backends!(members_on_the_roll_vote_signed_in, |app: TestApp| async move {
    let b = open_ballot(&app, 3, &["Devon"]).await;
    let admin = app.admin().await;
    let (_, gp1) = proven_user(&app, &admin, "gp1@example.org", &["member"]).await;
    let (_, stranger) = proven_user(&app, &admin, "stranger@example.org", &["member"]).await;
    app.cast_ballot(b.id, json!({"answers": answers_for(1)}), Some(&stranger)).await.expect_problem(403, "forbidden");
    app.cast_ballot(b.id, json!({"answers": answers_for(1)}), Some(&gp1)).await.expect(201);
    app.cast_ballot(b.id, json!({"answers": answers_for(1)}), Some(&gp1)).await.expect_problem(409, "already_voted");
    // gp1's emailed code is now spent too: one ballot per voter.
    let code = &b.codes.iter().find(|(e, _)| e == "gp1@example.org").expect("gp1's code").1;
    app.cast_ballot(b.id, json!({"code": code, "answers": answers_for(1)}), None)
        .await
        .expect_problem(409, "already_voted");
});

both_backends!(secrecy_nothing_stored_links_a_voter_to_answers, |app: TestApp| async move {
    let b = open_ballot(&app, 4, &["Devon"]).await;
    let mut receipts = Vec::new();
    for (i, (_, code)) in b.codes.iter().enumerate() {
        let r = app.cast_ballot(b.id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
        receipts.push(r["receipt"].as_str().expect("receipt").to_string());
    }
    // Confirmations of a quiet ballot wait for ten votes or the close; then look at everything stored.
    app.close_ballot(b.id, Some(&b.officer)).await.expect(200);
    let confirmations = app.mail(4, |m| m.contains("has been received")).await;
    for m in &confirmations {
        for r in &receipts {
            assert!(!m.contains(r.as_str()), "a confirmation must not carry the receipt");
        }
    }
    let (entry_columns, roll_columns, dump) = app
        .state
        .db
        .run(|c| {
            use diesel::prelude::*;
            use diesel::sql_types::Text;
            #[derive(QueryableByName)]
            struct Col {
                #[diesel(sql_type = Text)]
                name: String,
            }
            #[derive(QueryableByName)]
            struct Row {
                #[diesel(sql_type = Text)]
                v: String,
            }
            let cols = |c: &mut carried::db::DbConnection, t: &str| -> Vec<String> {
                let q = if c.is_sqlite() {
                    format!("SELECT name FROM pragma_table_info('{t}')")
                } else {
                    format!("SELECT column_name::text AS name FROM information_schema.columns WHERE table_name = '{t}'")
                };
                diesel::sql_query(q).load::<Col>(c).expect("columns").into_iter().map(|c| c.name).collect()
            };
            let entry = cols(c, "ballot_entries");
            let roll = cols(c, "roll");
            let outbox: Vec<Row> =
                diesel::sql_query("SELECT to_addr || ' ' || subject || ' ' || body AS v FROM mail_outbox")
                    .load(c)
                    .expect("outbox");
            Ok((entry, roll, outbox.into_iter().map(|r| r.v).collect::<Vec<_>>().join("\n")))
        })
        .await
        .expect("inspect");
    let mut sorted = entry_columns.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["answers", "ballot_id", "hash", "nonce", "prev", "receipt", "seq"],
        "entries hold no voter id and no time"
    );
    for c in ["receipt", "answers", "seq", "nonce", "hash"] {
        assert!(!roll_columns.iter().any(|r| r == c), "the roll holds no {c}");
    }
    for r in &receipts {
        assert!(!dump.contains(r.as_str()), "no receipt is kept in the outbox");
    }
    for (_, code) in &b.codes {
        assert!(!dump.contains(code.as_str()), "no voting code is kept in the outbox");
    }
});

both_backends!(breakdowns_show_groups_of_ten_or_more, |app: TestApp| async move {
    let lmcs = ["Lambeth", "Cleveland", "Devon"];
    let b = open_ballot(&app, 36, &lmcs).await;
    // Lambeth gets 11 voters, Cleveland 10, Devon 3 (roll position n is in lmcs[n % 3]).
    let quota = [11, 10, 3];
    let mut cast = [0; 3];
    for (email, code) in &b.codes {
        let n: usize = email.trim_start_matches("gp").trim_end_matches("@example.org").parse().expect("n");
        let g = n % 3;
        if cast[g] < quota[g] {
            app.cast_ballot(b.id, json!({"code": code, "answers": ["yes", [MENU[2]]]}), None).await.expect(201);
            cast[g] += 1;
        }
    }
    app.close_ballot(b.id, Some(&b.officer)).await.expect(200);
    let res = app.ballot_results(b.id, None).await.expect(200);
    let rows = res["breakdowns"].as_array().expect("rows");
    let lmc = |name: &str| rows.iter().find(|r| r["dimension"] == "lmc" && r["group"] == name).expect("row").clone();
    let l = lmc("Lambeth");
    assert_eq!((l["suppressed"].as_bool(), l["voted"].as_u64()), (Some(false), Some(11)));
    assert_eq!(l["counts"][0]["yes"], 11);
    let d = lmc("Devon");
    assert_eq!(d["suppressed"], true);
    assert_eq!(d["voted"], Value::Null);
    assert_eq!(d["counts"], Value::Null);
    // Cleveland has 10 voters, but showing it would give away Devon's 3 by subtraction from the totals.
    assert_eq!(lmc("Cleveland")["suppressed"], true);
    let role = rows.iter().find(|r| r["dimension"] == "role").expect("role row");
    assert_eq!((role["suppressed"].as_bool(), role["voted"].as_u64()), (Some(false), Some(24)));
});

both_backends!(scheduled_ballots_open_and_close_themselves, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    // An hour ahead, so the service's own tick leaves the ballot alone: the test runs the scheduler's
    // step at chosen times instead of waiting for the clock. Whole seconds, as the times are stored.
    let opens =
        chrono::Timelike::with_nanosecond(&(chrono::Utc::now() + chrono::Duration::hours(1)), 0).expect("a time");
    let closes = opens + chrono::Duration::hours(1);
    let id =
        create_ballot(&app, &officer, json!({"opens_at": opens.to_rfc3339(), "closes_at": closes.to_rfc3339()})).await;
    app.import_roll(id, roll_csv(2, &["Devon"], false).into_bytes(), Some(&officer)).await.expect(200);
    let status = || async { app.get_ballot(id, Some(&officer)).await.expect(200)["status"].clone() };
    let second = chrono::Duration::seconds(1);
    app.run_due(opens - second).await;
    assert_eq!(status().await, "draft", "not before its opening time");
    app.run_due(opens).await;
    assert_eq!(status().await, "open", "opened at its time");
    let b = app.get_ballot(id, None).await.expect(200);
    assert_eq!(b["eligible"], 2, "the scheduler froze the roll when it opened the ballot");
    app.run_due(closes - second).await;
    assert_eq!(status().await, "open", "not closed before its closing time");
    app.run_due(closes).await;
    assert_eq!(status().await, "closed", "closed at its time");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_reach_voters_through_a_real_smtp_server() {
    let Some(smtp) = Smtp::start() else { return };
    let url = smtp.url();
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("CARRIED_SMTP_URL", &url), ("CARRIED_MAIL_FROM", "ballots@gpc.example.org")],
    )
    .await
    .expect("app");
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let id = create_ballot(&app, &officer, json!({})).await;
    app.import_roll(id, roll_csv(5, &["Devon"], false).into_bytes(), Some(&officer)).await.expect(200);
    app.open_ballot(id, Some(&officer)).await.expect(200);
    let mails = wait_for(|| smtp.messages(), 5, |m| m.contains("?code=")).await;
    let codes = codes_in(&mails);
    let mut to: Vec<&str> = codes.iter().map(|(e, _)| e.as_str()).collect();
    to.sort();
    assert_eq!(to, ["gp0@example.org", "gp1@example.org", "gp2@example.org", "gp3@example.org", "gp4@example.org"]);
    assert!(mails[0].contains("From: ballots@gpc.example.org"), "{}", mails[0]);
    for (i, (_, code)) in codes.iter().enumerate() {
        app.cast_ballot(id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
    }
    let status = app.mail_status(id, Some(&officer)).await.expect(200);
    assert_eq!(status["failing"], 0);
}
