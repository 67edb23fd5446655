//! `carried demo`: load a conference with the seed motion and a few others, one user per role (each with a
//! freshly generated password, printed once), an open sample ballot and a closed, published one, so a
//! newcomer can try every page at once. Refuses when demo data is already there.

use rand::Rng;
use serde_json::json;

use crate::db::schema::roll;
use crate::services::auth::{self, NewUser, Role, User};
use crate::services::{ballots, conference, AppState};

/// Every demo account's email ends with this.
pub const DEMO_DOMAIN: &str = "demo.carried.example.org";

const SEED_MOTION: &str = include_str!("../tests/fixtures/motion-2025-online-access.txt");

const MOTION_WHOLE: &str = "Lambeth: That conference believes that every practice should be funded for a \
    named pharmacist, and asks GPC England to make this a priority in the next contract negotiations.";

const MOTION_PARTS: &str = "Written by the Agenda Committee and proposed by Cleveland LMC: That conference, \
    regarding workload:\n1. calls for a safe limit of 25 patient contacts per GP per day\n2. demands that \
    the limit is recognised in the GP contract\n3. asks GPC England to publish guidance on how practices \
    can apply the limit safely";

const MOTION_GREY: &str = "Devon: That conference suspends standing order 42 for the remainder of this \
    conference.";

/// A password of 20 characters from an unambiguous alphabet (about 100 bits), grouped for reading.
fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let mut out = String::new();
    for group in 0..4 {
        if group > 0 {
            out.push('-');
        }
        for _ in 0..5 {
            out.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
        }
    }
    out
}

fn email(local: &str) -> String {
    format!("{local}@{DEMO_DOMAIN}")
}

fn err(e: crate::error::AppError) -> String {
    e.detail
}

/// What the demo loaded: the accounts with their new passwords and the ids of what was created.
pub struct Demo {
    pub users: Vec<(User, String)>,
    pub conference_id: i64,
    pub open_ballot: i64,
    pub closed_ballot: i64,
    /// The member's voting code for the open ballot.
    pub member_code: String,
    /// The receipt of one ballot cast in the closed ballot.
    pub receipt: String,
}

impl Demo {
    /// The password of the demo user whose email starts with `local@`.
    pub fn password(&self, local: &str) -> Option<&str> {
        self.users.iter().find(|(u, _)| u.email == email(local)).map(|(_, p)| p.as_str())
    }

    /// What `carried demo` prints: sign-in details and where each page is.
    pub fn summary(&self, public_url: &str) -> String {
        let url = public_url.trim_end_matches('/');
        let mut out = String::from("Demo data loaded. Sign in at ");
        out.push_str(&format!("{url}/ with one of these (the passwords are new each time and shown only now):\n\n"));
        for (u, password) in &self.users {
            let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
            out.push_str(&format!("  {:<16} {:<40} {}\n", roles.join(","), u.email, password));
        }
        out.push_str(&format!(
            "\nPages:\n  representative   {url}/conference/{cid}\n  chair            {url}/conference/{cid}/chair\n  \
             projector        {url}/conference/{cid}/projector\n  resolutions      {url}/conference/{cid}/resolutions\n  \
             to print         {url}/conference/{cid}/resolutions/print\n  \
             officer          {url}/officer\n  scrutineer       {url}/scrutineer\n  \
             voter (member)   {url}/vote/{open}?code={code}\n  \
             results, recount {url}/ballots/{closed}/results   (one receipt to check: {receipt})\n\n\
             Start the service with `cargo run --release` (or `carried serve`) using the same CARRIED_DATA_DIR.\n",
            cid = self.conference_id,
            open = self.open_ballot,
            closed = self.closed_ballot,
            code = self.member_code,
            receipt = self.receipt,
        ));
        out
    }
}

