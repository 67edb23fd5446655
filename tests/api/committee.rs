//! Applying a carried agenda-committee motion about the agenda ("that item 217 be an 'A' motion").

use serde_json::{json, Value};

use crate::both_backends;
use crate::conference::conference_with_reps;
use crate::helpers::TestApp;

const AGENDA: &str = "\
CONFERENCE OF SHIRE LMCs — AGENDA (written for carried's tests)

AGENDA COMMITTEE

1 AGENDA COMMITTEE TO BE PROPOSED BY NORTH WESSEX: That item 217 be an 'A' motion.

2 AGENDA COMMITTEE TO BE PROPOSED BY NORTH WESSEX: That items 205 and 206 be moved out of the grey section.

3 AGENDA COMMITTEE TO BE PROPOSED BY CLEVELAND: That item 30 be taken in parts.

4 AGENDA COMMITTEE TO BE PROPOSED BY CLEVELAND: That item 31 be withdrawn.

5 AGENDA COMMITTEE TO BE PROPOSED BY CLEVELAND: That item 999 be an 'A' motion.

6 AGENDA COMMITTEE TO BE PROPOSED BY CLEVELAND: That item 40 be moved to the grey section.

MOTIONS

30 KENT: That conference:
(i) asks for more funding
(ii) asks for more staff.

31 SURREY: That conference asks for fewer forms.

40 DEVON: That conference asks for longer appointments.

217 ESSEX: That conference reaffirms its policy on premises.

GREY SECTION

205 DALESIDE: That conference asks for car parks at every practice.

206 HILLTOP: That conference asks for cycle racks at every practice.
";

fn by_item(motions: &Value, item: &str) -> Value {
    motions.as_array().expect("list").iter().find(|m| m["item"] == item).cloned().unwrap_or_else(|| panic!("no {item}"))
}

fn marks(m: &Value) -> Vec<String> {
    m["marks"].as_array().expect("marks").iter().map(|k| k.as_str().expect("mark").to_string()).collect()
}

both_backends!(carried_committee_motions_change_the_items_they_name, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    app.import_agenda(conf.id, json!({"text": AGENDA}), Some(&conf.chair)).await.expect(201);
    let list = || async { app.list_motions(conf.id, Some(&conf.chair)).await.expect(200) };
    let motions = list().await;
    let id = |item: &str| by_item(&motions, item)["id"].as_i64().expect("id");
    assert!(by_item(&motions, "1")["agenda_committee"].as_bool().expect("bool"));
    assert!(marks(&by_item(&motions, "205")).contains(&"grey".to_string()), "the grey section is marked grey");
    let apply = |mid: i64, dry: bool| {
        let path = format!("/api/v1/motions/{mid}/apply{}", if dry { "?dry_run=true" } else { "" });
        let token = conf.chair.clone();
        let app = &app;
        async move { app.post_empty(&path, Some(&token)).await }
    };

    // Before it is carried: a dry run says what it would do; applying is refused; nothing changes.
    let preview = apply(id("1"), true).await.expect(200);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["reading"], json!({"items": ["217"], "actions": ["mark_a"]}));
    assert_eq!(
        preview["changes"],
        json!([{"item": "217", "motion_id": id("217"), "changes": ["becomes an 'A' motion"]}])
    );
    apply(id("1"), false).await.expect_problem(409, "conflict");
    assert!(!marks(&by_item(&list().await, "217")).contains(&"a".to_string()));

    // Carried, then applied: 217 is an 'A' motion, once, and the audit log says so.
    conf.poll(&app, id("1"), json!("whole"), "simple", &["for", "for", "for"]).await;
    let applied = apply(id("1"), false).await.expect(200);
    assert_eq!(applied["dry_run"], false);
    assert_eq!(marks(&applied["motions"][0]), ["a"]);
    assert_eq!(marks(&by_item(&list().await, "217")), ["a"]);
    apply(id("1"), false).await.expect_problem(409, "conflict");
    let admin = app.admin().await;
    let log = app.audit_log(Some(&admin)).await.expect(200);
    let entries: Vec<&Value> =
        log.as_array().expect("entries").iter().filter(|e| e["action"] == "motion.apply_committee").collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["subject"], format!("motion {}", id("1")));
    assert_eq!(entries[0]["details"]["items"], json!(["217"]));
    assert_eq!(entries[0]["details"]["actions"], json!(["mark_a"]));

    // Out of the grey section: both items named.
    conf.poll(&app, id("2"), json!("whole"), "simple", &["for", "for", "against"]).await;
    apply(id("2"), false).await.expect(200);
    let now = list().await;
    for item in ["205", "206"] {
        assert!(!marks(&by_item(&now, item)).contains(&"grey".to_string()), "{item} left the grey section");
    }

    // Into the grey section.
    conf.poll(&app, id("6"), json!("whole"), "simple", &["for", "for", "for"]).await;
    apply(id("6"), false).await.expect(200);
    assert_eq!(marks(&by_item(&list().await, "40")), ["grey"]);

    // Taken in parts; withdrawn.
    conf.poll(&app, id("3"), json!("whole"), "simple", &["for", "for", "for"]).await;
    apply(id("3"), false).await.expect(200);
    assert_eq!(by_item(&list().await, "30")["taken_as"], "parts");
    conf.poll(&app, id("4"), json!("whole"), "simple", &["for", "for", "for"]).await;
    apply(id("4"), false).await.expect(200);
    assert_eq!(by_item(&list().await, "31")["outcome_text"], "WITHDRAWN");

    // An item not on the agenda: 422 naming it, nothing written.
    conf.poll(&app, id("5"), json!("whole"), "simple", &["for", "for", "for"]).await;
    let r = apply(id("5"), false).await;
    r.expect_problem(422, "validation_failed");
    assert!(r.text.contains("item 999"), "{}", r.text);
    // An ordinary motion is not a committee motion about the agenda.
    let r = apply(id("40"), true).await;
    r.expect_problem(422, "validation_failed");
    assert!(r.text.contains("not an agenda-committee motion"), "{}", r.text);
    let log = app.audit_log(Some(&admin)).await.expect(200);
    let n = log.as_array().expect("entries").iter().filter(|e| e["action"] == "motion.apply_committee").count();
    assert_eq!(n, 5);
});

both_backends!(a_lost_committee_motion_is_not_applied, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    app.import_agenda(conf.id, json!({"text": AGENDA}), Some(&conf.chair)).await.expect(201);
    let motions = app.list_motions(conf.id, Some(&conf.chair)).await.expect(200);
    let one = by_item(&motions, "1")["id"].as_i64().expect("id");
    conf.poll(&app, one, json!("whole"), "simple", &["against", "against", "for"]).await;
    let r = app.apply_committee_motion(one, Some(&conf.chair)).await;
    r.expect_problem(409, "conflict");
    assert!(r.text.contains("not carried (LOST)"), "{}", r.text);
    // Applying 217's target once it is decided is refused.
    let target = by_item(&motions, "217")["id"].as_i64().expect("id");
    conf.poll(&app, target, json!("whole"), "simple", &["for", "for", "for"]).await;
    let r = app.post_empty(&format!("/api/v1/motions/{one}/apply?dry_run=true"), Some(&conf.chair)).await;
    r.expect_problem(409, "conflict");
    assert!(r.text.contains("item 217 is already decided"), "{}", r.text);
});
