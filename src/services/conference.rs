//! Conferences, representatives, motions and polls: the use cases of the conference half.
//! The rules (majorities, outcomes, the parser, the record) are in `crate::procedure`; this module loads
//! state, asks the rules, and stores the result in one write transaction.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{conferences, motions, parts, poll_votes, polls, representatives, users};
use crate::db::{self, dialect, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::procedure::{
    self, AgendaMark, Choice, Counts, Decision, Majority, MotionState, Outcome, Qualifier, Subject, TakenAs,
};
use crate::services::audit_log;
use crate::services::auth::{self, Role, User};

// ---- views -----------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conference {
    pub id: i64,
    pub name: String,
    pub venue: Option<String>,
    /// "open" or "closed".
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The (first) day of the conference, for the published resolutions.
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<chrono::NaiveDate>,
    /// The last day, for a conference of more than one day.
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Representative {
    pub id: i64,
    pub conference_id: i64,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub lmc: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PartView {
    pub id: i64,
    pub label: String,
    pub text: String,
    /// This part's outcome (for a motion taken as a whole, the motion's).
    pub outcome: Option<Outcome>,
    pub qualifier: Option<Qualifier>,
    /// Counts of the poll that decided it, when electronic or counted.
    pub counts: Option<Counts>,
    pub added_by_rider: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MotionView {
    pub id: i64,
    pub conference_id: i64,
    pub number: i32,
    /// The item's number as printed in the agenda ("27", "27a", "a278", "EM1").
    pub item: String,
    /// "motion", "amendment", "rider" or "emergency".
    pub kind: procedure::ItemKind,
    /// The agenda heading it is under, and any sub-heading.
    pub section: Option<String>,
    pub subsection: Option<String>,
    /// For an amendment or rider: the item it amends.
    pub amends: Option<String>,
    /// A placement line printed before it ("To follow item 10").
    pub placement: Option<String>,
    /// A sentence printed after its last part that is not a part.
    pub after_parts: Option<String>,
    pub seconder: Option<String>,
    /// Its place in the running order (lower first).
    pub position: Option<i32>,
    /// Polls on it that the chair voided, with the reason (the vote was then taken again).
    pub voided_polls: Vec<crate::services::corrections::VoidedPoll>,
    pub title: Option<String>,
    pub proposer: Option<String>,
    pub agenda_committee: bool,
    pub stem: String,
    pub parts: Vec<PartView>,
    pub marks: Vec<AgendaMark>,
    pub bracket: Option<String>,
    pub needs_two_thirds: bool,
    /// How the chair is taking it: null until decided (or until the first poll).
    pub taken_as: Option<TakenAs>,
    /// The motion's own outcome when taken (or decided) as a whole.
    pub outcome: Option<Outcome>,
    pub qualifier: Option<Qualifier>,
    pub counts: Option<Counts>,
    /// As the profession prints it, e.g. "CARRIED IN ALL PARTS"; null while undecided.
    pub outcome_text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PollView {
    pub id: i64,
    pub conference_id: i64,
    pub motion_id: Option<i64>,
    pub motion_number: Option<i32>,
    /// The motion's number as printed in the agenda ("27a").
    pub motion_item: Option<String>,
    /// What is put: a `Subject` of the motion (e.g. `"whole"`, `{"part": "(ii)"}`), or, for the 'A'
    /// motions taken together, `{"a_motions_en_bloc": [motion ids]}`.
    #[schema(value_type = Object)]
    pub subject: serde_json::Value,
    /// What is being voted on, in words.
    pub question: String,
    pub majority: Majority,
    /// "electronic" or "show_of_hands".
    pub method: String,
    /// "open" or "closed".
    pub status: String,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Electronic votes cast so far (never how anyone voted before the poll closes).
    pub votes_cast: i64,
    /// Only once closed (and for show of hands only when counted).
    pub counts: Option<Counts>,
    /// "carried" or "lost", once closed.
    pub result: Option<String>,
    pub qualifier: Option<Qualifier>,
    /// The motion's outcome text after this poll closed.
    pub outcome_text: Option<String>,
    /// The exact words put to the vote, as they stood when the poll opened.
    pub wording: procedure::Wording,
    /// Representatives registered at the conference: who may vote ("N of M have voted").
    pub representatives: i64,
    /// Once closed: "CARRIED UNANIMOUSLY", "LOST", … (the words the motion's outcome text uses).
    pub result_text: Option<String>,
    /// Once closed and counted: for and against as percentages of those voting for or against.
    pub percentages: Option<procedure::Percentages>,
}

// ---- inputs ----------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConference {
    pub name: String,
    pub venue: Option<String>,
    /// The (first) day, e.g. "2026-11-19".
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<chrono::NaiveDate>,
    /// The last day, for a conference of more than one day.
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPart {
    /// "(i)", "(ii)"…; omitted labels are given in order.
    pub label: Option<String>,
    pub text: String,
}

/// A motion, either structured or pasted as printed in the agenda (`text`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMotion {
    /// The motion as printed; when given, proposer, stem and parts are read from it.
    pub text: Option<String>,
    pub number: Option<i32>,
    pub title: Option<String>,
    pub proposer: Option<String>,
    #[serde(default)]
    pub agenda_committee: bool,
    pub stem: Option<String>,
    #[serde(default)]
    pub parts: Vec<NewPart>,
    #[serde(default)]
    pub marks: Vec<AgendaMark>,
    pub bracket: Option<String>,
    /// The agenda committee marked it as needing a two-thirds majority.
    #[serde(default)]
    pub needs_two_thirds: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPoll {
    #[schema(value_type = Object)]
    pub subject: Subject,
    /// Default: two_thirds for closure, standing orders and motions marked as needing it; else simple.
    pub majority: Option<Majority>,
    /// "electronic" (default) or "show_of_hands".
    pub method: Option<String>,
}

/// For show-of-hands polls: the chair's declaration, with counts if taken.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// "carried" or "lost".
    pub result: String,
    pub counts: Option<Counts>,
}

// ---- helpers ---------------------------------------------------------------------------------------

pub(crate) fn trimmed(s: &str, field: &str, max: usize) -> AppResult<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(AppError::validation(format!("{field}: must not be empty")));
    }
    if t.chars().count() > max {
        return Err(AppError::validation(format!("{field}: at most {max} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::validation(format!("{field}: must not contain control characters")));
    }
    Ok(t.to_string())
}

fn conference_row(conn: &mut DbConnection, id: i64) -> AppResult<Conference> {
    conferences::table
        .filter(conferences::id.eq(id))
        .select(crate::services::conference_details::COLUMNS)
        .first::<crate::services::conference_details::Row>(conn)
        .optional()?
        .map(crate::services::conference_details::from_row)
        .transpose()?
        .ok_or_else(|| AppError::not_found(format!("no conference {id}")))
}

fn enc<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn dec<T: for<'de> Deserialize<'de>>(s: &Option<String>) -> Option<T> {
    s.as_deref().and_then(|s| serde_json::from_str(s).ok())
}

fn parse_name<T: std::str::FromStr>(s: &Option<String>) -> Option<T> {
    s.as_deref().and_then(|s| s.parse().ok())
}

// ---- conferences and representatives ---------------------------------------------------------------

pub fn create_conference(conn: &mut DbConnection, actor: &User, input: NewConference) -> AppResult<Conference> {
    let name = trimmed(&input.name, "name", 300)?;
    let venue = input.venue.as_deref().map(|v| trimmed(v, "venue", 300)).transpose()?;
    let (starts_on, ends_on) = crate::services::conference_details::check_dates(input.starts_on, input.ends_on)?;
    db::write_tx(conn, |c| {
        let id = diesel::insert_into(conferences::table)
            .values((
                conferences::name.eq(&name),
                conferences::venue.eq(&venue),
                conferences::starts_on.eq(&starts_on),
                conferences::ends_on.eq(&ends_on),
                conferences::status.eq("open"),
                conferences::created_at.eq(db::now()),
            ))
            .returning(conferences::id)
            .get_result::<i64>(c)?;
        if actor.has(Role::Chair) {
            crate::services::access::add_chair(c, id, actor.id)?;
        }
        audit_log::append(
            c,
            &actor.email,
            "conference.create",
            &format!("conference {id}"),
            serde_json::json!({"name": name}),
        )?;
        conference_row(c, id)
    })
}

pub fn list_conferences(conn: &mut DbConnection) -> AppResult<Vec<Conference>> {
    let rows = conferences::table
        .order(conferences::id.desc())
        .select(crate::services::conference_details::COLUMNS)
        .load::<crate::services::conference_details::Row>(conn)?;
    rows.into_iter().map(crate::services::conference_details::from_row).collect()
}

pub fn get_conference(conn: &mut DbConnection, id: i64) -> AppResult<Conference> {
    conference_row(conn, id)
}

/// How a chair names the person to register.
pub enum Registrant<'a> {
    /// An account that already holds the representative role (a chair cannot give roles by id).
    UserId(i64),
    /// By email: an existing representative (or an account with no role yet), or a new account that is
    /// emailed a one-time link to set its password. `name` is needed for a new account.
    Email { email: &'a str, name: Option<&'a str> },
}

/// Register a representative for their LMC. By user id only for accounts that are representatives
/// already, so a chair can neither read other accounts' names and emails nor change another role
/// holder's roles; by email otherwise.
pub fn add_representative(
    conn: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    who: Registrant<'_>,
    lmc: &str,
    public_url: &str,
) -> AppResult<Representative> {
    let lmc = trimmed(lmc, "lmc", 100)?;
    db::write_tx(conn, |c| {
        let conf = conference_row(c, conference_id)?;
        if conf.status != "open" {
            return Err(AppError::conflict("the conference is closed"));
        }
        let user_id = match who {
            Registrant::UserId(user_id) => {
                let is_rep = auth::find_active_user(c, user_id)?.is_some_and(|u| u.has(Role::Representative));
                if !is_rep {
                    return Err(AppError::validation(format!(
                        "user_id: {user_id} is not an active representative's account; register people by email or CSV"
                    )));
                }
                user_id
            }
            Registrant::Email { email, name } => {
                let email = auth::validate_email(email)?;
                let name = name.map(|n| auth::validate_name(n, "name")).transpose()?;
                match representative_account(c, &conf, &email, name.as_deref(), &lmc, public_url)? {
                    Ok((id, _)) => id,
                    Err(reason) => return Err(AppError::validation(reason)),
                }
            }
        };
        let already: i64 = representatives::table
            .filter(representatives::conference_id.eq(conference_id))
            .filter(representatives::user_id.eq(user_id))
            .count()
            .get_result(c)?;
        if already > 0 {
            return Err(AppError::conflict("that person is already a representative at this conference"));
        }
        add_representative_in_tx(c, actor, conference_id, user_id, &lmc)
    })
}

/// The account to register for `email`: an existing active representative; an account with no role
/// or only the member role (a GP; it gets the representative role too); or a new account, emailed a one-time link to set its password
/// (`true` in the answer). `Err(reason)` when it cannot be used: disabled, holding other roles (a chair
/// never changes another role holder's roles: an admin does), or new without a name.
fn representative_account(
    c: &mut DbConnection,
    conf: &Conference,
    email: &str,
    name: Option<&str>,
    lmc: &str,
    public_url: &str,
) -> AppResult<Result<(i64, bool), String>> {
    let existing: Option<(i64, bool, String)> = users::table
        .filter(users::email.eq(email))
        .select((users::id, users::active, users::roles))
        .first(c)
        .optional()?;
    if let Some((id, active, roles)) = existing {
        if !active {
            return Ok(Err(format!("the account for {email} is disabled; an admin can enable it")));
        }
        let roles = auth::roles_from_text(&roles);
        if roles.contains(&Role::Representative) {
            return Ok(Ok((id, false)));
        }
        if roles.iter().any(|r| *r != Role::Member) {
            return Ok(Err(format!(
                "the account for {email} holds other roles; a chair does not change them: an admin can add the representative role"
            )));
        }
        let mut roles = roles;
        roles.push(Role::Representative);
        roles.sort();
        diesel::update(users::table.filter(users::id.eq(id)))
            .set(users::roles.eq(auth::roles_to_text(&roles)))
            .execute(c)?;
        return Ok(Ok((id, false)));
    }
    let Some(name) = name else {
        return Ok(Err(format!("no account for {email}: give a name to create one")));
    };
    let new = auth::NewUser::parse(email, name, &[Role::Representative])?;
    let u = auth::insert_user(c, &new, None)?;
    let token = auth::issue_password_token(c, u.id)?;
    crate::services::mail::enqueue(
        c,
        &crate::services::mail::Outgoing {
            kind: "set_password".into(),
            to_addr: email.to_string(),
            to_name: name.to_string(),
            subject: format!("You are registered as a representative: {}", conf.name),
            body: format!(
                "Dear {name},\n\nYou are registered as a representative of {lmc} at {conf}.\n\n\
                 Set your password here (the link works once, for {hours} hours):\n{public_url}/set-password?token={token}\n\n\
                 Then sign in at {public_url}/ with this email address to vote during the conference.\n",
                conf = conf.name,
                hours = auth::SET_PASSWORD_HOURS,
            ),
            ballot_id: None,
            roll_id: None,
        },
    )?;
    Ok(Ok((u.id, true)))
}

/// Insert the registration (the account is already a representative).
fn add_representative_in_tx(
    c: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    user_id: i64,
    lmc: &str,
) -> AppResult<Representative> {
    let (email, name): (String, String) = users::table
        .filter(users::id.eq(user_id))
        .filter(users::active.eq(true))
        .select((users::email, users::name))
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::validation(format!("user_id: no active user {user_id}")))?;
    let inserted = diesel::insert_into(representatives::table)
        .values((
            representatives::conference_id.eq(conference_id),
            representatives::user_id.eq(user_id),
            representatives::lmc.eq(lmc),
            representatives::created_at.eq(db::now()),
        ))
        .returning(representatives::id)
        .get_result::<i64>(c);
    let id = match inserted {
        Ok(id) => id,
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            return Err(AppError::conflict(format!("user {user_id} is already a representative at this conference")))
        }
        Err(e) => return Err(e.into()),
    };
    audit_log::append(
        c,
        &actor.email,
        "conference.representative.add",
        &format!("conference {conference_id}"),
        serde_json::json!({"user_id": user_id, "lmc": lmc}),
    )?;
    Ok(Representative { id, conference_id, user_id, name, email, lmc: lmc.to_string() })
}

pub fn list_representatives(conn: &mut DbConnection, conference_id: i64) -> AppResult<Vec<Representative>> {
    conference_row(conn, conference_id)?;
    type Row = (i64, i64, String, String, String);
    let rows = representatives::table
        .inner_join(users::table)
        .filter(representatives::conference_id.eq(conference_id))
        .order(representatives::id.asc())
        .select((representatives::id, representatives::user_id, users::name, users::email, representatives::lmc))
        .load::<Row>(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, name, email, lmc)| Representative { id, conference_id, user_id, name, email, lmc })
        .collect())
}

