//! The officer's console over the API: reminders that say how many will go and refuse a second round
//! within the hour unless forced; the roll read from a spreadsheet export; a re-import summarised.

use serde_json::json;

use crate::ballots::{answers_for, open_ballot};
use crate::both_backends;

both_backends!(
    reminders_say_how_many_and_refuse_a_second_round_within_the_hour,
    |app: crate::helpers::TestApp| async move {
        let b = open_ballot(&app, 12, &["Devon"]).await;
        let id = b.id;
        // Two voters vote: ten would be reminded.
        for (i, (_, code)) in b.codes.iter().take(2).enumerate() {
            app.cast_ballot(id, json!({"code": code, "answers": answers_for(i)}), None).await.expect(201);
        }
        let s = app.reminder_status(id, Some(&b.officer)).await.expect(200);
        assert_eq!(s["would_send"], 10, "{s}");
        assert!(s["last_sent_at"].is_null(), "{s}");
        let r = app.remind_voters(id, Some(&b.officer)).await.expect(200);
        assert_eq!(r["reminders_queued"], 10);
        let s = app.reminder_status(id, Some(&b.officer)).await.expect(200);
        assert_eq!(s["last_count"], 10, "{s}");
        assert!(s["last_sent_at"].is_string() && s["next_without_force_at"].is_string(), "{s}");
        // A second click within the hour: refused, and nothing more is queued.
        let again = app.remind_voters(id, Some(&b.officer)).await;
        again.expect_problem(409, "conflict");
        assert!(again.text.contains("10 reminders were queued") && again.text.contains("force=true"), "{}", again.text);
        let mail = app.mail_status(id, Some(&b.officer)).await.expect(200);
        let reminders = mail["by_kind"].as_array().expect("by_kind").iter().find(|k| k["kind"] == "reminder").cloned();
        assert_eq!(reminders.map(|k| k["total"].clone()), Some(json!(10)), "{mail}");
        // Forced, it goes.
        let r = app.remind_voters_forced(id, Some(&b.officer)).await.expect(200);
        assert_eq!(r["reminders_queued"], 10);
        let mail = app.mail_status(id, Some(&b.officer)).await.expect(200);
        let reminders = mail["by_kind"].as_array().expect("by_kind").iter().find(|k| k["kind"] == "reminder").cloned();
        assert_eq!(reminders.map(|k| k["total"].clone()), Some(json!(20)), "{mail}");
    }
);
