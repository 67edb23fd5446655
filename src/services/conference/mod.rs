//! Conferences, representatives, motions and polls: the use cases of the conference half.
//! The rules (majorities, outcomes, the parser, the record) are in `crate::procedure`; this module loads
//! state, asks the rules, and stores the result in one write transaction.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{conferences, motions, parts, poll_votes, polls, representatives, users};
use crate::db::{self, dialect, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::procedure::{
    self, AgendaMark, Choice, Counts, Decision, Majority, MotionState, Outcome, PollSubject, Qualifier, Subject,
    TakenAs,
};
use crate::procedure::{polls::PollStatus, resolutions::Method, ConferenceStatus};
use crate::services::audit_log;
use crate::services::auth::{self, Role, User};
use crate::services::events::{self, ConferenceEvent, Hub};
use crate::services::AppState;

mod conference_admin;
mod hall;
mod motion_handling;
mod record;
mod representatives_csv;
mod voting;
pub use conference_admin::*;
pub use hall::*;
pub use motion_handling::*;
pub use record::*;
pub use representatives_csv::*;
pub use voting::*;

// ---- views -----------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conference {
    pub id: i64,
    pub name: String,
    pub venue: Option<String>,
    /// "open" or "closed".
    pub status: ConferenceStatus,
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
    /// The majority each kind of poll on this motion uses unless the chair chooses another
    /// (`procedure::polls::default_majorities`): keys "whole", "part", "amendment", "rider", the
    /// procedural kinds and "a_motions_en_bloc" (the 'A' motions put together).
    pub default_majorities: std::collections::BTreeMap<String, Majority>,
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
    /// motions taken together, `{"a_motions_en_bloc": [motion ids]}` (`procedure::PollSubject`).
    #[schema(value_type = Object)]
    pub subject: PollSubject,
    /// What is being voted on, in words.
    pub question: String,
    pub majority: Majority,
    /// "electronic" or "show_of_hands".
    pub method: Method,
    /// "open", "closed" or "void".
    pub status: PollStatus,
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

/// A value as the JSON text stored in a column (counts, marks, a poll's subject and wording).
fn to_json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A stored column's JSON text read back; `None` only when the column is NULL. Text that does not read
/// is a load error naming `what` (500, logged), never taken for an empty column.
fn from_json_text<T: for<'de> Deserialize<'de>>(s: &Option<String>, what: &str) -> AppResult<Option<T>> {
    s.as_deref()
        .map(|s| {
            serde_json::from_str(s).map_err(|e| AppError::internal_msg(format!("the stored {what} does not read: {e}")))
        })
        .transpose()
}