/// The representative record of `user` at `conference_id`, if registered.
pub fn representative_of(
    conn: &mut DbConnection,
    conference_id: i64,
    user_id: i64,
) -> AppResult<Option<Representative>> {
    let row = representatives::table
        .inner_join(users::table)
        .filter(representatives::conference_id.eq(conference_id))
        .filter(representatives::user_id.eq(user_id))
        .select((representatives::id, users::name, users::email, representatives::lmc))
        .first::<(i64, String, String, String)>(conn)
        .optional()?;
    Ok(row.map(|(id, name, email, lmc)| Representative { id, conference_id, user_id, name, email, lmc }))
}

/// Conferences where this user is registered as a representative.
pub fn conferences_of(conn: &mut DbConnection, user_id: i64) -> AppResult<Vec<Conference>> {
    let ids: Vec<i64> = representatives::table
        .filter(representatives::user_id.eq(user_id))
        .select(representatives::conference_id)
        .load(conn)?;
    ids.into_iter().map(|id| conference_row(conn, id)).collect()
}

// ---- motions ---------------------------------------------------------------------------------------

type MotionRow = (
    i64,
    i64,
    i32,
    Option<String>,
    Option<String>,
    bool,
    String,
    String,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[allow(clippy::type_complexity)]
fn motion_columns() -> (
    motions::id,
    motions::conference_id,
    motions::number,
    motions::title,
    motions::proposer,
    motions::agenda_committee,
    motions::stem,
    motions::marks,
    motions::bracket,
    motions::needs_two_thirds,
    motions::taken_as,
    motions::whole_outcome,
    motions::whole_qualifier,
    motions::whole_counts,
) {
    (
        motions::id,
        motions::conference_id,
        motions::number,
        motions::title,
        motions::proposer,
        motions::agenda_committee,
        motions::stem,
        motions::marks,
        motions::bracket,
        motions::needs_two_thirds,
        motions::taken_as,
        motions::whole_outcome,
        motions::whole_qualifier,
        motions::whole_counts,
    )
}

type PartRow = (i64, String, String, Option<String>, Option<String>, Option<String>, bool);

fn load_parts(conn: &mut DbConnection, motion_id: i64) -> AppResult<Vec<PartRow>> {
    Ok(parts::table
        .filter(parts::motion_id.eq(motion_id))
        .order(parts::position.asc())
        .select((
            parts::id,
            parts::label,
            parts::text,
            parts::outcome,
            parts::qualifier,
            parts::counts,
            parts::added_by_rider,
        ))
        .load(conn)?)
}

fn view_from(row: MotionRow, part_rows: Vec<PartRow>) -> MotionView {
    let taken_as: Option<TakenAs> = parse_name(&row.10);
    let outcome: Option<Outcome> = parse_name(&row.11);
    let qualifier: Option<Qualifier> = parse_name(&row.12);
    let counts: Option<Counts> = dec(&row.13);
    let whole_taken = taken_as != Some(TakenAs::Parts);
    let parts: Vec<PartView> = part_rows
        .into_iter()
        .map(|p| {
            let own: Option<Outcome> = parse_name(&p.3);
            PartView {
                id: p.0,
                label: p.1,
                text: p.2,
                outcome: if whole_taken { outcome } else { own },
                qualifier: if whole_taken { None } else { parse_name(&p.4) },
                counts: if whole_taken { None } else { dec(&p.5) },
                added_by_rider: p.6,
            }
        })
        .collect();
    let state = state_of(taken_as, &row.6, outcome, qualifier, &parts);
    MotionView {
        id: row.0,
        conference_id: row.1,
        number: row.2,
        item: row.2.to_string(),
        kind: procedure::ItemKind::Motion,
        section: None,
        subsection: None,
        amends: None,
        placement: None,
        after_parts: None,
        seconder: None,
        position: None,
        voided_polls: Vec::new(),
        title: row.3,
        proposer: row.4,
        agenda_committee: row.5,
        stem: row.6,
        marks: serde_json::from_str(&row.7).unwrap_or_default(),
        bracket: row.8,
        needs_two_thirds: row.9,
        taken_as,
        outcome,
        qualifier,
        counts,
        outcome_text: state.outcome_text(),
        parts,
    }
}

fn state_of(
    taken: Option<TakenAs>,
    stem: &str,
    outcome: Option<Outcome>,
    qualifier: Option<Qualifier>,
    parts: &[PartView],
) -> MotionState {
    let mut s = MotionState::new(stem, parts.iter().map(|p| (p.label.clone(), p.text.clone())).collect());
    s.taken = taken.unwrap_or(TakenAs::Whole);
    s.whole_outcome = outcome;
    s.whole_qualifier = qualifier;
    if s.taken == TakenAs::Parts {
        for (sp, p) in s.parts.iter_mut().zip(parts) {
            sp.outcome = p.outcome;
            sp.qualifier = p.qualifier;
        }
    }
    s
}

pub fn get_motion(conn: &mut DbConnection, id: i64) -> AppResult<MotionView> {
    let row = motions::table
        .filter(motions::id.eq(id))
        .select(motion_columns())
        .first::<MotionRow>(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no motion {id}")))?;
    let p = load_parts(conn, id)?;
    let mut view = view_from(row, p);
    let extra: AgendaRow = motions::table.filter(motions::id.eq(id)).select(agenda_columns()).first(conn)?;
    with_agenda_fields(&mut view, extra);
    view.voided_polls = crate::services::corrections::voided_polls(conn, view.conference_id, id)?;
    Ok(view)
}

type AgendaRow = (
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
);

#[allow(clippy::type_complexity)]
fn agenda_columns() -> (
    motions::item,
    motions::kind,
    motions::section,
    motions::subsection,
    motions::amends,
    motions::placement,
    motions::after_parts,
    motions::seconder,
    motions::position,
) {
    (
        motions::item,
        motions::kind,
        motions::section,
        motions::subsection,
        motions::amends,
        motions::placement,
        motions::after_parts,
        motions::seconder,
        motions::position,
    )
}

fn with_agenda_fields(view: &mut MotionView, r: AgendaRow) {
    if let Some(item) = r.0 {
        view.item = item;
    }
    view.kind = r.1.parse().unwrap_or(procedure::ItemKind::Motion);
    view.section = r.2;
    view.subsection = r.3;
    view.amends = r.4;
    view.placement = r.5;
    view.after_parts = r.6;
    view.seconder = r.7;
    view.position = r.8;
}

pub fn list_motions(conn: &mut DbConnection, conference_id: i64) -> AppResult<Vec<MotionView>> {
    conference_row(conn, conference_id)?;
    let ids: Vec<i64> = motions::table
        .filter(motions::conference_id.eq(conference_id))
        .order((motions::position.asc(), motions::number.asc()))
        .select(motions::id)
        .load(conn)?;
    ids.into_iter().map(|id| get_motion(conn, id)).collect()
}

/// The motion to store, from either input form.
fn motion_from_input(input: &NewMotion) -> AppResult<procedure::ParsedMotion> {
    if let Some(text) = &input.text {
        if input.stem.is_some() || !input.parts.is_empty() {
            return Err(AppError::validation("give either text (the motion as printed) or stem and parts, not both"));
        }
        let mut parsed = procedure::parse_printed_motion(text)
            .map_err(|e| AppError::new(ErrorCode::MotionUnreadable, format!("the motion could not be read: {e}")))?;
        if let Some(p) = &input.proposer {
            parsed.proposer = Some(trimmed(p, "proposer", 200)?);
        }
        if input.agenda_committee {
            parsed.agenda_committee = true;
        }
        return Ok(parsed);
    }
    let stem = trimmed(input.stem.as_deref().unwrap_or(""), "stem", procedure::MAX_MOTION_CHARS)?;
    if input.parts.len() > procedure::MAX_PARTS {
        return Err(AppError::validation(format!("parts: at most {} parts", procedure::MAX_PARTS)));
    }
    let mut labels: Vec<String> = Vec::new();
    let mut out_parts = Vec::new();
    for (i, p) in input.parts.iter().enumerate() {
        let text = trimmed(&p.text, &format!("parts[{i}].text"), procedure::MAX_MOTION_CHARS)?;
        let label = match &p.label {
            Some(l) => trimmed(l, &format!("parts[{i}].label"), 12)?,
            None => procedure::next_label(&labels),
        };
        if labels.contains(&label) {
            return Err(AppError::validation(format!("parts[{i}].label: {label} is used twice")));
        }
        labels.push(label.clone());
        out_parts.push(procedure::ParsedPart { label, text });
    }
    Ok(procedure::ParsedMotion {
        number: None,
        proposer: input
            .proposer
            .as_deref()
            .map(|p| trimmed(p, "proposer", 200).map(|p| procedure::normalise_proposer(&p)))
            .transpose()?,
        agenda_committee: input.agenda_committee,
        stem,
        parts: out_parts,
    })
}

pub fn create_motion(
    conn: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    input: NewMotion,
) -> AppResult<MotionView> {
    let parsed = motion_from_input(&input)?;
    let title = input.title.as_deref().map(|t| trimmed(t, "title", 300)).transpose()?;
    let bracket = input.bracket.as_deref().map(|t| trimmed(t, "bracket", 50)).transpose()?;
    let mut marks = input.marks.clone();
    marks.sort();
    marks.dedup();
    let number = input.number.or(parsed.number.and_then(|n| i32::try_from(n).ok()));
    if let Some(n) = number {
        if !(1..=100_000).contains(&n) {
            return Err(AppError::validation("number: between 1 and 100000"));
        }
    }
    let id = db::write_tx(conn, |c| {
        let conf = conference_row(c, conference_id)?;
        if conf.status != "open" {
            return Err(AppError::conflict("the conference is closed"));
        }
        let number = match number {
            Some(n) => n,
            None => {
                let max: Option<i32> = motions::table
                    .filter(motions::conference_id.eq(conference_id))
                    .filter(motions::number.le(100_000))
                    .select(diesel::dsl::max(motions::number))
                    .first(c)?;
                max.unwrap_or(0) + 1
            }
        };
        let inserted = diesel::insert_into(motions::table)
            .values((
                motions::conference_id.eq(conference_id),
                motions::number.eq(number),
                motions::title.eq(&title),
                motions::proposer.eq(&parsed.proposer),
                motions::agenda_committee.eq(parsed.agenda_committee),
                motions::stem.eq(&parsed.stem),
                motions::marks.eq(enc(&marks)),
                motions::bracket.eq(&bracket),
                motions::needs_two_thirds.eq(input.needs_two_thirds),
                motions::created_at.eq(db::now()),
                motions::item.eq(number.to_string()),
                motions::position.eq(number),
            ))
            .returning(motions::id)
            .get_result::<i64>(c);
        let id = match inserted {
            Ok(id) => id,
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(AppError::conflict(format!("motion {number} already exists in this conference")))
            }
            Err(e) => return Err(e.into()),
        };
        for (i, p) in parsed.parts.iter().enumerate() {
            diesel::insert_into(parts::table)
                .values((
                    parts::motion_id.eq(id),
                    parts::position.eq(i as i32),
                    parts::label.eq(&p.label),
                    parts::text.eq(&p.text),
                    parts::added_by_rider.eq(false),
                ))
                .execute(c)?;
        }
        audit_log::append(
            c,
            &actor.email,
            "motion.create",
            &format!("motion {id}"),
            serde_json::json!({"conference_id": conference_id, "number": number, "parts": parsed.parts.len()}),
        )?;
        Ok(id)
    })?;
    get_motion(conn, id)
}

/// Update agenda marks (starred, A, AR, grey, composite, incompetent), bracket and two-thirds flag.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionMarks {
    pub marks: Option<Vec<AgendaMark>>,
    pub bracket: Option<Option<String>>,
    pub needs_two_thirds: Option<bool>,
}

