//! Every operation × every role is allowed or refused exactly as docs/api.md's table says.

use carried::services::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Representative,
    Member,
    Chair,
    Officer,
    Scrutineer,
    Admin,
    /// Holds the chair role but does not chair these conferences.
    OtherChair,
    /// Holds the officer role but is not an officer of these ballots.
    OtherOfficer,
}

const EVERYONE: &[Who] = &[
    Who::Anonymous,
    Who::Representative,
    Who::Member,
    Who::Chair,
    Who::Officer,
    Who::Scrutineer,
    Who::Admin,
    Who::OtherChair,
    Who::OtherOfficer,
];

struct Op {
    method: Method,
    path: String,
    body: Option<Value>,
    csv: Option<&'static str>,
    allowed: &'static [Who],
}

fn op(method: Method, path: String, body: Option<Value>, allowed: &'static [Who]) -> Op {
    Op { method, path, body, csv: None, allowed }
}

both_backends!(every_operation_for_every_role, |app: TestApp| async move {
    use Who::*;
    let mut tokens = Vec::new();
    for (who, role, email) in [
        (Representative, Role::Representative, "rep@example.org"),
        (Member, Role::Member, "member@example.org"),
        (Chair, Role::Chair, "chair@example.org"),
        (Officer, Role::Officer, "officer@example.org"),
        (Scrutineer, Role::Scrutineer, "scrutineer@example.org"),
        (Admin, Role::Admin, "admin@example.org"),
        (OtherChair, Role::Chair, "chair2@example.org"),
        (OtherOfficer, Role::Officer, "officer2@example.org"),
    ] {
        let (id, token) = app.user_with(email, &[role]).await;
        tokens.push((who, id, token));
    }
    let token = |w: Who| tokens.iter().find(|(x, _, _)| *x == w).map(|(_, _, t)| t.clone());
    let rep_id = tokens.iter().find(|(x, _, _)| *x == Representative).map(|t| t.1).expect("rep");
    let chair = token(Chair).expect("chair");
    let officer = token(Officer).expect("officer");
    let chair_id = tokens.iter().find(|(x, _, _)| *x == Chair).map(|t| t.1).expect("chair");
    let officer_id = tokens.iter().find(|(x, _, _)| *x == Officer).map(|t| t.1).expect("officer");

    // Resources to act on.
    let conf =
        app.create_conference(json!({"name": "Access"}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id");
    let conf2 =
        app.create_conference(json!({"name": "Access 2"}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id");
    let conf2_motion =
        app.create_motion(conf2, json!({"text": "1 KENT: That conference imports."}), Some(&chair)).await.expect(201)
            ["id"]
            .as_i64()
            .expect("id");
    app.add_representative(conf, json!({"user_id": rep_id, "lmc": "Devon"}), Some(&chair)).await.expect(201);
    let motion = app
        .create_motion(conf, json!({"stem": "That conference tests access.", "marks": ["a"]}), Some(&chair))
        .await
        .expect(201)["id"]
        .as_i64()
        .expect("id");
    let motion2 =
        app.create_motion(conf, json!({"stem": "That conference has a poll."}), Some(&chair)).await.expect(201)["id"]
            .as_i64()
            .expect("id");
    let poll =
        app.open_poll(motion2, json!({"subject": "whole"}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id");
    // The chair takes speakers on motion2; the representative has asked to speak.
    app.open_debate(conf, json!({"motion_id": motion2}), Some(&chair)).await.expect(200);
    let rep_token = token(Representative).expect("rep");
    let request = app.ask_to_speak(motion2, json!({"side": "for"}), Some(&rep_token)).await.expect(201)["mine"]
        .as_i64()
        .expect("request");
    let draft = crate::ballots::create_ballot(&app, &officer, json!({})).await;
    let b = crate::ballots::open_ballot_as(&app, officer.clone(), 2, &["Devon"]).await;
    let open = b.id;
    let closed = crate::ballots::create_ballot(&app, &officer, json!({"title": "Closed"})).await;
    app.import_roll(closed, crate::ballots::roll_csv(1, &["Devon"], false).into_bytes(), Some(&officer))
        .await
        .expect(200);
    app.open_ballot(closed, Some(&officer)).await.expect(200);
    app.close_ballot(closed, Some(&officer)).await.expect(200);

    let trustee = app.user_with("trustee@example.org", &[Role::Trustee]).await;
    let e2e_draft = crate::e2e::e2e_ballot(&app, &officer, &trustee, "draft").await;
    let e2e_open = crate::e2e::e2e_ballot(&app, &officer, &trustee, "open").await;
    let e2e_closed = crate::e2e::e2e_ballot(&app, &officer, &trustee, "closed").await;
    let ballot_body = json!({"title": "New", "questions": crate::ballots::questions()});
    let ops = vec![
        op(Method::GET, "/health".into(), None, EVERYONE),
        op(Method::GET, "/api/v1/openapi.json".into(), None, EVERYONE),
        op(
            Method::GET,
            "/api/v1/auth/me".into(),
            None,
            &[Representative, Member, Chair, Officer, Scrutineer, Admin, OtherChair, OtherOfficer],
        ),
        op(
            Method::POST,
            "/api/v1/auth/renew".into(),
            None,
            &[Representative, Member, Chair, Officer, Scrutineer, Admin, OtherChair, OtherOfficer],
        ),
        op(
            Method::POST,
            "/api/v1/users".into(),
            Some(
                json!({"email": "new@example.org", "name": "N", "password": "long enough pw 123", "roles": ["member"]}),
            ),
            &[Admin],
        ),
        op(Method::GET, "/api/v1/users".into(), None, &[Admin]),
        op(Method::GET, "/api/v1/trustees".into(), None, &[Officer, OtherOfficer]),
        op(Method::DELETE, "/api/v1/users/999999".into(), None, &[Admin]),
        op(Method::POST, "/api/v1/users/999999/password-link".into(), None, &[Chair, OtherChair, Admin]),
        op(Method::GET, "/api/v1/conferences".into(), None, EVERYONE),
        op(Method::GET, format!("/api/v1/conferences/{conf}"), None, EVERYONE),
        op(
            Method::PUT,
            format!("/api/v1/conferences/{conf}"),
            Some(json!({"name": "Conference of England LMCs", "venue": "Manchester", "starts_on": "2026-11-19"})),
            &[Chair, Admin],
        ),
        op(Method::POST, "/api/v1/conferences".into(), Some(json!({"name": "Another"})), &[Chair, OtherChair, Admin]),
        op(Method::GET, format!("/api/v1/conferences/{conf}/chairs"), None, &[Chair, Admin]),
        op(Method::PUT, format!("/api/v1/conferences/{conf}/chairs"), Some(json!({"user_ids": [chair_id]})), &[Admin]),
        op(
            Method::POST,
            format!("/api/v1/conferences/{conf}/representatives"),
            Some(json!({"user_id": 999999, "lmc": "X"})),
            &[Chair],
        ),
        op(Method::GET, format!("/api/v1/conferences/{conf}/representatives"), None, &[Chair, Admin]),
        Op {
            method: Method::POST,
            path: format!("/api/v1/conferences/{conf}/representatives/import"),
            body: None,
            csv: Some("name,email,lmc\n"),
            allowed: &[Chair],
        },
        op(Method::GET, format!("/api/v1/conferences/{conf}/motions"), None, EVERYONE),
        op(
            Method::POST,
            format!("/api/v1/conferences/{conf}/motions"),
            Some(json!({"stem": "That conference adds."})),
            &[Chair],
        ),
        op(
            Method::POST,
            "/api/v1/motions/parse".into(),
            Some(json!({"text": "That conference parses."})),
            &[Chair, OtherChair],
        ),
        op(Method::GET, format!("/api/v1/motions/{motion}"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/motions/{motion}/record"), None, EVERYONE),
        op(Method::POST, format!("/api/v1/motions/{motion}/marks"), Some(json!({"marks": ["a"]})), &[Chair]),
        op(Method::POST, format!("/api/v1/motions/{motion}/take"), Some(json!({"as": "whole"})), &[Chair]),
        op(Method::POST, format!("/api/v1/motions/{motion}/apply"), None, &[Chair]),
        op(Method::POST, format!("/api/v1/motions/{motion}/put"), Some(json!({})), &[Chair]),
        op(Method::GET, format!("/api/v1/conferences/{conf}/polls"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/conferences/{conf}/hall"), None, EVERYONE),
        op(
            Method::GET,
            "/api/v1/me/conferences".into(),
            None,
            &[Representative, Member, Chair, Officer, Scrutineer, Admin, OtherChair, OtherOfficer],
        ),
        op(Method::GET, format!("/api/v1/polls/{poll}"), None, EVERYONE),
        op(Method::POST, format!("/api/v1/polls/{poll}/votes"), Some(json!({"choice": "for"})), &[Representative]),
        op(
            Method::GET,
            format!("/api/v1/polls/{poll}/my-vote"),
            None,
            &[Representative, Member, Chair, Officer, Scrutineer, Admin, OtherChair, OtherOfficer],
        ),
        op(Method::GET, format!("/api/v1/conferences/{conf}/resolutions"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/polls/{poll}/close-check"), None, &[Chair]),
        op(Method::POST, format!("/api/v1/polls/{poll}/close"), None, &[Chair]),
        op(Method::POST, format!("/api/v1/polls/{poll}/void"), Some(json!({"reason": "a test"})), &[Chair]),
        op(Method::POST, format!("/api/v1/motions/{motion}/decide"), Some(json!({"outcome": "carried"})), &[Chair]),
        op(Method::POST, format!("/api/v1/motions/{motion}/polls"), Some(json!({"subject": "whole"})), &[Chair]),
        op(Method::POST, format!("/api/v1/conferences/{conf}/a-motions"), Some(json!({})), &[Chair]),
        op(
            Method::POST,
            format!("/api/v1/conferences/{conf2}/agenda"),
            Some(json!({"text": "1 KENT: That conference imports."})),
            &[Chair],
        ),
        op(Method::GET, format!("/api/v1/conferences/{conf2}/close-check"), None, &[Chair]),
        op(
            Method::PUT,
            format!("/api/v1/motions/{conf2_motion}"),
            Some(json!({"stem": "That conference edits."})),
            &[Chair],
        ),
        op(
            Method::POST,
            format!("/api/v1/conferences/{conf2}/order"),
            Some(json!({"motions": [conf2_motion]})),
            &[Chair],
        ),
        op(Method::DELETE, format!("/api/v1/motions/{conf2_motion}"), None, &[Chair]),
        op(Method::POST, format!("/api/v1/conferences/{conf2}/close"), None, &[Chair]),
        op(Method::GET, format!("/api/v1/conferences/{conf}/speakers"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/conferences/{conf}/settings/speakers"), None, EVERYONE),
        op(
            Method::PUT,
            format!("/api/v1/conferences/{conf}/settings/speakers"),
            Some(json!({"speaker_seconds": 90})),
            &[Chair],
        ),
        op(
            Method::POST,
            format!("/api/v1/motions/{motion2}/speakers"),
            Some(json!({"side": "against"})),
            &[Representative],
        ),
        op(Method::POST, format!("/api/v1/speakers/{request}/withdraw"), None, &[Chair, Representative]),
        op(
            Method::POST,
            format!("/api/v1/conferences/{conf}/speakers/call"),
            Some(json!({"kind": "proposer"})),
            &[Chair],
        ),
        op(
            Method::POST,
            format!("/api/v1/conferences/{conf}/speakers/timer"),
            Some(json!({"running": true})),
            &[Chair],
        ),
        op(Method::POST, format!("/api/v1/conferences/{conf}/speakers/end"), None, &[Chair]),
        op(
            Method::POST,
            format!("/api/v1/conferences/{conf}/speakers/debate"),
            Some(json!({"motion_id": motion2})),
            &[Chair],
        ),
        op(Method::GET, "/api/v1/ballots".into(), None, EVERYONE),
        op(Method::GET, format!("/api/v1/ballots/{open}"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/ballots/{draft}"), None, &[Officer, Scrutineer]),
        op(Method::POST, "/api/v1/ballots".into(), Some(ballot_body.clone()), &[Officer, OtherOfficer]),
        op(Method::GET, format!("/api/v1/ballots/{open}/officers"), None, &[Officer, Scrutineer, Admin]),
        op(Method::PUT, format!("/api/v1/ballots/{open}/officers"), Some(json!({"user_ids": [officer_id]})), &[Admin]),
        op(Method::PUT, format!("/api/v1/ballots/{draft}"), Some(ballot_body), &[Officer]),
        Op {
            method: Method::POST,
            path: format!("/api/v1/ballots/{draft}/roll"),
            body: None,
            csv: Some("membership_no,name,email,lmc,role\n"),
            allowed: &[Officer],
        },
        op(Method::GET, format!("/api/v1/ballots/{open}/turnout"), None, &[Officer, Scrutineer]),
        op(Method::GET, format!("/api/v1/ballots/{draft}/roll"), None, &[Officer, Scrutineer]),
        op(Method::PATCH, format!("/api/v1/ballots/{draft}/roll/99999"), Some(json!({"name": "X"})), &[Officer]),
        op(Method::DELETE, format!("/api/v1/ballots/{draft}/roll/99999"), None, &[Officer]),
        op(
            Method::PUT,
            format!("/api/v1/ballots/{open}/reminders/schedule"),
            Some(json!({"days_before_close": []})),
            &[Officer],
        ),
        op(Method::GET, format!("/api/v1/ballots/{open}/mail"), None, &[Officer, Scrutineer]),
        op(Method::GET, format!("/api/v1/ballots/{open}/checkpoint"), None, EVERYONE),
        op(Method::POST, format!("/api/v1/ballots/{open}/remind"), None, &[Officer]),
        op(Method::GET, format!("/api/v1/ballots/{open}/reminders"), None, &[Officer, Scrutineer]),
        op(
            Method::POST,
            format!("/api/v1/ballots/{open}/resend"),
            Some(json!({"membership_no": "M00000"})),
            &[Officer],
        ),
        op(Method::GET, format!("/api/v1/ballots/{open}/results"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/ballots/{closed}/results"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/ballots/{closed}/record"), None, EVERYONE),
        op(Method::GET, "/api/v1/keys/record-signing".into(), None, EVERYONE),
        op(
            Method::POST,
            format!("/api/v1/ballots/{closed}/signoff"),
            Some(json!({"statement": "Checked."})),
            &[Scrutineer],
        ),
        op(Method::GET, "/api/v1/audit-log".into(), None, &[Scrutineer, Admin]),
        op(Method::POST, format!("/api/v1/ballots/{closed}/publish"), None, &[Officer]),
        op(Method::POST, format!("/api/v1/ballots/{draft}/open"), None, &[Officer]),
        op(Method::POST, format!("/api/v1/ballots/{open}/close"), None, &[Officer]),
        // End-to-end ballots: keys and partial decryptions come only from the ballot's own trustees (none
        // of these callers; tests/api/e2e.rs checks a trustee may).
        op(Method::POST, format!("/api/v1/ballots/{e2e_draft}/trustee-key"), Some(json!({})), &[]),
        op(Method::GET, format!("/api/v1/ballots/{e2e_draft}/trustees"), None, &[Officer, Scrutineer]),
        op(Method::GET, format!("/api/v1/ballots/{e2e_open}/trustees"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/ballots/{e2e_open}/election"), None, EVERYONE),
        op(Method::GET, format!("/api/v1/ballots/{e2e_closed}/encrypted-tally"), None, EVERYONE),
        op(Method::POST, format!("/api/v1/ballots/{e2e_closed}/partial-decryptions"), Some(json!({})), &[]),
        op(Method::GET, format!("/api/v1/ballots/{e2e_closed}/record.bel"), None, EVERYONE),
        // The threshold key ceremony: its state as the trustees' list; its steps only from the ballot's own
        // trustees (none of these callers; tests/api/threshold_http.rs runs them); a restart by its officer.
        op(Method::GET, format!("/api/v1/ballots/{e2e_draft}/ceremony"), None, &[Officer, Scrutineer]),
        op(Method::POST, format!("/api/v1/ballots/{e2e_draft}/ceremony/certificate"), Some(json!({})), &[]),
        op(Method::POST, format!("/api/v1/ballots/{e2e_draft}/ceremony/polynomial"), Some(json!({})), &[]),
        op(Method::GET, format!("/api/v1/ballots/{e2e_draft}/ceremony/vinput"), None, &[]),
        op(Method::POST, format!("/api/v1/ballots/{e2e_draft}/ceremony/voutput"), Some(json!({})), &[]),
        op(Method::POST, format!("/api/v1/ballots/{e2e_draft}/ceremony/restart"), Some(json!({})), &[Officer]),
    ];
    let mut checked = 0;
    for o in &ops {
        // Refused roles first (so no state changes first), then the allowed ones.
        let mut order: Vec<Who> = EVERYONE.iter().copied().filter(|w| !o.allowed.contains(w)).collect();
        order.extend(o.allowed.iter().copied());
        for who in order {
            let mut req = app.client.request(o.method.clone(), app.url(&o.path));
            if let Some(b) = &o.body {
                req = req.json(b);
            }
            if let Some(c) = o.csv {
                req = req.header("content-type", "text/csv").body(c);
            }
            if let Some(t) = token(who) {
                req = req.bearer_auth(t);
            }
            let r = app.send(req).await;
            let st = r.status.as_u16();
            if o.allowed.contains(&who) {
                assert!(st != 401 && st != 403, "{who:?} may {} {}: got {st} {}", o.method, o.path, r.text);
                assert!(st < 500, "{who:?} {} {}: {st} {}", o.method, o.path, r.text);
            } else if who == Anonymous {
                assert_eq!(st, 401, "anonymous must sign in for {} {}: {}", o.method, o.path, r.text);
            } else {
                assert_eq!(st, 403, "{who:?} may not {} {}: {}", o.method, o.path, r.text);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ops.len() * EVERYONE.len());
    // The table covers every documented operation (the sign-in endpoints answer 401 to wrong credentials by
    // design, the event stream never ends, and casting a ballot is authorised by a voting code rather than a
    // role; they are checked in foundation.rs, conference.rs and ballots.rs).
    let exempt = [
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/logout",
        "POST /api/v1/auth/set-password",
        "GET /api/v1/conferences/{id}/events",
        "POST /api/v1/ballots/{id}/votes",
    ];
    let doc = app.openapi_document(None).await.expect(200);
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for method in methods.as_object().expect("methods").keys() {
            let name = format!("{} {path}", method.to_uppercase());
            if exempt.contains(&name.as_str()) {
                continue;
            }
            let covered = ops.iter().any(|o| {
                o.method.as_str() == method.to_uppercase()
                    && o.path.split('/').count() == path.split('/').count()
                    && o.path
                        .split('/')
                        .zip(path.split('/'))
                        .all(|(a, b)| a == b || (b.starts_with('{') && a.chars().all(|c| c.is_ascii_digit())))
            });
            assert!(covered, "{name} is not in the access table");
        }
    }
    eprintln!("access: {} operations x {} roles = {checked} checks", ops.len(), EVERYONE.len());
});
