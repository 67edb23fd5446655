//! The officer's console, continued: the roll searched, paged, corrected and a voter removed before
//! opening; turnout downloaded as CSV; reminders scheduled at days before the close and seen to go.

use super::*;

/// The demo officer's API token (the demo's passwords are made at load time).
async fn officer_token(app: &TestApp, demo: &carried::demo::Demo) -> String {
    let r = app
        .sign_in(json!({"email": demo_email("officer"), "password": demo.password("officer").expect("password")}), None)
        .await
        .expect(200);
    r["token"].as_str().expect("token").to_string()
}

fn roll(n: usize, lmcs: &[&str]) -> String {
    let mut out = String::from("Membership No;Full name;Email address;LMC area;GP role\n");
    for i in 0..n {
        out.push_str(&format!("M{i:05};Doctor {i};gp{i}@example.org;{};partner\n", lmcs[i % lmcs.len()]));
    }
    out
}

/// A ballot with a roll of `n`, closing `closes_in` from now (if given); opened if `open`.
async fn ballot(app: &TestApp, token: &str, n: usize, closes_in: Option<chrono::Duration>, open: bool) -> i64 {
    let mut body = json!({"title": "Ballot on premises costs", "questions": [
        {"text": "Should GPC England ballot on premises costs?", "kind": "yes_no"}]});
    if let Some(d) = closes_in {
        body["closes_at"] = json!((chrono::Utc::now() + d).to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    let id = app.create_ballot(body, Some(token)).await.expect(201)["id"].as_i64().expect("id");
    let csv = roll(n, &["North Staffordshire", "Cleveland", "Devon"]).into_bytes();
    let r = app.import_roll(id, csv, Some(token)).await.expect(200);
    assert_eq!(r["added"], n);
    if open {
        app.open_ballot(id, Some(token)).await.expect(200);
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_searches_pages_and_corrects_the_roll() {
    let Some(driver_path) = browser_or_skip("officer_searches_pages_and_corrects_the_roll") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let (app, demo) = demo_app().await;
    let token = officer_token(&app, &demo).await;
    let id = ballot(&app, &token, 60, None, false).await;
    let driver = Driver::start(&driver_path).await;
    let officer = driver.session().await;
    officer.sign_in(&app, &demo_email("officer"), demo.password("officer").expect("password")).await;
    officer.goto(&app.url(&format!("/officer#ballot-{id}"))).await;
    officer.wait_text("#roll-count", "60 voters on the roll. You can correct or remove a voter").await;
    officer.wait_text("#roll-page", "Page 1 of 3").await;
    officer.click("#roll-next").await;
    officer.wait_text("#roll-page", "Page 2 of 3").await;
    // Search as you type (case ignored): an LMC, then one GP by address.
    officer.type_into("#roll-q", "cleveland").await;
    officer.wait_text("#roll-count", "20 voters match “cleveland”").await;
    officer.set_value("#roll-q", "M00007").await;
    officer.click("#roll-search-button").await;
    officer.wait_text("#roll-count", "1 voter matches “M00007”").await;
    officer.wait_text("#roll-table", "Doctor 7").await;
    // Correct the GP's email and LMC; a bad address is named first and nothing is written.
    officer.click("[data-correct='M00007']").await;
    officer.wait_for("#voter-form").await;
    officer.set_value("#voter-email", "asha at example").await;
    officer.click("#voter-save").await;
    officer.wait_text("#error-summary", "is not a valid address").await;
    officer.set_value("#voter-email", "Asha.Rao@Example.org").await;
    officer.set_value("#voter-lmc", "Kernow").await;
    officer.click("#voter-save").await;
    officer.wait_text("#voter-corrected", "Corrected M00007: email, lmc.").await;
    let row = officer.wait_text("#roll-table", "asha.rao@example.org").await;
    assert!(row.contains("Kernow"), "{row}");
    officer.set_value("#roll-q", "").await;
    officer.type_into("#roll-q", "kernow").await;
    officer.wait_text("#roll-count", "1 voter matches “kernow”").await;
    officer.check_page("officer-roll-corrected").await;
    // Remove one GP (confirmed).
    officer.set_value("#roll-q", "gp8@").await;
    officer.click("#roll-search-button").await;
    officer.wait_text("#roll-count", "1 voter matches").await;
    officer.exec("window.confirm = () => true; return true", json!([])).await;
    officer.click("[data-remove='M00008']").await;
    officer.wait_text("#voter-removed", "Removed Doctor 8 (M00008) from the roll.").await;
    officer.wait_text("#roll-count", "0 voters match").await;
    officer.wait_text("#roll-size", "59").await;
    let p = app.search_roll(id, "q=asha", Some(&token)).await.expect(200);
    assert_eq!(p["voters"][0]["lmc"], "Kernow", "{p}");
    officer.screenshot(&shots().join("officer-roll-removed.png")).await;

    // Turnout by LMC downloads as CSV from the console of an open ballot.
    officer.goto(&app.url(&format!("/officer#ballot-{}", demo.open_ballot))).await;
    officer.wait_text("#turnout", "have voted").await;
    officer.wait_text("#roll-count", "The roll froze when the ballot opened.").await;
    let csv = officer
        .exec_async(
            "const done = arguments[arguments.length - 1]; const a = document.querySelector('#turnout-csv'); \
             fetch(a.href).then(r => r.text().then(t => done([r.status, r.headers.get('content-type'), t]))) \
             .catch(e => done([0, '', String(e)]));",
            json!([]),
        )
        .await;
    assert_eq!(csv[0], 200, "{csv}");
    assert!(csv[1].as_str().unwrap_or("").starts_with("text/csv"), "{csv}");
    assert!(csv[2].as_str().unwrap_or("").starts_with("lmc,eligible,voted,turnout,note\r\nAll LMC areas,"), "{csv}");
    officer.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_schedules_reminders_and_sees_them_go() {
    let Some(driver_path) = browser_or_skip("officer_schedules_reminders_and_sees_them_go") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let (app, demo) = demo_app().await;
    let token = officer_token(&app, &demo).await;
    // Closes two days and a minute from now: a round two days before the close falls due in a minute.
    let closes_in = chrono::Duration::days(2) + chrono::Duration::seconds(60);
    let id = ballot(&app, &token, 12, Some(closes_in), true).await;
    let due = chrono::Utc::now() + closes_in - chrono::Duration::days(2);
    let driver = Driver::start(&driver_path).await;
    let officer = driver.session().await;
    officer.sign_in(&app, &demo_email("officer"), demo.password("officer").expect("password")).await;
    officer.goto(&app.url(&format!("/officer#ballot-{id}"))).await;
    officer.wait_text("#schedule-next", "No reminders are scheduled.").await;
    // Seven days before a close two days away has passed: the page names the round.
    officer.type_into("#schedule-days", "7, 2").await;
    officer.click("#save-schedule").await;
    officer.wait_text("#error-summary", "7 days before the close").await;
    officer.wait_text("#error-summary", "has already passed").await;
    officer.set_value("#schedule-days", "2").await;
    officer.click("#save-schedule").await;
    officer.wait_text("#schedule-saved", "Saved: reminders go 2 days before the close.").await;
    officer.wait_text("#schedule-next", "The next round goes").await;
    officer.wait_text("#schedule-table", "Waiting").await;
    officer.screenshot(&shots().join("officer-reminders-scheduled.png")).await;
    // The service sends it when due, once; the console shows when it went and how many. The scheduler's
    // step runs now at the time the round falls due rather than waiting the minute for its tick (the API
    // test `the_service_sends_a_scheduled_round_by_itself` checks the tick itself); the page reloads its
    // schedule every ten seconds.
    app.run_due(due).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = officer.text("#schedule-next").await.unwrap_or_default();
        if t.contains("The last scheduled round went") {
            assert!(t.contains("12 reminders"), "{t}");
            break;
        }
        assert!(Instant::now() < deadline, "the scheduled round did not show as sent: {t}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let row = officer.wait_text("#schedule-table", "Sent").await;
    assert!(row.contains("12 reminders"), "{row}");
    officer.wait_text("#reminder-info", "The last reminders (12) went").await;
    officer.check_page("officer-reminders-sent").await;
    let s = app.reminder_status(id, Some(&token)).await.expect(200);
    assert_eq!(s["schedule"][0]["sent_count"], 12, "{s}");
    let mail = app.mail_status(id, Some(&token)).await.expect(200);
    let reminders = mail["by_kind"].as_array().expect("kinds").iter().find(|k| k["kind"] == "reminder").cloned();
    assert_eq!(reminders.map(|k| k["total"].clone()), Some(json!(12)), "sent once: {mail}");
    officer.quit().await;
}