pub fn set_marks(conn: &mut DbConnection, actor: &User, motion_id: i64, input: MotionMarks) -> AppResult<MotionView> {
    db::write_tx(conn, |c| {
        get_motion(c, motion_id)?;
        if let Some(mut m) = input.marks.clone() {
            m.sort();
            m.dedup();
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set(motions::marks.eq(enc(&m)))
                .execute(c)?;
        }
        if let Some(b) = &input.bracket {
            let b = b.as_deref().map(|t| trimmed(t, "bracket", 50)).transpose()?;
            diesel::update(motions::table.filter(motions::id.eq(motion_id))).set(motions::bracket.eq(b)).execute(c)?;
        }
        if let Some(t) = input.needs_two_thirds {
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set(motions::needs_two_thirds.eq(t))
                .execute(c)?;
        }
        audit_log::append(
            c,
            &actor.email,
            "motion.marks",
            &format!("motion {motion_id}"),
            serde_json::json!({"marks": input.marks, "needs_two_thirds": input.needs_two_thirds}),
        )?;
        Ok(())
    })?;
    get_motion(conn, motion_id)
}

fn no_open_poll_on(conn: &mut DbConnection, motion_id: i64) -> AppResult<()> {
    let open: i64 = polls::table
        .filter(polls::motion_id.eq(motion_id))
        .filter(polls::status.eq("open"))
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Err(AppError::conflict("a poll on this motion is open: close it first"));
    }
    Ok(())
}

