//! What the pages of an end-to-end ballot need from the API: the officer lists the accounts that may be
//! trustees, and a trustee reads (and finds in the list) the draft ballots they hold a key of, and no other.

use carried::services::auth::Role;
use serde_json::json;

use crate::ballots::questions;
use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(a_trustee_reads_the_drafts_they_are_trustee_of, |app: TestApp| async move {
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let (t1, t1_token) = app.user_with("t1@example.org", &[Role::Trustee]).await;
    let (t2, t2_token) = app.user_with("t2@example.org", &[Role::Trustee]).await;
    let (_, member) = app.user_with("member@example.org", &[Role::Member]).await;

    // The officer lists who may be a trustee: id and name, nothing else; no one else may.
    let list = app.list_trustees(Some(&officer)).await.expect(200);
    let ids: Vec<i64> = list.as_array().expect("array").iter().map(|t| t["id"].as_i64().expect("id")).collect();
    assert_eq!(ids, vec![t1, t2]);
    assert!(list[0].get("email").is_none() && list[0].get("roles").is_none(), "{list}");
    assert_eq!(list[0]["name"].as_str().map(|s| !s.is_empty()), Some(true));
    app.list_trustees(Some(&t1_token)).await.expect_problem(403, "forbidden");
    app.list_trustees(None).await.expect(401);
    let doc = app.openapi_document(None).await.expect(200);
    assert!(doc["paths"]["/api/v1/trustees"]["get"].is_object(), "GET /trustees is in the OpenAPI document");

    let ballot = |title: &str, trustees: Vec<i64>| json!({"title": title, "questions": questions(), "verifiability": "end_to_end", "trustees": trustees});
    let a = app.create_ballot(ballot("A", vec![t1]), Some(&officer)).await.expect(201)["id"].as_i64().expect("id");
    let b = app.create_ballot(ballot("B", vec![t2]), Some(&officer)).await.expect(201)["id"].as_i64().expect("id");

    // Trustee 1 reads A's draft (to make their key before it opens), not B's.
    let read = app.get_ballot(a, Some(&t1_token)).await.expect(200);
    assert_eq!((read["title"].as_str(), read["status"].as_str()), (Some("A"), Some("draft")));
    app.get_ballot(b, Some(&t1_token)).await.expect_problem(403, "forbidden");
    app.get_ballot(a, Some(&t2_token)).await.expect_problem(403, "forbidden");
    app.get_ballot(a, Some(&member)).await.expect_problem(403, "forbidden");
    app.get_ballot(a, None).await.expect(401);

    // And finds it, alone, in the list of ballots.
    let titles = |v: serde_json::Value| -> Vec<String> {
        v.as_array().expect("array").iter().filter_map(|b| b["title"].as_str().map(String::from)).collect()
    };
    assert_eq!(titles(app.list_ballots(Some(&t1_token)).await.expect(200)), vec!["A".to_string()]);
    assert_eq!(titles(app.list_ballots(Some(&t2_token)).await.expect(200)), vec!["B".to_string()]);
    assert!(titles(app.list_ballots(Some(&member)).await.expect(200)).is_empty());
});