/// Load the demo data.
pub fn load(state: &AppState) -> Result<Demo, String> {
    let mut conn = state.db.get().map_err(err)?;
    let c = &mut *conn;
    let existing = auth::list_users(c).map_err(err)?;
    if existing.iter().any(|u| u.email.ends_with(DEMO_DOMAIN)) {
        return Err(format!(
            "demo data is already loaded in this database (users @{DEMO_DOMAIN} exist); \
             use another CARRIED_DATA_DIR or CARRIED_DATABASE_URL for a fresh demo"
        ));
    }

    let people: [(&str, &str, &[Role]); 7] = [
        ("admin", "Alex Admin", &[Role::Admin]),
        ("chair", "Dr Chris Chair", &[Role::Chair]),
        ("officer", "Olu Officer", &[Role::Officer]),
        ("scrutineer", "Sam Scrutineer", &[Role::Scrutineer]),
        ("rep1", "Dr Priya Patel (North Staffordshire)", &[Role::Representative]),
        ("rep2", "Dr Tom Evans (Lambeth)", &[Role::Representative]),
        ("member", "Dr Morgan Member", &[Role::Member]),
    ];
    let mut users: Vec<(User, String)> = Vec::new();
    for (local, name, roles) in people {
        let password = new_password();
        let hash = state.passwords.hash(&password).map_err(|e| e.to_string())?;
        let new = NewUser::parse(&email(local), name, roles).map_err(err)?;
        let user = auth::insert_user(c, &new, Some(&hash)).map_err(err)?;
        users.push((user, password));
    }
    let user = |local: &str| -> Result<User, String> {
        users
            .iter()
            .find(|(u, _)| u.email == email(local))
            .map(|(u, _)| u.clone())
            .ok_or_else(|| format!("demo user {local} missing"))
    };
    let chair = user("chair")?;
    let officer = user("officer")?;

    // The conference.
    let conf = conference::create_conference(
        c,
        &chair,
        serde_json::from_value(json!({"name": "Conference of England LMCs (demo)", "venue": "Manchester Central", "starts_on": "2026-11-19", "ends_on": "2026-11-20"}))
            .map_err(|e| e.to_string())?,
    )
    .map_err(err)?;
    conference::add_representative(
        c,
        &chair,
        conf.id,
        conference::Registrant::UserId(user("rep1")?.id),
        "North Staffordshire",
        "",
    )
    .map_err(err)?;
    conference::add_representative(c, &chair, conf.id, conference::Registrant::UserId(user("rep2")?.id), "Lambeth", "")
        .map_err(err)?;
    let motions = [
        json!({"number": 1, "text": SEED_MOTION, "marks": ["starred"]}),
        json!({"number": 2, "text": MOTION_WHOLE, "marks": ["a"]}),
        json!({"number": 3, "text": MOTION_PARTS, "marks": ["chosen", "composite"]}),
        json!({"number": 4, "text": MOTION_GREY, "marks": ["grey"], "needs_two_thirds": true}),
    ];
    for m in motions {
        let input = serde_json::from_value(m).map_err(|e| e.to_string())?;
        conference::create_motion(c, &chair, conf.id, input).map_err(err)?;
    }

    // An open ballot with the member on its roll, and a closed, published one to recount.
    let questions = json!([
        {"text": "Are you prepared to undertake one or more forms of collective action?", "kind": "yes_no"},
        {"text": "Which of these actions would you take?", "kind": "many_of", "max": 5, "options": [
            "Limit daily patient contacts to a safe number",
            "Switch off online consultation tools once safe capacity is reached",
            "Stop engaging with the e-Referral Advice and Guidance pathway",
            "Decline new contracts with integrated care boards",
            "Serve notice on voluntary enhanced services"
        ]}
    ]);
    let lmcs = ["North Staffordshire", "Lambeth", "Cleveland", "Devon"];
    let roles = ["partner", "salaried", "locum", "registrar"];
    let mut roll_csv = String::from("membership_no,name,email,lmc,role\n");
    roll_csv.push_str(&format!("M0001,Dr Morgan Member,{},Lambeth,partner\n", email("member")));
    for i in 2..=12 {
        roll_csv.push_str(&format!(
            "M{i:04},Dr Voter {i},voter{i}@{DEMO_DOMAIN},{},{}\n",
            lmcs[i % lmcs.len()],
            roles[i % roles.len()]
        ));
    }
    let open = ballots::create_ballot(
        c,
        &officer,
        serde_json::from_value(json!({
            "title": "Indicative ballot on collective action (demo)",
            "description": "This ballot asks for your view before any statutory ballot. It is secret: nothing links your vote to you.",
            "questions": questions,
        }))
        .map_err(|e| e.to_string())?,
    )
    .map_err(err)?;
    ballots::import_roll(c, &officer, open.id, &roll_csv).map_err(err)?;
    ballots::open_ballot(c, &officer.email, state.tokens.keys(), open.id).map_err(err)?;

    let closed = ballots::create_ballot(
        c,
        &officer,
        serde_json::from_value(json!({
            "title": "Indicative ballot on the 2025/26 contract (demo, closed)",
            "questions": [
                {"text": "Do you accept the 2025/26 contract offer?", "kind": "yes_no"},
                {"text": "What should GPC England prioritise next?", "kind": "one_of",
                 "options": ["Funding per patient", "Workload limits", "Premises"]}
            ],
        }))
        .map_err(|e| e.to_string())?,
    )
    .map_err(err)?;
    ballots::import_roll(c, &officer, closed.id, &roll_csv).map_err(err)?;
    ballots::open_ballot(c, &officer.email, state.tokens.keys(), closed.id).map_err(err)?;
    let answers = [
        ("no", "Funding per patient"),
        ("no", "Workload limits"),
        ("yes", "Funding per patient"),
        ("no", "Funding per patient"),
        ("no", "Premises"),
        ("no", "Workload limits"),
        ("yes", "Workload limits"),
        ("no", "Funding per patient"),
        ("no", "Funding per patient"),
    ];
    let mut demo_receipt = String::new();
    for (roll_id, (yes_no, priority)) in roll_ids(c, closed.id)?.into_iter().skip(1).zip(answers) {
        let code = ballots::voting_code(&state.tokens.keys().code_key, closed.id, roll_id);
        let r = ballots::cast_one(
            c,
            state.tokens.keys(),
            closed.id,
            ballots::Voter::Code(&code),
            &[json!(yes_no), json!(priority)],
        )
        .map_err(err)?;
        demo_receipt = r.receipt;
    }
    ballots::close_ballot(c, &officer.email, state.tokens.keys(), closed.id).map_err(err)?;
    ballots::publish_results(c, &officer, &state.settings.public_url, closed.id).map_err(err)?;

    // The member's own voting link for the open ballot (the invitation email carries the same).
    let member_roll = roll_ids(c, open.id)?.into_iter().next().ok_or("the demo roll is empty")?;
    let member_code = ballots::voting_code(&state.tokens.keys().code_key, open.id, member_roll);
    Ok(Demo {
        users,
        conference_id: conf.id,
        open_ballot: open.id,
        closed_ballot: closed.id,
        member_code,
        receipt: demo_receipt,
    })
}

fn roll_ids(c: &mut crate::db::DbConnection, ballot_id: i64) -> Result<Vec<i64>, String> {
    use diesel::prelude::*;
    roll::table
        .filter(roll::ballot_id.eq(ballot_id))
        .order(roll::id.asc())
        .select(roll::id)
        .load::<i64>(c)
        .map_err(|e| e.to_string())
}