/// The chair takes the motion as a whole or in parts (no vote). Only before any part is decided.
pub fn take_motion(conn: &mut DbConnection, actor: &User, motion_id: i64, taken: TakenAs) -> AppResult<MotionView> {
    db::write_tx(conn, |c| {
        let m = get_motion(c, motion_id)?;
        if m.outcome_text.is_some() || m.parts.iter().any(|p| p.outcome.is_some()) {
            return Err(AppError::conflict("the motion already has an outcome; it cannot be taken another way now"));
        }
        if taken == TakenAs::Parts && m.parts.is_empty() {
            return Err(AppError::validation("the motion has no parts to take separately"));
        }
        no_open_poll_on(c, motion_id)?;
        diesel::update(motions::table.filter(motions::id.eq(motion_id)))
            .set(motions::taken_as.eq(taken.as_str()))
            .execute(c)?;
        audit_log::append(
            c,
            &actor.email,
            "motion.take",
            &format!("motion {motion_id}"),
            serde_json::json!({"taken_as": taken.as_str()}),
        )?;
        Ok(())
    })?;
    get_motion(conn, motion_id)
}

/// Store a motion's state (after a poll or a decision) back into its rows.
fn save_state(
    conn: &mut DbConnection,
    motion_id: i64,
    state: &MotionState,
    counts: Option<(&Subject, Counts)>,
    persist_taken: bool,
) -> AppResult<()> {
    let whole_counts = match counts {
        Some((Subject::Whole, c)) => Some(enc(&c)),
        _ => None,
    };
    let mut upd = diesel::update(motions::table.filter(motions::id.eq(motion_id)))
        .set((
            motions::stem.eq(&state.stem),
            motions::whole_outcome.eq(state.whole_outcome.map(|o| o.as_str())),
            motions::whole_qualifier.eq(state.whole_qualifier.map(|q| q.as_str())),
        ))
        .execute(conn);
    if persist_taken {
        diesel::update(motions::table.filter(motions::id.eq(motion_id)))
            .set(motions::taken_as.eq(state.taken.as_str()))
            .execute(conn)?;
    }
    upd = upd.and_then(|_| match &whole_counts {
        Some(wc) => diesel::update(motions::table.filter(motions::id.eq(motion_id)))
            .set(motions::whole_counts.eq(wc))
            .execute(conn),
        None => Ok(0),
    });
    upd?;
    let existing: Vec<(i64, String)> =
        parts::table.filter(parts::motion_id.eq(motion_id)).select((parts::id, parts::label)).load(conn)?;
    for (pos, p) in state.parts.iter().enumerate() {
        let part_counts = match counts {
            Some((Subject::Part { label }, c)) if label == &p.label => Some(enc(&c)),
            _ => None,
        };
        match existing.iter().find(|(_, l)| l == &p.label) {
            Some((pid, _)) => {
                diesel::update(parts::table.filter(parts::id.eq(pid)))
                    .set((
                        parts::text.eq(&p.text),
                        parts::outcome.eq(p.outcome.map(|o| o.as_str())),
                        parts::qualifier.eq(p.qualifier.map(|q| q.as_str())),
                    ))
                    .execute(conn)?;
                if let Some(pc) = part_counts {
                    diesel::update(parts::table.filter(parts::id.eq(pid))).set(parts::counts.eq(pc)).execute(conn)?;
                }
            }
            None => {
                diesel::insert_into(parts::table)
                    .values((
                        parts::motion_id.eq(motion_id),
                        parts::position.eq(pos as i32),
                        parts::label.eq(&p.label),
                        parts::text.eq(&p.text),
                        parts::outcome.eq(p.outcome.map(|o| o.as_str())),
                        parts::qualifier.eq(p.qualifier.map(|q| q.as_str())),
                        parts::added_by_rider.eq(true),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

fn motion_state(view: &MotionView) -> MotionState {
    state_of(view.taken_as, &view.stem, view.outcome, view.qualifier, &view.parts)
}

/// A motion-level outcome decided without a vote (withdrawn, not reached, next business, ruled out of
/// order, superseded; or carried for an 'AR' motion reaffirmed without debate). It applies to every part
/// not already decided.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionDecision {
    pub outcome: Outcome,
}

pub fn decide_motion(conn: &mut DbConnection, actor: &User, motion_id: i64, outcome: Outcome) -> AppResult<MotionView> {
    if matches!(outcome, Outcome::Lost) {
        return Err(AppError::validation("outcome: a motion is lost only by a vote; open a poll"));
    }
    db::write_tx(conn, |c| {
        let view = get_motion(c, motion_id)?;
        if view.outcome_text.is_some() {
            return Err(AppError::conflict(format!(
                "motion {} is already decided: {}",
                view.item,
                view.outcome_text.unwrap_or_default()
            )));
        }
        if outcome == Outcome::Carried && !view.marks.iter().any(|m| matches!(m, AgendaMark::A | AgendaMark::Ar)) {
            return Err(AppError::validation(
                "outcome: only an 'A' or 'AR' motion is carried without a vote; open a poll",
            ));
        }
        no_open_poll_on(c, motion_id)?;
        let mut state = motion_state(&view);
        if view.taken_as.is_none() {
            state.taken = TakenAs::Whole;
        }
        state
            .apply(&procedure::Effect::Decide { label: None, outcome, qualifier: None })
            .map_err(AppError::validation)?;
        save_state(c, motion_id, &state, None, true)?;
        audit_log::append(
            c,
            &actor.email,
            "motion.decide",
            &format!("motion {motion_id}"),
            serde_json::json!({"outcome": outcome.as_str()}),
        )?;
        Ok(())
    })?;
    get_motion(conn, motion_id)
}

/// Close the conference: every motion (or part) not yet decided becomes NOT REACHED.
pub fn close_conference(conn: &mut DbConnection, actor: &User, conference_id: i64) -> AppResult<(Conference, usize)> {
    let changed = db::write_tx(conn, |c| {
        let conf = conference_row(c, conference_id)?;
        if conf.status == "closed" {
            return Err(AppError::conflict("the conference is already closed"));
        }
        let open: i64 = polls::table
            .filter(polls::conference_id.eq(conference_id))
            .filter(polls::status.eq("open"))
            .count()
            .get_result(c)?;
        if open > 0 {
            return Err(AppError::conflict("a poll is open: close it before closing the conference"));
        }
        let mut changed = 0;
        for view in list_motions(c, conference_id)? {
            if view.outcome_text.is_some() {
                continue;
            }
            let mut state = motion_state(&view);
            changed += state.close();
            save_state(c, view.id, &state, None, true)?;
        }
        diesel::update(conferences::table.filter(conferences::id.eq(conference_id)))
            .set(conferences::status.eq("closed"))
            .execute(c)?;
        audit_log::append(
            c,
            &actor.email,
            "conference.close",
            &format!("conference {conference_id}"),
            serde_json::json!({"not_reached": changed}),
        )?;
        Ok(changed)
    })?;
    Ok((conference_row(conn, conference_id)?, changed))
}

// ---- polls -----------------------------------------------------------------------------------------

type PollRow = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    i64,
    i64,
    i64,
    bool,
    Option<bool>,
    Option<String>,
);

#[allow(clippy::type_complexity)]
fn poll_columns() -> (
    polls::id,
    polls::conference_id,
    polls::motion_id,
    polls::subject,
    polls::question,
    polls::majority,
    polls::method,
    polls::status,
    polls::opened_at,
    polls::closed_at,
    polls::for_votes,
    polls::against_votes,
    polls::abstain_votes,
    polls::counted,
    polls::carried,
    polls::qualifier,
) {
    (
        polls::id,
        polls::conference_id,
        polls::motion_id,
        polls::subject,
        polls::question,
        polls::majority,
        polls::method,
        polls::status,
        polls::opened_at,
        polls::closed_at,
        polls::for_votes,
        polls::against_votes,
        polls::abstain_votes,
        polls::counted,
        polls::carried,
        polls::qualifier,
    )
}

fn votes_cast(conn: &mut DbConnection, poll_id: i64) -> AppResult<i64> {
    Ok(poll_votes::table.filter(poll_votes::poll_id.eq(poll_id)).count().get_result(conn)?)
}

/// The stored wording of a poll; for a poll opened before wordings were stored, derived from the motion
/// as it stands now.
fn poll_wording(
    conn: &mut DbConnection,
    poll_id: i64,
    subject: &serde_json::Value,
    majority: Majority,
    motion: Option<&MotionView>,
) -> AppResult<procedure::Wording> {
    let stored: Option<String> =
        polls::table.filter(polls::id.eq(poll_id)).select(polls::wording).first(conn).optional()?.flatten();
    if let Some(w) = dec::<procedure::Wording>(&stored) {
        return Ok(w);
    }
    if let Some(ids) = subject.get("a_motions_en_bloc").and_then(|v| v.as_array()) {
        let mut listed = Vec::new();
        for id in ids.iter().filter_map(|v| v.as_i64()) {
            listed.push(a_motion_line(&get_motion(conn, id)?));
        }
        return Ok(procedure::wording_of_a_motions(&listed, majority));
    }
    let subject: Subject = serde_json::from_value(subject.clone()).map_err(AppError::internal)?;
    let m = motion.ok_or_else(|| AppError::internal_msg("a motion poll without its motion"))?;
    Ok(wording_for(m, &motion_state(m), &subject, majority))
}

fn wording_for(m: &MotionView, state: &MotionState, subject: &Subject, majority: Majority) -> procedure::Wording {
    procedure::wording_of(u32::try_from(m.number).unwrap_or(0), m.proposer.as_deref(), state, subject, majority)
}

fn a_motion_line(m: &MotionView) -> (u32, Option<String>, String) {
    (u32::try_from(m.number).unwrap_or(0), m.proposer.clone(), m.stem.clone())
}

fn representatives_count(conn: &mut DbConnection, conference_id: i64) -> AppResult<i64> {
    Ok(representatives::table.filter(representatives::conference_id.eq(conference_id)).count().get_result(conn)?)
}

fn poll_view(conn: &mut DbConnection, r: PollRow) -> AppResult<PollView> {
    let closed = r.7 == "closed";
    let cast = if r.6 == "electronic" { votes_cast(conn, r.0)? } else { 0 };
    let motion = r.2.map(|mid| get_motion(conn, mid)).transpose()?;
    let (number, item, outcome_text) = match &motion {
        Some(m) => (Some(m.number), Some(m.item.clone()), if closed { m.outcome_text.clone() } else { None }),
        None => (None, None, None),
    };
    let subject: serde_json::Value = serde_json::from_str(&r.3).unwrap_or(serde_json::Value::Null);
    let majority: Majority = r.5.parse().unwrap_or(Majority::Simple);
    let wording = poll_wording(conn, r.0, &subject, majority, motion.as_ref())?;
    let counts = (closed && r.13).then(|| Counts::new(r.10 as u64, r.11 as u64, r.12 as u64));
    let qualifier: Option<Qualifier> = parse_name(&r.15);
    Ok(PollView {
        wording,
        representatives: representatives_count(conn, r.1)?,
        result_text: r
            .14
            .map(|carried| Decision { carried, qualifier: if carried { qualifier } else { None } }.as_upper()),
        percentages: counts.as_ref().and_then(procedure::percentages),
        id: r.0,
        conference_id: r.1,
        motion_id: r.2,
        motion_number: number,
        motion_item: item,
        subject,
        question: r.4,
        majority,
        method: r.6,
        status: r.7,
        opened_at: r.8.and_utc(),
        closed_at: r.9.map(|t| t.and_utc()),
        votes_cast: cast,
        counts,
        result: r.14.map(|c| if c { "carried".to_string() } else { "lost".to_string() }),
        qualifier,
        outcome_text,
    })
}

pub fn get_poll(conn: &mut DbConnection, poll_id: i64) -> AppResult<PollView> {
    let row = polls::table
        .filter(polls::id.eq(poll_id))
        .select(poll_columns())
        .first::<PollRow>(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
    poll_view(conn, row)
}

pub fn list_polls(conn: &mut DbConnection, conference_id: i64, only_open: bool) -> AppResult<Vec<PollView>> {
    conference_row(conn, conference_id)?;
    let mut q = polls::table.filter(polls::conference_id.eq(conference_id)).into_boxed();
    if only_open {
        q = q.filter(polls::status.eq("open"));
    }
    let rows = q.order(polls::id.asc()).select(poll_columns()).load::<PollRow>(conn)?;
    rows.into_iter().map(|r| poll_view(conn, r)).collect()
}

/// What a new poll puts and how; stored by [`insert_poll`].
struct PollSpec<'a> {
    conference_id: i64,
    motion_id: Option<i64>,
    subject: String,
    question: &'a str,
    majority: Majority,
    method: &'a str,
    wording: procedure::Wording,
}

fn check_method(method: Option<&str>) -> AppResult<String> {
    let method = method.unwrap_or("electronic").to_string();
    if method != "electronic" && method != "show_of_hands" {
        return Err(AppError::validation(format!("method: {method:?} is not electronic or show_of_hands")));
    }
    Ok(method)
}

/// One question at a time: refuse while the conference has a poll open, or once it is closed.
fn check_can_open_poll(c: &mut DbConnection, conference_id: i64) -> AppResult<()> {
    let conf = conference_row(c, conference_id)?;
    if conf.status != "open" {
        return Err(AppError::conflict("the conference is closed"));
    }
    let open: i64 = polls::table
        .filter(polls::conference_id.eq(conference_id))
        .filter(polls::status.eq("open"))
        .count()
        .get_result(c)?;
    if open > 0 {
        return Err(AppError::conflict("another poll is open in this conference: close it first"));
    }
    Ok(())
}

fn insert_poll(c: &mut DbConnection, actor: &User, spec: PollSpec<'_>, details: serde_json::Value) -> AppResult<i64> {
    let id = diesel::insert_into(polls::table)
        .values((
            polls::conference_id.eq(spec.conference_id),
            polls::motion_id.eq(spec.motion_id),
            polls::subject.eq(&spec.subject),
            polls::question.eq(spec.question),
            polls::majority.eq(spec.majority.as_str()),
            polls::method.eq(spec.method),
            polls::status.eq("open"),
            polls::opened_at.eq(db::now()),
            polls::counted.eq(spec.method == "electronic"),
            polls::wording.eq(Some(enc(&spec.wording))),
        ))
        .returning(polls::id)
        .get_result::<i64>(c)?;
    audit_log::append(c, &actor.email, "poll.open", &format!("poll {id}"), details)?;
    Ok(id)
}

pub fn open_poll(conn: &mut DbConnection, actor: &User, motion_id: i64, input: NewPoll) -> AppResult<PollView> {
    let method = check_method(input.method.as_deref())?;
    let id = db::write_tx(conn, |c| {
        let view = get_motion(c, motion_id)?;
        check_can_open_poll(c, view.conference_id)?;
        let mut state = motion_state(&view);
        // The first vote on a part (or on the whole) settles how the motion is taken, if the chair has not said.
        if view.taken_as.is_none() {
            state.taken = match &input.subject {
                Subject::Part { .. } => TakenAs::Parts,
                _ => TakenAs::Whole,
            };
        }
        if view.taken_as.is_none() && matches!(input.subject, Subject::Whole | Subject::Part { .. }) {
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set(motions::taken_as.eq(state.taken.as_str()))
                .execute(c)?;
        }
        state.validate(&input.subject).map_err(AppError::validation)?;
        let majority = input.majority.unwrap_or_else(|| {
            let default = input.subject.default_majority();
            let substantive = matches!(input.subject, Subject::Whole | Subject::Part { .. });
            if substantive && view.needs_two_thirds {
                Majority::TwoThirds
            } else {
                default
            }
        });
        let question = format!("Motion {}: {}", view.item, input.subject.describe());
        let details = serde_json::json!({"motion_id": motion_id, "subject": input.subject, "majority": majority.as_str(), "method": method});
        let spec = PollSpec {
            conference_id: view.conference_id,
            motion_id: Some(motion_id),
            subject: enc(&input.subject),
            question: &question,
            majority,
            method: &method,
            wording: wording_for(&view, &state, &input.subject, majority),
        };
        let id = insert_poll(c, actor, spec, details)?;
        Ok(id)
    })?;
    get_poll(conn, id)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnBloc {
    /// The 'A' motions to take together; default: every undecided 'A' motion of the conference.
    pub motions: Option<Vec<i64>>,
    /// "electronic" (default) or "show_of_hands".
    pub method: Option<String>,
}

/// Put the 'A' motions (existing policy or non-controversial) to one vote together ("A motions carried
/// en bloc"). If carried, each is CARRIED.
pub fn open_en_bloc(conn: &mut DbConnection, actor: &User, conference_id: i64, input: EnBloc) -> AppResult<PollView> {
    let method = check_method(input.method.as_deref())?;
    let id = db::write_tx(conn, |c| {
        check_can_open_poll(c, conference_id)?;
        let agenda = list_motions(c, conference_id)?;
        let is_a = |m: &MotionView| m.marks.contains(&AgendaMark::A);
        let chosen: Vec<&MotionView> = match &input.motions {
            None => agenda.iter().filter(|m| is_a(m) && m.outcome_text.is_none()).collect(),
            Some(ids) => {
                let mut chosen = Vec::new();
                for id in ids {
                    let m = agenda.iter().find(|m| m.id == *id).ok_or_else(|| {
                        AppError::validation(format!("motions: {id} is not a motion of this conference"))
                    })?;
                    if !is_a(m) {
                        return Err(AppError::validation(format!("motions: motion {} is not marked 'A'", m.item)));
                    }
                    if m.outcome_text.is_some() {
                        return Err(AppError::validation(format!("motions: motion {} is already decided", m.item)));
                    }
                    chosen.push(m);
                }
                chosen
            }
        };
        if chosen.is_empty() {
            return Err(AppError::validation("there are no undecided 'A' motions to take en bloc"));
        }
        let ids: Vec<i64> = chosen.iter().map(|m| m.id).collect();
        let numbers: Vec<String> = chosen.iter().map(|m| m.item.clone()).collect();
        let question = format!("The 'A' motions, en bloc: {}", numbers.join(", "));
        let subject = serde_json::json!({"a_motions_en_bloc": ids});
        let spec = PollSpec {
            conference_id,
            motion_id: None,
            subject: enc(&subject),
            question: &question,
            majority: Majority::Simple,
            method: &method,
            wording: procedure::wording_of_a_motions(
                &chosen.iter().map(|m| a_motion_line(m)).collect::<Vec<_>>(),
                Majority::Simple,
            ),
        };
        let id = insert_poll(c, actor, spec, subject.clone())?;
        Ok(id)
    })?;
    get_poll(conn, id)
}

/// A representative's vote. Replaces their earlier choice in the same poll; acknowledged only once committed.
pub fn cast_vote(conn: &mut DbConnection, user: &User, poll_id: i64, choice: Choice) -> AppResult<PollView> {
    db::write_tx(conn, |c| {
        let (conference_id, status, method): (i64, String, String) = polls::table
            .filter(polls::id.eq(poll_id))
            .select((polls::conference_id, polls::status, polls::method))
            .first(c)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
        let rep = representative_of(c, conference_id, user.id)?
            .ok_or_else(|| AppError::forbidden("you are not registered as a representative at this conference"))?;
        if status != "open" {
            return Err(AppError::new(
                ErrorCode::PollClosed,
                "this poll is closed; votes can no longer be cast or changed",
            ));
        }
        if method != "electronic" {
            return Err(AppError::conflict("this poll is by show of hands; the chair enters the result"));
        }
        dialect::upsert_poll_vote(c, poll_id, rep.id, choice.as_str(), db::now())?;
        Ok(())
    })?;
    get_poll(conn, poll_id)
}

pub fn my_vote(conn: &mut DbConnection, user: &User, poll_id: i64) -> AppResult<Option<Choice>> {
    let conference_id: i64 = polls::table
        .filter(polls::id.eq(poll_id))
        .select(polls::conference_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
    let Some(rep) = representative_of(conn, conference_id, user.id)? else {
        return Ok(None);
    };
    let choice: Option<String> = poll_votes::table
        .filter(poll_votes::poll_id.eq(poll_id))
        .filter(poll_votes::representative_id.eq(rep.id))
        .select(poll_votes::choice)
        .first(conn)
        .optional()?;
    Ok(choice.and_then(|c| c.parse().ok()))
}

/// Close a poll: count, decide by its majority rule, apply the result to the motion.
pub fn close_poll(
    conn: &mut DbConnection,
    actor: &User,
    poll_id: i64,
    declaration: Option<Declaration>,
) -> AppResult<PollView> {
    db::write_tx(conn, |c| {
        let row = polls::table
            .filter(polls::id.eq(poll_id))
            .select(poll_columns())
            .first::<PollRow>(c)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
        if row.7 != "open" {
            return Err(AppError::new(ErrorCode::PollClosed, "this poll is already closed"));
        }
        crate::services::corrections::keep_before_close(c, poll_id)?;
        let majority: Majority = row.5.parse().unwrap_or(Majority::Simple);
        let subject_json: serde_json::Value = serde_json::from_str(&row.3).map_err(AppError::internal)?;
        let (decision, counts): (Decision, Option<Counts>) = if row.6 == "electronic" {
            if declaration.is_some() {
                return Err(AppError::validation(
                    "this poll is electronic: the votes decide it, close it without a body",
                ));
            }
            let choices: Vec<String> =
                poll_votes::table.filter(poll_votes::poll_id.eq(poll_id)).select(poll_votes::choice).load(c)?;
            let counts = Counts::tally(choices.iter().filter_map(|s| s.parse::<Choice>().ok()));
            (procedure::decide(majority, &counts), Some(counts))
        } else {
            let d = declaration.ok_or_else(|| {
                AppError::validation(
                    "this poll is by show of hands: give {\"result\": \"carried\" | \"lost\"} and the counts if taken",
                )
            })?;
            let carried = match d.result.as_str() {
                "carried" => true,
                "lost" => false,
                other => return Err(AppError::validation(format!("result: {other:?} is not carried or lost"))),
            };
            let decision =
                procedure::check_declared(majority, carried, d.counts.as_ref()).map_err(AppError::validation)?;
            (decision, d.counts)
        };
        let mut motion_number = None;
        if let Some(ids) = subject_json.get("a_motions_en_bloc").and_then(|v| v.as_array()) {
            // The 'A' motions taken together: carried, each is CARRIED; lost, they go back to be taken one by one.
            if decision.carried {
                for mid in ids.iter().filter_map(|v| v.as_i64()) {
                    let view = get_motion(c, mid)?;
                    if view.outcome_text.is_some() {
                        continue;
                    }
                    let mut state = motion_state(&view);
                    state.taken = TakenAs::Whole;
                    state
                        .apply(&procedure::Effect::Decide { label: None, outcome: Outcome::Carried, qualifier: None })
                        .map_err(AppError::conflict)?;
                    save_state(c, mid, &state, None, true)?;
                }
            }
        } else if let Some(mid) = row.2 {
            let subject: Subject = serde_json::from_value(subject_json.clone()).map_err(AppError::internal)?;
            let view = get_motion(c, mid)?;
            motion_number = Some(view.number);
            let mut state = motion_state(&view);
            if view.taken_as.is_none() {
                state.taken = TakenAs::Whole;
            }
            state.record_poll(&subject, &decision).map_err(AppError::conflict)?;
            let substantive = matches!(subject, Subject::Whole | Subject::Part { .. });
            save_state(
                c,
                mid,
                &state,
                counts.map(|k| (&subject, k)),
                view.taken_as.is_some() || substantive || state.outcome_text().is_some(),
            )?;
        }
        let k = counts.unwrap_or_default();
        let closed = diesel::update(polls::table.filter(polls::id.eq(poll_id)).filter(polls::status.eq("open")))
            .set((
                polls::status.eq("closed"),
                polls::closed_at.eq(Some(db::now())),
                polls::for_votes.eq(k.for_votes as i64),
                polls::against_votes.eq(k.against as i64),
                polls::abstain_votes.eq(k.abstain as i64),
                polls::counted.eq(counts.is_some()),
                polls::carried.eq(Some(decision.carried)),
                polls::qualifier.eq(decision.qualifier.map(|q| q.as_str())),
            ))
            .execute(c)?;
        if closed != 1 {
            return Err(AppError::new(
                ErrorCode::PollClosed,
                "this poll was closed at the same moment by someone else",
            ));
        }
        audit_log::append(
            c,
            &actor.email,
            "poll.close",
            &format!("poll {poll_id}"),
            serde_json::json!({"motion": motion_number, "carried": decision.carried, "counts": counts}),
        )?;
        get_poll(c, poll_id)
    })
}

// ---- the hall: one snapshot of what a representative or the projector shows -----------------------

/// A motion on the representative's agenda.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgendaLine {
    pub motion_id: i64,
    pub number: i32,
    /// The item as printed ("27a"): what pages show.
    pub item: String,
    pub proposer: Option<String>,
    /// The motion's first line (from its stem).
    pub first_line: String,
    pub marks: Vec<AgendaMark>,
    /// "CARRIED IN ALL PARTS", …; null while undecided.
    pub outcome_text: Option<String>,
}

/// Now, next and decided.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HallAgenda {
    /// Being taken now: the motion of the open poll (or of the latest poll while it is undecided), or
    /// the 'A' motions taken together.
    pub now: Vec<AgendaLine>,
    /// The next undecided motion in agenda order.
    pub next: Option<AgendaLine>,
    /// Decided motions with their outcomes, in agenda order.
    pub decided: Vec<AgendaLine>,
    /// Motions on the agenda.
    pub motions: usize,
}

/// Everything the representative's page and the projector show, in one answer: what a page fetches when
/// it (re)connects, so that it catches up with whatever happened while it was away.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HallState {
    pub conference: Conference,
    /// The poll open now, if any (one at a time).
    pub open_poll: Option<PollView>,
    /// The latest closed poll.
    pub last_closed: Option<PollView>,
    /// The caller is registered as a representative here (and so may vote).
    pub representative: bool,
    /// The caller's own vote in the open poll.
    pub my_vote: Option<Choice>,
    pub agenda: HallAgenda,
}

fn agenda_line(m: &MotionView) -> AgendaLine {
    AgendaLine {
        motion_id: m.id,
        number: m.number,
        item: m.item.clone(),
        proposer: m.proposer.clone(),
        first_line: procedure::wording::first_line(&m.stem),
        marks: m.marks.clone(),
        outcome_text: m.outcome_text.clone(),
    }
}

fn motions_of_poll(subject: &serde_json::Value, motion_id: Option<i64>) -> Vec<i64> {
    match subject.get("a_motions_en_bloc").and_then(|v| v.as_array()) {
        Some(ids) => ids.iter().filter_map(|v| v.as_i64()).collect(),
        None => motion_id.into_iter().collect(),
    }
}

/// Every motion of a conference in agenda order, in two queries (the hall snapshot is fetched by every
/// page that reconnects, so it must not cost two queries per motion).
fn motions_in_two_queries(conn: &mut DbConnection, conference_id: i64) -> AppResult<Vec<MotionView>> {
    let rows = motions::table
        .filter(motions::conference_id.eq(conference_id))
        .order(motions::number.asc())
        .select(motion_columns())
        .load::<MotionRow>(conn)?;
    let all_parts = parts::table
        .inner_join(motions::table)
        .filter(motions::conference_id.eq(conference_id))
        .order((parts::motion_id.asc(), parts::position.asc()))
        .select((
            parts::motion_id,
            (
                parts::id,
                parts::label,
                parts::text,
                parts::outcome,
                parts::qualifier,
                parts::counts,
                parts::added_by_rider,
            ),
        ))
        .load::<(i64, PartRow)>(conn)?;
    let mut by_motion: std::collections::HashMap<i64, Vec<PartRow>> = std::collections::HashMap::new();
    for (mid, part) in all_parts {
        by_motion.entry(mid).or_default().push(part);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let parts = by_motion.remove(&row.0).unwrap_or_default();
            view_from(row, parts)
        })
        .collect())
}

pub fn hall_state(conn: &mut DbConnection, viewer: Option<&User>, conference_id: i64) -> AppResult<HallState> {
    let conference = conference_row(conn, conference_id)?;
    let latest = |conn: &mut DbConnection, status: &str| -> AppResult<Option<PollView>> {
        let row = polls::table
            .filter(polls::conference_id.eq(conference_id))
            .filter(polls::status.eq(status))
            .order(polls::id.desc())
            .select(poll_columns())
            .first::<PollRow>(conn)
            .optional()?;
        row.map(|r| poll_view(conn, r)).transpose()
    };
    let open_poll = latest(conn, "open")?;
    let last_closed = latest(conn, "closed")?;
    let rep = match viewer {
        Some(u) => representative_of(conn, conference_id, u.id)?,
        None => None,
    };
    let my_vote = match (&rep, &open_poll) {
        (Some(rep), Some(p)) => poll_votes::table
            .filter(poll_votes::poll_id.eq(p.id))
            .filter(poll_votes::representative_id.eq(rep.id))
            .select(poll_votes::choice)
            .first::<String>(conn)
            .optional()?
            .and_then(|c| c.parse().ok()),
        _ => None,
    };
    let motions = motions_in_two_queries(conn, conference_id)?;
    let current_ids = match (&open_poll, &last_closed) {
        (Some(p), _) => motions_of_poll(&p.subject, p.motion_id),
        (None, Some(p)) => motions_of_poll(&p.subject, p.motion_id)
            .into_iter()
            .filter(|id| motions.iter().any(|m| m.id == *id && m.outcome_text.is_none()))
            .collect(),
        (None, None) => vec![],
    };
    let entries: Vec<procedure::hall::AgendaEntry> = motions
        .iter()
        .map(|m| procedure::hall::AgendaEntry {
            number: u32::try_from(m.number).unwrap_or(0),
            decided: m.outcome_text.is_some(),
        })
        .collect();
    let current: Vec<u32> =
        motions.iter().filter(|m| current_ids.contains(&m.id)).map(|m| u32::try_from(m.number).unwrap_or(0)).collect();
    let order = procedure::hall::running_order(&entries, &current);
    let agenda = HallAgenda {
        now: order.now.iter().map(|&i| agenda_line(&motions[i])).collect(),
        next: order.next.map(|i| agenda_line(&motions[i])),
        decided: order.decided.iter().map(|&i| agenda_line(&motions[i])).collect(),
        motions: motions.len(),
    };
    Ok(HallState { conference, open_poll, last_closed, representative: rep.is_some(), my_vote, agenda })
}

// ---- the record ------------------------------------------------------------------------------------

pub fn motion_record(view: &MotionView) -> procedure::MotionRecord {
    let parts_taken = view.taken_as == Some(TakenAs::Parts);
    procedure::MotionRecord {
        number: u32::try_from(view.number).ok().filter(|n| n.to_string() == view.item),
        item: (view.item != view.number.to_string()).then(|| view.item.clone()),
        voided: view.voided_polls.iter().map(|v| format!("{} — void: {}", v.question, v.reason)).collect(),
        proposer: view.proposer.clone(),
        agenda_committee: view.agenda_committee,
        stem: view.stem.clone(),
        parts: view
            .parts
            .iter()
            .map(|p| procedure::RecordPart {
                label: p.label.clone(),
                text: p.text.clone(),
                outcome: if parts_taken { p.outcome } else { None },
                qualifier: p.qualifier,
                counts: p.counts,
            })
            .collect(),
        taken: view.taken_as.unwrap_or(TakenAs::Whole),
        whole_outcome: view.outcome,
        whole_qualifier: view.qualifier,
        whole_counts: view.counts,
        outcome_text: view.outcome_text.clone(),
    }
}

// ---- representatives by CSV -------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RepresentativeImport {
    /// Representatives registered (new accounts and existing ones).
    pub added: usize,
    /// New accounts created; each is emailed a one-time link to set a password.
    pub invited: usize,
    pub rejected: Vec<crate::ballot::Rejected>,
}

