//! Issue 11: each attack an insider (an officer, a chair, an admin, a database reader) tried, replayed
//! over HTTP (and against the database file where the attack needs it); each must now fail.

use carried::services::auth::Role;
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

// ---- finding 11: per-object authorisation ---------------------------------------------------------

both_backends!(a_second_chair_cannot_touch_another_chairs_conference, |app: TestApp| async move {
    let admin = app.admin().await;
    let (_, chair) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let (chair2_id, chair2) = app.user_with("chair2@example.org", &[Role::Chair]).await;
    let conf =
        app.create_conference(json!({"name": "Mine"}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id");
    let motion = app.create_motion(conf, json!({"stem": "That conference is mine."}), Some(&chair)).await.expect(201)
        ["id"]
        .as_i64()
        .expect("id");
    let poll =
        app.open_poll(motion, json!({"subject": "whole"}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id");
    // The attack: the second chair closes the poll and the conference, adds a motion.
    app.close_poll(poll, Some(&chair2)).await.expect_problem(403, "forbidden");
    app.close_conference(conf, Some(&chair2)).await.expect_problem(403, "forbidden");
    app.create_motion(conf, json!({"stem": "That I take over."}), Some(&chair2)).await.expect_problem(403, "forbidden");
    let c = app.get_conference(conf, None).await.expect(200);
    assert_eq!(c["status"], "open", "the conference is still open");
    assert_eq!(app.get_poll(poll, None).await.expect(200)["status"], "open");
    // The chair cannot make themselves or others chairs; the admin can.
    app.set_chairs(conf, json!({"user_ids": [chair2_id]}), Some(&chair)).await.expect_problem(403, "forbidden");
    let (rep_id, _) = app.user_with("rep@example.org", &[Role::Representative]).await;
    app.set_chairs(conf, json!({"user_ids": [rep_id]}), Some(&admin)).await.expect_problem(422, "validation_failed");
    let set = app.set_chairs(conf, json!({"user_ids": [chair2_id]}), Some(&admin)).await.expect(200);
    assert_eq!(set["user_ids"], json!([chair2_id]));
    // Now the roles are swapped: the first chair is out.
    app.close_poll(poll, Some(&chair)).await.expect_problem(403, "forbidden");
    app.close_poll(poll, Some(&chair2)).await.expect(200);
});

both_backends!(a_second_officer_cannot_open_close_or_publish_another_officers_ballot, |app: TestApp| async move {
    let admin = app.admin().await;
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let (officer2_id, officer2) = app.user_with("officer2@example.org", &[Role::Officer]).await;
    let (_, scrutineer) = app.user_with("scrutineer@example.org", &[Role::Scrutineer]).await;
    let id = crate::ballots::create_ballot(&app, &officer, json!({})).await;
    let roll = crate::ballots::roll_csv(3, &["Devon"], false).into_bytes();
    // The attack, on a draft: read it, import a roll, edit it, open it.
    app.get_ballot(id, Some(&officer2)).await.expect_problem(403, "forbidden");
    app.import_roll(id, roll.clone(), Some(&officer2)).await.expect_problem(403, "forbidden");
    app.update_ballot(id, json!({"title": "Hijacked", "questions": crate::ballots::questions()}), Some(&officer2))
        .await
        .expect_problem(403, "forbidden");
    app.import_roll(id, roll, Some(&officer)).await.expect(200);
    app.open_ballot(id, Some(&officer2)).await.expect_problem(403, "forbidden");
    let b = app.get_ballot(id, Some(&officer)).await.expect(200);
    assert_eq!(b["status"], "draft");
    assert_eq!(b["title"], "Indicative ballot on online access");
    app.open_ballot(id, Some(&officer)).await.expect(200);
    // Open: no turnout, mail status, reminders or closing for the other officer; the scrutineer reads.
    app.ballot_turnout(id, Some(&officer2)).await.expect_problem(403, "forbidden");
    app.mail_status(id, Some(&officer2)).await.expect_problem(403, "forbidden");
    app.ballot_turnout(id, Some(&scrutineer)).await.expect(200);
    app.remind_voters(id, Some(&officer2)).await.expect_problem(403, "forbidden");
    app.close_ballot(id, Some(&officer2)).await.expect_problem(403, "forbidden");
    assert_eq!(app.get_ballot(id, None).await.expect(200)["status"], "open");
    app.close_ballot(id, Some(&officer)).await.expect(200);
    app.publish_ballot(id, Some(&officer2)).await.expect_problem(403, "forbidden");
    // An admin hands the ballot to the second officer.
    app.set_officers(id, json!({"user_ids": [officer2_id]}), Some(&officer)).await.expect_problem(403, "forbidden");
    app.set_officers(id, json!({"user_ids": [officer2_id]}), Some(&admin)).await.expect(200);
    app.publish_ballot(id, Some(&officer)).await.expect_problem(403, "forbidden");
    app.publish_ballot(id, Some(&officer2)).await.expect(200);
});

// ---- finding 13 and a finding 14 item: registering representatives ----------------------------------

both_backends!(a_chair_cannot_read_or_promote_other_accounts_when_registering, |app: TestApp| async move {
    let admin = app.admin().await;
    let admin_id = app.me(Some(&admin)).await.expect(200)["id"].as_i64().expect("id");
    let (_, chair) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let (officer_id, _) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let (rep_id, _) = app.user_with("rep@example.org", &[Role::Representative]).await;
    let conf =
        app.create_conference(json!({"name": "Reps"}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id");
    // The attack: register the admin (and an officer) by user id, read their email, make them representatives.
    for id in [admin_id, officer_id, 999_999] {
        let r = app.add_representative(conf, json!({"user_id": id, "lmc": "Devon"}), Some(&chair)).await;
        r.expect_problem(422, "validation_failed");
        assert!(!r.text.contains("admin@example.org") && !r.text.contains("officer@example.org"), "{}", r.text);
    }
    // By email, an account holding other roles is not changed either.
    app.add_representative(conf, json!({"email": "admin@example.org", "lmc": "Devon"}), Some(&chair))
        .await
        .expect_problem(422, "validation_failed");
    let me = app.me(Some(&admin)).await.expect(200);
    assert_eq!(me["roles"], json!(["admin"]), "the admin's roles are unchanged");
    let users = app.list_users(Some(&admin)).await.expect(200);
    let officer = users.as_array().expect("users").iter().find(|u| u["id"] == officer_id).cloned().expect("officer");
    assert_eq!(officer["roles"], json!(["officer"]));
    // What a chair may do: an existing representative by id or email, a new person by email and name.
    app.add_representative(conf, json!({"user_id": rep_id, "lmc": "Devon"}), Some(&chair)).await.expect(201);
    let r = app
        .add_representative(
            conf,
            json!({"email": "new.rep@example.org", "name": "New Rep", "lmc": "Kent"}),
            Some(&chair),
        )
        .await;
    assert_eq!(r.expect(201)["email"], "new.rep@example.org");
    app.add_representative(conf, json!({"email": "rep@example.org", "lmc": "Devon"}), Some(&chair))
        .await
        .expect_problem(409, "conflict");
    let list = app.list_representatives(conf, Some(&chair)).await.expect(200);
    assert_eq!(list.as_array().map(Vec::len), Some(2));
});

both_backends!(a_disabled_account_is_one_rejected_line_of_a_representatives_csv, |app: TestApp| async move {
    let admin = app.admin().await;
    let (_, chair) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let (gone_id, _) = app.user_with("gone@example.org", &[Role::Representative]).await;
    app.delete_user(gone_id, Some(&admin)).await.expect(204);
    app.seed_user("officer@example.org", &[Role::Officer]).await;
    app.seed_user("rep@example.org", &[Role::Representative]).await;
    let conf =
        app.create_conference(json!({"name": "CSV"}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id");
    let csv = "name,email,lmc\nGone,gone@example.org,Devon\nRep,rep@example.org,Devon\n\
               Officer,officer@example.org,Kent\nNew,new@example.org,Kent\n";
    let r = app.import_representatives(conf, csv.into(), Some(&chair)).await.expect(200);
    assert_eq!(r["added"], 2, "{r}");
    assert_eq!(r["invited"], 1, "{r}");
    let rejected = r["rejected"].as_array().expect("rejected");
    assert_eq!(rejected.len(), 2, "{r}");
    assert_eq!(rejected[0]["line"], 2);
    assert!(rejected[0]["reason"].as_str().unwrap_or("").contains("disabled"), "{r}");
    assert_eq!(rejected[1]["line"], 4);
    assert!(rejected[1]["reason"].as_str().unwrap_or("").contains("other roles"), "{r}");
    let users = app.list_users(Some(&admin)).await.expect(200);
    let officer =
        users.as_array().expect("users").iter().find(|u| u["email"] == "officer@example.org").cloned().expect("o");
    assert_eq!(officer["roles"], json!(["officer"]));
});

// ---- finding 2: live turnout by group follows the small-group rule ----------------------------------

both_backends!(live_turnout_never_places_one_vote_in_a_small_group, |app: TestApp| async move {
    let (_, scrutineer) = app.user_with("scrutineer@example.org", &[Role::Scrutineer]).await;
    // Twelve GPs in one large LMC, ten in another, and one each in four small ones.
    let mut lmcs = vec!["Big"; 12];
    lmcs.extend(["Mid"; 10]);
    lmcs.extend(["Rutland", "Scilly", "Sark", "Lundy"]);
    let b = crate::ballots::open_ballot(&app, lmcs.len(), &lmcs).await;
    let mut seen: Vec<serde_json::Value> = Vec::new();
    for (i, (_, code)) in b.codes.iter().enumerate() {
        app.cast_ballot(b.id, json!({"code": code, "answers": crate::ballots::answers_for(i)}), None).await.expect(201);
        // The attack: watch turnout by group after every single vote, as officer and as scrutineer.
        for token in [&b.officer, &scrutineer] {
            let t = app.ballot_turnout(b.id, Some(token)).await.expect(200);
            assert_eq!(t["voted"], i + 1, "the overall count is exact");
            let rows: Vec<serde_json::Value> = t["by_lmc"]
                .as_array()
                .expect("by_lmc")
                .iter()
                .chain(t["by_role"].as_array().expect("by_role"))
                .cloned()
                .collect();
            for r in &rows {
                if r["eligible"].as_u64().unwrap_or(0) < 10 {
                    assert_eq!(r["suppressed"], true, "{r}");
                    assert!(r["voted"].is_null() && r["turnout"].is_null(), "{r}");
                }
                if let Some(v) = r["voted"].as_u64() {
                    assert_eq!(v % 10, 0, "shown figures move in steps of 10: {r}");
                }
            }
            seen.push(json!(rows));
        }
    }
    // Between any two readings at most one group's figure changed, by 10, and nothing was unhidden.
    for w in seen.windows(2) {
        let (a, b) = (w[0].as_array().expect("rows"), w[1].as_array().expect("rows"));
        let mut changed = 0;
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x["suppressed"], y["suppressed"], "the hidden set never changes while voting is open");
            if x["voted"] != y["voted"] {
                changed += 1;
                assert_eq!(y["voted"].as_u64().unwrap_or(0) - x["voted"].as_u64().unwrap_or(0), 10);
            }
        }
        assert!(changed <= 1);
    }
    // The large LMC is shown (12 voted, shown as 10); the next smallest is hidden with the small ones,
    // whose 4 on the roll could otherwise be worked out by subtraction from the total.
    let t = app.ballot_turnout(b.id, Some(&b.officer)).await.expect(200);
    let row = |g: &str| t["by_lmc"].as_array().expect("rows").iter().find(|r| r["group"] == g).cloned().expect("row");
    assert_eq!((row("Big")["voted"].as_u64(), row("Big")["suppressed"].as_bool()), (Some(10), Some(false)));
    assert_eq!(row("Mid")["suppressed"], true);
    assert_eq!(t["by_role"][0]["voted"], 20, "26 partners voted, shown as 20");
});

// ---- findings 1 and 3: confirmations and the record's order say nothing about the order of voting ----

/// Rows read straight from the database, as a database reader would.
async fn sql_texts(app: &TestApp, sql: String) -> Vec<String> {
    app.state
        .db
        .run(move |c| {
            use diesel::prelude::*;
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = diesel::sql_types::Text)]
                v: String,
            }
            Ok(diesel::sql_query(sql).load::<Row>(c)?.into_iter().map(|r| r.v).collect())
        })
        .await
        .expect("query")
}

fn cast_order(b: &crate::ballots::OpenBallot) -> Vec<(String, String)> {
    // Votes arrive in the reverse of roll order, so roll order is not vote order.
    let mut codes = b.codes.clone();
    codes.sort_by_key(|(email, _)| {
        std::cmp::Reverse(email.trim_start_matches("gp").trim_end_matches("@example.org").parse::<usize>().unwrap_or(0))
    });
    codes
}

async fn confirmations(app: &TestApp, ballot: i64) -> Vec<String> {
    sql_texts(
        app,
        format!(
            "SELECT to_addr || '|' || CAST(created_at AS TEXT) || '|' || CAST(next_attempt_at AS TEXT) AS v \
             FROM mail_outbox WHERE kind = 'confirmation' AND ballot_id = {ballot} ORDER BY id"
        ),
    )
    .await
}

both_backends!(confirmations_go_out_in_batches_in_roll_order_with_coarse_times, |app: TestApp| async move {
    let b = crate::ballots::open_ballot(&app, 12, &["Devon"]).await;
    let order = cast_order(&b);
    // The attack: one quiet vote at a time, reading the outbox after each.
    for (i, (_, code)) in order.iter().take(9).enumerate() {
        app.cast_ballot(b.id, json!({"code": code, "answers": crate::ballots::answers_for(i)}), None).await.expect(201);
    }
    // The scheduler's step (which chains full ballot boxes) runs now rather than on the next tick.
    app.run_due(chrono::Utc::now()).await;
    assert!(confirmations(&app, b.id).await.is_empty(), "nothing is confirmed before ten votes");
    let (_, tenth) = &order[9];
    app.cast_ballot(b.id, json!({"code": tenth, "answers": crate::ballots::answers_for(9)}), None).await.expect(201);
    app.run_due(chrono::Utc::now()).await;
    assert_eq!(confirmations(&app, b.id).await.len(), 10, "the tenth vote chains the batch and confirms it");
    let rows = confirmations(&app, b.id).await;
    let fields: Vec<Vec<&str>> = rows.iter().map(|r| r.split('|').collect()).collect();
    // In roll order (gp0, gp2, gp3, ... as the roll lists them), which is not the order of voting.
    let voted_in_roll_order: Vec<String> = {
        let mut v: Vec<usize> = order[..10]
            .iter()
            .map(|(e, _)| e.trim_start_matches("gp").trim_end_matches("@example.org").parse().unwrap_or(0))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|n| format!("gp{n}@example.org")).collect()
    };
    assert_eq!(fields.iter().map(|f| f[0].to_string()).collect::<Vec<_>>(), voted_in_roll_order);
    // One time for the whole batch, to the minute.
    for f in &fields {
        assert_eq!((f[1], f[2]), (fields[0][1], fields[0][2]), "{rows:?}");
        assert!(f[1].contains(":00") && !f[1].contains('.'), "no seconds or fractions: {}", f[1]);
        let seconds = f[1].rsplit(':').next().unwrap_or("");
        assert!(seconds.starts_with("00"), "to the minute: {}", f[1]);
    }
    // The checkpoint moved by the whole batch at once.
    let cp = app.ballot_checkpoint(b.id, None).await.expect(200);
    assert_eq!(cp["count"], 10);
    // The rest are confirmed at close.
    let (_, eleventh) = &order[10];
    app.cast_ballot(b.id, json!({"code": eleventh, "answers": crate::ballots::answers_for(10)}), None)
        .await
        .expect(201);
    app.close_ballot(b.id, Some(&b.officer)).await.expect(200);
    assert_eq!(confirmations(&app, b.id).await.len(), 11);
});

both_backends!(the_record_does_not_follow_casting_order_and_the_ballot_box_is_scrubbed, |app: TestApp| async move {
    let b = crate::ballots::open_ballot(&app, 12, &["Devon", "Kent"]).await;
    let mut receipts = Vec::new();
    let mut box_tokens = Vec::new();
    for (i, (_, code)) in cast_order(&b).iter().enumerate() {
        let r = app.cast_ballot(b.id, json!({"code": code, "answers": crate::ballots::answers_for(i)}), None).await;
        receipts.push(r.expect(201)["receipt"].as_str().expect("receipt").to_string());
        if i < 9 {
            // A database reader during voting: the box has no order, the record nothing yet.
            let entries =
                sql_texts(&app, format!("SELECT receipt AS v FROM ballot_entries WHERE ballot_id = {}", b.id)).await;
            assert!(entries.is_empty(), "no entry is chained one vote at a time");
            box_tokens = sql_texts(&app, format!("SELECT token AS v FROM ballot_box WHERE ballot_id = {}", b.id)).await;
            assert_eq!(box_tokens.len(), i + 1);
            assert!(box_tokens.iter().all(|t| t.len() == 32), "random keys: {box_tokens:?}");
        }
    }
    let columns = if app.backend == crate::helpers::Backend::Sqlite {
        sql_texts(&app, "SELECT name AS v FROM pragma_table_info('ballot_box')".into()).await
    } else {
        sql_texts(
            &app,
            "SELECT column_name::text AS v FROM information_schema.columns WHERE table_name = 'ballot_box'".into(),
        )
        .await
    };
    let mut columns = columns;
    columns.sort();
    assert_eq!(columns, ["answers", "ballot_id", "lmc", "nonce", "receipt", "role", "token"], "no sequence, no time");
    app.run_due(chrono::Utc::now()).await;
    let chained = app.ballot_checkpoint(b.id, None).await.expect(200)["count"].as_u64().unwrap_or(0);
    assert!(chained >= 10, "the first batch is chained: {chained}");
    if app.backend == crate::helpers::Backend::Postgres {
        // xmin: the entries of a batch share one transaction, which no single voter's vote had.
        let xmins =
            sql_texts(&app, format!("SELECT xmin::text AS v FROM ballot_entries WHERE ballot_id = {}", b.id)).await;
        let distinct: std::collections::HashSet<&String> = xmins.iter().collect();
        assert_eq!(distinct.len(), 1, "one transaction chained the whole batch: {xmins:?}");
        assert!(xmins.len() >= 10);
    }
    app.close_ballot(b.id, Some(&b.officer)).await.expect(200);
    let record = app.ballot_record(b.id, None).await.expect(200);
    let recorded: Vec<String> = record["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["receipt"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(recorded.len(), 12);
    let mut a = recorded.clone();
    let mut c = receipts.clone();
    a.sort();
    c.sort();
    assert_eq!(a, c, "every vote is in the record");
    assert_ne!(recorded, receipts, "the record's order is not the order of casting");
    let left = sql_texts(&app, format!("SELECT token AS v FROM ballot_box WHERE ballot_id = {}", b.id)).await;
    assert!(left.is_empty(), "the ballot box is empty after close");
    if app.backend == crate::helpers::Backend::Sqlite {
        // The database file: the log is truncated and the box's rows are zeroed, not left in free space.
        // (Other writes, such as the mail sender's, may add to the log after the truncation; what matters
        // is that none of the box's rows survive in it.)
        let wal = std::fs::read(app.data_path().join("carried.db-wal")).unwrap_or_default();
        for t in &box_tokens {
            assert!(
                !wal.windows(t.len()).any(|w| w == t.as_bytes()),
                "a ballot-box key seen during voting is still in the write-ahead log"
            );
        }
        let file = std::fs::read(app.data_path().join("carried.db")).expect("database file");
        for t in &box_tokens {
            assert!(
                !file.windows(t.len()).any(|w| w == t.as_bytes()),
                "a ballot-box key seen during voting is still in the database file"
            );
        }
    }
    let v = app.ballot_results(b.id, None).await.expect(200);
    assert_eq!(v["votes_cast"], 12);
});

// ---- finding 4: an admin cannot vote as a roll member through an account they made ------------------

both_backends!(an_admin_cannot_vote_as_a_roll_member_through_an_account_they_made, |app: TestApp| async move {
    let admin = app.admin().await;
    let b = crate::ballots::open_ballot(&app, 3, &["Devon"]).await;
    // The attack: an account with gp0's email and a password the admin chose, then a vote signed in.
    app.create_user(json!({"email": "gp0@example.org", "name": "Not Dr 0", "password": crate::helpers::PASSWORD, "roles": ["member"]}), Some(&admin))
    .await
    .expect(201);
    let fake = app.login("gp0@example.org").await;
    app.cast_ballot(b.id, json!({"answers": crate::ballots::answers_for(0)}), Some(&fake))
        .await
        .expect_problem(403, "forbidden");
    let t = app.ballot_turnout(b.id, Some(&b.officer)).await.expect(200);
    assert_eq!(t["voted"], 0, "nothing was cast");
    // The same with the CLI (`carried user add`, password from stdin).
    let out = app.cli(
        &["user", "add", "--email", "gp1@example.org", "--name", "Not Dr 1", "--role", "member", "--password-stdin"],
        Some(crate::helpers::PASSWORD),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fake = app.login("gp1@example.org").await;
    app.cast_ballot(b.id, json!({"answers": crate::ballots::answers_for(1)}), Some(&fake))
        .await
        .expect_problem(403, "forbidden");
    // gp0's own code still works: their vote was not taken.
    let code = &b.codes.iter().find(|(e, _)| e == "gp0@example.org").expect("gp0").1;
    app.cast_ballot(b.id, json!({"code": code, "answers": crate::ballots::answers_for(0)}), None).await.expect(201);
    // A GP who set their own password through the emailed link votes signed in.
    let (_, gp2) = crate::ballots::proven_user(&app, &admin, "gp2@example.org", &["member"]).await;
    app.cast_ballot(b.id, json!({"answers": crate::ballots::answers_for(2)}), Some(&gp2)).await.expect(201);
});

// ---- finding 14: CSV exports defuse formulas, full-width ones and a leading `|` included ---------------

fn csv_cells(csv: &str) -> Vec<String> {
    // Enough of a CSV reader for these exports: quoted cells with doubled quotes, comma separated.
    let mut cells = Vec::new();
    for line in csv.lines().skip(1) {
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => cells.push(std::mem::take(&mut cell)),
                (c, _) => cell.push(c),
            }
        }
        cells.push(cell);
    }
    cells
}

both_backends!(csv_exports_defuse_full_width_and_pipe_formulas, |app: TestApp| async move {
    let (_, chair) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let conf =
        app.create_conference(json!({"name": "CSV"}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id");
    let attacks = ["\u{FF1D}HYPERLINK(\"http://x\")", "|calc", "\u{FF0B}1", "\u{FF20}SUM(A1)", "\u{FF0D}1"];
    for (i, a) in attacks.iter().enumerate() {
        app.create_motion(
            conf,
            json!({"number": i + 1, "proposer": a, "stem": format!("{a} That conference is exported.")}),
            Some(&chair),
        )
        .await
        .expect(201);
    }
    let r = app.resolutions_as(conf, "csv", None).await;
    assert_eq!(r.status.as_u16(), 200);
    let cells = csv_cells(&r.text);
    for a in attacks {
        let found: Vec<&String> = cells.iter().filter(|c| c.contains(a)).collect();
        assert!(!found.is_empty(), "{a} is exported: {}", r.text);
        for c in found {
            assert!(c.starts_with('\''), "{a} is defused: {c:?}");
        }
    }
    // Ballot results: option texts that would run as formulas.
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let options = ["\u{FF1D}1+1", "|calc", "\u{FF0B}1"];
    let id = app
        .create_ballot(
            json!({"title": "CSV", "questions": [{"text": "Which?", "kind": "one_of", "options": options}]}),
            Some(&officer),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .expect("id");
    app.import_roll(id, crate::ballots::roll_csv(1, &["Devon"], false).into_bytes(), Some(&officer)).await.expect(200);
    app.open_ballot(id, Some(&officer)).await.expect(200);
    app.close_ballot(id, Some(&officer)).await.expect(200);
    let r = app.ballot_results_csv(id, None).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    let cells = csv_cells(&r.text);
    for o in options {
        let c = cells.iter().find(|c| c.contains(o)).unwrap_or_else(|| panic!("{o} exported: {}", r.text));
        assert!(c.starts_with('\''), "{o} is defused: {c:?}");
    }
});
