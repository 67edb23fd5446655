//! The chair's day (issue 14): a 100-item agenda imported as printed, run through the API as a chair
//! would, and the published resolutions (JSON, CSV with one row per part, text, the print page) checked
//! item by item.

use serde_json::{json, Value};

use crate::both_backends;
use crate::conference::{conference_with_reps, Conf};
use crate::helpers::TestApp;

const AGENDA: &str = include_str!("../fixtures/agenda-100.txt");

/// Open a show-of-hands poll and close it with the chair's declaration.
async fn show_of_hands(app: &TestApp, conf: &Conf, motion_id: i64, subject: Value, declaration: Value) -> Value {
    let p = app
        .open_poll(motion_id, json!({"subject": subject, "method": "show_of_hands"}), Some(&conf.chair))
        .await
        .expect(201);
    app.close_poll_with(&p["id"], declaration, Some(&conf.chair)).await.expect(200)
}

fn entries(res: &Value, group: &str) -> Vec<Value> {
    res["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == group)
        .map(|g| g["entries"].as_array().expect("entries").clone())
        .unwrap_or_default()
}

fn items(res: &Value, group: &str) -> Vec<String> {
    entries(res, group).iter().map(|e| e["item"].as_str().expect("item").to_string()).collect()
}

both_backends!(a_conference_day_runs_to_its_published_resolutions, |app: TestApp| async move {
    let conf = conference_with_reps(&app, 3).await;
    let cid = conf.id;

    // The chair sets the dates and venue printed on the resolutions.
    let details = |starts: &str, ends: &str| json!({"name": "Conference of Shire LMCs", "venue": "Manchester Central", "starts_on": starts, "ends_on": ends});
    app.update_conference(cid, details("2026-11-20", "2026-11-19"), Some(&conf.chair))
        .await
        .expect_problem(422, "validation_failed");
    app.update_conference(cid, details("2026-11-19", "2026-11-20"), Some(&conf.reps[0]))
        .await
        .expect_problem(403, "forbidden");
    let c = app.update_conference(cid, details("2026-11-19", "2026-11-20"), Some(&conf.chair)).await.expect(200);
    assert_eq!(c["starts_on"], "2026-11-19");
    assert_eq!(c["ends_on"], "2026-11-20");
    assert_eq!(app.get_conference(cid, None).await.expect(200)["venue"], "Manchester Central");

    // The whole printed agenda.
    let r = app.import_agenda(cid, json!({"text": AGENDA}), Some(&conf.chair)).await.expect(201);
    assert_eq!(r["items"].as_array().expect("items").len(), 100, "{}", r["warnings"]);
    let motions = app.list_motions(cid, Some(&conf.chair)).await.expect(200);
    let list = motions.as_array().expect("list").clone();
    let id = |item: &str| -> i64 {
        list.iter()
            .find(|m| m["item"] == item)
            .and_then(|m| m["id"].as_i64())
            .unwrap_or_else(|| panic!("no item {item}"))
    };
    assert_eq!(list.iter().find(|m| m["item"] == "3").expect("3")["kind"], "amendment");
    assert_eq!(list.iter().find(|m| m["item"] == "4").expect("4")["kind"], "rider");
    assert_eq!(list.iter().find(|m| m["item"] == "1a").expect("1a")["bracket"], "1");

    // While the conference sits, the resolutions are provisional and nothing is decided.
    let res = app.resolutions(cid, None).await.expect(200);
    assert_eq!(res["provisional"], true);
    assert_eq!(items(&res, "not_yet_decided").len(), 100);

    // Item 2 in parts: the amendment (printed as item 3) first, the motion's first part, the rider
    // (printed as item 4, voted before the substantive vote on the last parts, docs/domain.md; put directly on
    // the motion, so the resolutions pair it with item 4 by order), then the rest.
    let two = id("2");
    app.take_motion_with(two, json!({"as": "parts"}), Some(&conf.chair)).await.expect(200);
    // The amendment is put as the printed item 3 (linked to it), with the part as amended.
    let p = app
        .put_item_with(id("3"), json!({"part": "(2)", "text": "consult LMCs first."}), Some(&conf.chair))
        .await
        .expect(201);
    assert_eq!(p["motion_id"], two);
    for (tok, ch) in conf.reps.iter().zip(["for", "for", "against"]) {
        app.cast_vote(&p["id"], json!({"choice": ch}), Some(tok)).await.expect(200);
    }
    app.close_poll(&p["id"], Some(&conf.chair)).await.expect(200);
    assert_eq!(app.get_motion(id("3"), None).await.expect(200)["outcome_text"], "CARRIED");
    conf.poll(&app, two, json!({"part": "(1)"}), "simple", &["for", "for", "for"]).await;
    conf.poll(&app, two, json!({"rider": {"text": "report each year."}}), "simple", &["for", "for", "abstain"]).await;
    conf.poll(&app, two, json!({"part": "(2)"}), "simple", &["for", "against", "against"]).await;
    conf.poll(&app, two, json!({"part": "(3)"}), "simple", &["for", "for", "abstain"]).await;
    assert_eq!(conf.outcome_text(&app, two).await, "PARTS (1) AND (3) CARRIED; PART (2) LOST");

    // Item 1 as a whole on a show of hands (not counted).
    show_of_hands(&app, &conf, id("1"), json!("whole"), json!({"result": "carried"})).await;
    // Item 1a on a counted show of hands, lost.
    show_of_hands(
        &app,
        &conf,
        id("1a"),
        json!("whole"),
        json!({"result": "lost", "counts": {"for": 10, "against": 30, "abstain": 2}}),
    )
    .await;

    // The 'A' motions en bloc.
    let p = app.open_en_bloc(cid, json!({}), Some(&conf.chair)).await.expect(201);
    let pid = p["id"].as_i64().expect("poll id");
    for tok in &conf.reps {
        app.cast_vote(pid, json!({"choice": "for"}), Some(tok)).await.expect(200);
    }
    app.close_poll(pid, Some(&conf.chair)).await.expect(200);

    // Item 6: carried, the poll voided (the count was taken early), retaken and lost.
    let six = id("6");
    let first = conf.poll(&app, six, json!("whole"), "simple", &["for", "for", "for"]).await;
    app.void_poll_with(&first["id"], json!({"reason": "the count was taken before the bell"}), Some(&conf.chair))
        .await
        .expect(200);
    conf.poll(&app, six, json!("whole"), "simple", &["against", "against", "for"]).await;

    // Item 7 moved to next business; item 8 withdrawn; item 9 in parts, (i) carried then closure on the
    // rest is not reached.
    conf.poll(
        &app,
        id("7"),
        json!({"procedural": {"kind": "next_business", "part": null}}),
        "simple",
        &["for", "for", "against"],
    )
    .await;
    conf.poll(
        &app,
        id("8"),
        json!({"procedural": {"kind": "withdrawal", "part": null}}),
        "simple",
        &["for", "for", "for"],
    )
    .await;
    let nine = id("9");
    app.take_motion_with(nine, json!({"as": "parts"}), Some(&conf.chair)).await.expect(200);
    conf.poll(&app, nine, json!({"part": "(i)"}), "two_thirds", &["for", "for", "against"]).await;

    // Close the conference: the rest are NOT REACHED.
    app.close_conference_with(cid, json!({"confirm": true}), Some(&conf.chair)).await.expect(200);

    // ---- the published resolutions, item by item ----
    let started = std::time::Instant::now();
    let res = app.resolutions(cid, None).await.expect(200);
    eprintln!("the resolutions of a 100-item agenda: {} ms", started.elapsed().as_millis());
    assert_eq!(res["title"], "Conference of Shire LMCs");
    assert_eq!(res["dates"], "Thursday 19 and Friday 20 November 2026");
    assert_eq!(res["venue"], "Manchester Central");
    assert_eq!(res["provisional"], false);
    let a_motions: Vec<String> = (1..=9).map(|n| (n * 10).to_string()).collect();
    let mut expected_resolutions = vec!["1".to_string(), "2".to_string(), "9".to_string()];
    expected_resolutions.extend(a_motions.iter().cloned());
    let mut got = items(&res, "resolutions");
    let pos = |s: &String| list.iter().position(|m| m["item"] == s.as_str()).unwrap_or(usize::MAX);
    expected_resolutions.sort_by_key(pos);
    assert_eq!(got, expected_resolutions, "resolutions in agenda order");
    got = items(&res, "lost");
    assert_eq!(got, ["1a", "6"]);
    assert_eq!(items(&res, "moved_to_next_business"), ["7"]);
    assert_eq!(items(&res, "withdrawn"), ["8"]);
    let not_reached = items(&res, "not_reached");
    assert_eq!(not_reached.len(), 100 - 12 - 2 - 2 - 2, "{not_reached:?}");
    assert!(
        !not_reached.contains(&"3".to_string()) && !not_reached.contains(&"4".to_string()),
        "the printed amendment and rider are published with item 2"
    );
    assert!(not_reached.contains(&"1b".to_string()) && not_reached.contains(&"95".to_string()));
    assert!(items(&res, "not_yet_decided").is_empty());
    let counts: Vec<(String, u64)> = res["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| (c["group"].as_str().expect("group").to_string(), c["items"].as_u64().expect("n")))
        .collect();
    assert_eq!(
        counts,
        [("resolutions", 12), ("lost", 2), ("moved_to_next_business", 1), ("withdrawn", 1), ("not_reached", 82)]
            .map(|(g, n)| (g.to_string(), n))
    );

    let entry = |group: &str, item: &str| -> Value {
        entries(&res, group).into_iter().find(|e| e["item"] == item).unwrap_or_else(|| panic!("no {item} in {group}"))
    };
    // Item 2: the parts, the amended part, the rider's part, the votes and percentages.
    let e2 = entry("resolutions", "2");
    assert_eq!(e2["proposer_line"], "HILLSHIRE:");
    assert_eq!(e2["section"], "FUNDING");
    assert_eq!(e2["taken"], "parts");
    assert_eq!(e2["as_amended"], true);
    assert_eq!(e2["outcome_text"], "PARTS (1) AND (3) CARRIED; PART (2) LOST");
    let parts = e2["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0]["label"], "(1)");
    assert_eq!(parts[0]["result"], "CARRIED UNANIMOUSLY");
    assert_eq!(
        parts[0]["vote"],
        json!({"method": "electronic", "counts": {"for": 3, "against": 0, "abstain": 0}, "percentages": {"for": 100.0, "against": 0.0}})
    );
    assert_eq!(parts[1]["text"], "consult LMCs first.");
    assert_eq!(parts[1]["as_amended"], true);
    assert_eq!(parts[1]["result"], "LOST");
    assert_eq!(parts[1]["vote"]["percentages"], json!({"for": 33.3, "against": 66.7}));
    assert_eq!(parts[2]["text"], "report each year.");
    assert_eq!(parts[2]["added_by_rider"], true);
    assert_eq!(parts[2]["result"], "CARRIED NEM CON");
    let decisions = e2["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["kind"], "amendment");
    assert_eq!(decisions[0]["printed_item"], "3");
    assert_eq!(decisions[0]["result"], "CARRIED");
    assert_eq!(decisions[0]["vote"]["counts"], json!({"for": 2, "against": 1, "abstain": 0}));
    assert_eq!(decisions[1]["kind"], "rider");
    assert_eq!(decisions[1]["printed_item"], "4");
    assert_eq!(decisions[1]["result"], "CARRIED NEM CON");
    // Item 1: a show of hands, not counted.
    let e1 = entry("resolutions", "1");
    assert_eq!(e1["outcome_text"], "CARRIED");
    assert_eq!(e1["vote"], json!({"method": "show_of_hands", "counts": null, "percentages": null}));
    assert_eq!(e1["parts"][0]["result"], "CARRIED");
    // Item 1a: a counted show of hands.
    assert_eq!(entry("lost", "1a")["vote"]["percentages"], json!({"for": 25.0, "against": 75.0}));
    // The 'A' motions: carried en bloc with that vote's counts.
    let e10 = entry("resolutions", "10");
    assert_eq!(e10["en_bloc"], true);
    assert_eq!(e10["outcome_text"], "CARRIED");
    assert_eq!(e10["vote"]["counts"], json!({"for": 3, "against": 0, "abstain": 0}));
    // Item 6: the retaken vote, not the voided one.
    let e6 = entry("lost", "6");
    assert_eq!(e6["outcome_text"], "LOST");
    assert_eq!(e6["vote"]["counts"], json!({"for": 1, "against": 2, "abstain": 0}));
    // Items 7 and 8: the procedural motions that decided them.
    let e7 = entry("moved_to_next_business", "7");
    assert_eq!(e7["decisions"][0]["kind"], "procedural");
    assert_eq!(e7["decisions"][0]["words"], "That conference moves to next business");
    assert_eq!(entry("withdrawn", "8")["decisions"][0]["result"], "CARRIED UNANIMOUSLY");
    // Item 9: part (i) carried by two-thirds, part (ii) not reached: a resolution in part.
    let e9 = entry("resolutions", "9");
    assert_eq!(
        e9["outcome_text"],
        "PART (i) CARRIED BY A TWO-THIRDS MAJORITY; PART (ii) NOT REACHED".replace(" BY A TWO-THIRDS MAJORITY", "")
    );
    assert_eq!(e9["parts"][0]["result"], "CARRIED BY A TWO-THIRDS MAJORITY");
    assert_eq!(e9["parts"][1]["result"], "NOT REACHED");
    // Every amendment, rider and procedural motion put, and the 'A' motions' vote.
    let all: Vec<&str> =
        res["decisions"].as_array().expect("decisions").iter().map(|d| d["kind"].as_str().expect("kind")).collect();
    assert_eq!(all, ["amendment", "rider", "procedural", "procedural", "a_motions_en_bloc"]);
    // The old list is still there, with "the motion in full".
    assert_eq!(res["motions"].as_array().expect("motions").len(), 100);

    // ---- CSV: one row per part ----
    let csv = app.resolutions_as(cid, "csv", None).await;
    assert_eq!(csv.status.as_u16(), 200);
    assert!(csv.content_type().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "item,section,kind,proposer,stem,part,text,outcome,method,for,against,abstain,for_percent,against_percent,as_amended,added_by_rider,group,motion_outcome"
    );
    let rows_of =
        |item: &str| -> Vec<&str> { lines.iter().copied().filter(|l| l.starts_with(&format!("{item},"))).collect() };
    let two_rows = rows_of("2");
    assert_eq!(two_rows.len(), 3);
    assert_eq!(
        two_rows[0],
        "2,\"FUNDING\",motion,\"Hillshire\",\"That conference demands that ICBs:\",\"(1)\",\"publish their spending\",\"CARRIED UNANIMOUSLY\",electronic,3,0,0,100.0,0.0,no,no,resolutions,\"PARTS (1) AND (3) CARRIED; PART (2) LOST\""
    );
    assert_eq!(
        two_rows[1],
        "2,\"FUNDING\",motion,\"Hillshire\",\"That conference demands that ICBs:\",\"(2)\",\"consult LMCs first.\",\"LOST\",electronic,1,2,0,33.3,66.7,yes,no,resolutions,\"PARTS (1) AND (3) CARRIED; PART (2) LOST\""
    );
    assert!(
        two_rows[2].contains(
            ",\"(3)\",\"report each year.\",\"CARRIED NEM CON\",electronic,2,0,1,100.0,0.0,no,yes,resolutions,"
        ),
        "{}",
        two_rows[2]
    );
    assert!(
        rows_of("1")[0].contains(",\"CARRIED\",show_of_hands,,,,,,no,no,resolutions,\"CARRIED\""),
        "{:?}",
        rows_of("1")
    );
    assert_eq!(rows_of("1").len(), 3, "item 1 has three parts, each with the motion's outcome");
    assert!(
        rows_of("1a")[0].ends_with(",\"LOST\",show_of_hands,10,30,2,25.0,75.0,no,no,lost,\"LOST\""),
        "{:?}",
        rows_of("1a")
    );
    assert!(rows_of("10")[0].ends_with(",\"CARRIED\",electronic,3,0,0,100.0,0.0,no,no,resolutions,\"CARRIED\""));
    assert!(
        rows_of("95")[0].ends_with(",\"NOT REACHED\",,,,,,,no,no,not_reached,\"NOT REACHED\""),
        "{:?}",
        rows_of("95")
    );
    assert!(rows_of("3").is_empty() && rows_of("4").is_empty());
    let expected_rows: usize = ["resolutions", "lost", "moved_to_next_business", "withdrawn", "not_reached"]
        .iter()
        .flat_map(|g| entries(&res, g))
        .map(|e| e["parts"].as_array().map(|p| p.len()).unwrap_or(0).max(1))
        .sum();
    assert_eq!(lines.len() - 1, expected_rows);

    // ---- text and the print page ----
    let text = app.resolutions_as(cid, "text", None).await.text;
    assert!(
        text.starts_with(
            "RESOLUTIONS\nConference of Shire LMCs\nThursday 19 and Friday 20 November 2026, Manchester Central\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("(2) consult LMCs first. (as amended)\n    LOST — for 1 (33.3%), against 2 (66.7%), abstain 0\n"),
        "{text}"
    );
    assert!(text.contains("  Amendment to motion 2, part (2) (item 3): “(2) consult LMCs first.” — CARRIED, for 2 (66.7%), against 1 (33.3%), abstain 0\n"), "{text}");
    assert!(text.contains("\nCARRIED — on a show of hands\n"), "{text}");
    let page = app.get(&format!("/conference/{cid}/resolutions/print"), None).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.text.contains("<h1>Conference of Shire LMCs</h1>"));
    assert!(page
        .text
        .contains("<p class=\"doc-when\">Thursday 19 and Friday 20 November 2026, Manchester Central</p>"));
    assert_eq!(page.text, app.resolutions_as(cid, "html", None).await.text);
    app.get("/conference/999999/resolutions/print", None).await.expect_problem(404, "not_found");
});