/// Register representatives from CSV with the header `name,email,lmc`. A new email gets an account with
/// the representative role and an invitation with a one-time link to set a password; an existing account
/// is registered as it is. Bad lines are reported with their line numbers; the rest are kept.
pub fn import_representatives(
    conn: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    csv: &str,
    public_url: &str,
) -> AppResult<RepresentativeImport> {
    let records = crate::ballot::roll::csv_records(csv);
    let Some((_, header)) = records.first() else {
        return Err(AppError::new(ErrorCode::InvalidCsv, "the file is empty: expected a header line name,email,lmc"));
    };
    let header: Vec<String> = header
        .clone()
        .map_err(|e| AppError::new(ErrorCode::InvalidCsv, format!("line 1: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            AppError::new(ErrorCode::InvalidCsv, format!("the header has no {name} column: expected name,email,lmc"))
        })
    };
    let (ci_name, ci_email, ci_lmc) = (col("name")?, col("email")?, col("lmc")?);
    if let Some(extra) = header.iter().find(|h| !["name", "email", "lmc"].contains(&h.as_str())) {
        return Err(AppError::new(
            ErrorCode::InvalidCsv,
            format!("the header has an unknown column {extra:?}: expected name,email,lmc"),
        ));
    }
    if records.len() > 10_001 {
        return Err(AppError::new(ErrorCode::InvalidCsv, "at most 10,000 representatives in one file"));
    }
    db::write_tx(conn, |c| {
        let conf = conference_row(c, conference_id)?;
        if conf.status != "open" {
            return Err(AppError::conflict("the conference is closed"));
        }
        let mut out = RepresentativeImport { added: 0, invited: 0, rejected: Vec::new() };
        let mut seen = std::collections::HashMap::new();
        for (line, fields) in records.iter().skip(1) {
            let reject = |reason: String| crate::ballot::Rejected { line: *line, reason };
            let fields = match fields {
                Ok(f) if f.len() == header.len() => f,
                Ok(f) => {
                    out.rejected.push(reject(format!("{} fields, expected {}", f.len(), header.len())));
                    continue;
                }
                Err(e) => {
                    out.rejected.push(reject(e.clone()));
                    continue;
                }
            };
            let parsed = (|| -> AppResult<(String, String, String)> {
                Ok((
                    auth::validate_name(&fields[ci_name], "name")?,
                    auth::validate_email(&fields[ci_email])?,
                    trimmed(&fields[ci_lmc], "lmc", 100)?,
                ))
            })();
            let (name, email, lmc) = match parsed {
                Ok(p) => p,
                Err(e) => {
                    out.rejected.push(reject(e.detail));
                    continue;
                }
            };
            if let Some(first) = seen.get(&email) {
                out.rejected.push(reject(format!("duplicate email {email} (first on line {first})")));
                continue;
            }
            seen.insert(email.clone(), *line);
            let user_id = match representative_account(c, &conf, &email, Some(&name), &lmc, public_url)? {
                Ok((id, invited)) => {
                    if invited {
                        out.invited += 1;
                    }
                    id
                }
                Err(reason) => {
                    out.rejected.push(reject(reason));
                    continue;
                }
            };
            let already: i64 = representatives::table
                .filter(representatives::conference_id.eq(conference_id))
                .filter(representatives::user_id.eq(user_id))
                .count()
                .get_result(c)?;
            if already > 0 {
                out.rejected.push(reject(format!("{email} is already a representative at this conference")));
                continue;
            }
            add_representative_in_tx(c, actor, conference_id, user_id, &lmc)?;
            out.added += 1;
        }
        audit_log::append(
            c,
            &actor.email,
            "conference.representatives.import",
            &format!("conference {conference_id}"),
            serde_json::json!({"added": out.added, "invited": out.invited, "rejected": out.rejected.len()}),
        )?;
        Ok(out)
    })
}
