//! The conference's details as the published resolutions print them: name, venue and dates; read with
//! every conference, changed by its chair (or an admin) with `PUT /conferences/{id}`.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use crate::db::schema::conferences;
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};
use crate::procedure::ConferenceStatus;
use crate::services::audit_log;
use crate::services::auth::User;
use crate::services::conference::{get_conference, trimmed, Conference};

/// The columns of a conference, in [`Row`]'s order.
pub const COLUMNS: (
    conferences::id,
    conferences::name,
    conferences::venue,
    conferences::status,
    conferences::created_at,
    conferences::starts_on,
    conferences::ends_on,
) = (
    conferences::id,
    conferences::name,
    conferences::venue,
    conferences::status,
    conferences::created_at,
    conferences::starts_on,
    conferences::ends_on,
);

pub type Row = (i64, String, Option<String>, ConferenceStatus, chrono::NaiveDateTime, Option<String>, Option<String>);

/// A stored day that is not an ISO 8601 date is a load error, never a silent blank.
fn stored_day(id: i64, what: &str, s: Option<String>) -> AppResult<Option<NaiveDate>> {
    s.map(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|e| AppError::internal_msg(format!("conference {id}: stored {what} {s:?} is not a date: {e}")))
    })
    .transpose()
}

pub fn from_row(r: Row) -> AppResult<Conference> {
    let (id, name, venue, status, created_at, starts_on, ends_on) = r;
    Ok(Conference {
        id,
        name,
        venue,
        status,
        created_at: created_at.and_utc(),
        starts_on: stored_day(id, "starts_on", starts_on)?,
        ends_on: stored_day(id, "ends_on", ends_on)?,
    })
}

/// The days as stored: `ends_on` needs `starts_on` and may not come before it; a one-day conference
/// stores no `ends_on`.
pub fn check_dates(
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
) -> AppResult<(Option<String>, Option<String>)> {
    match (starts_on, ends_on) {
        (None, Some(_)) => Err(AppError::validation("ends_on: give starts_on too")),
        (Some(s), Some(e)) if e < s => Err(AppError::validation(format!("ends_on: {e} is before starts_on {s}"))),
        (Some(s), Some(e)) if (e - s).num_days() > 14 => {
            Err(AppError::validation(format!("ends_on: {e} is more than 14 days after starts_on {s}")))
        }
        (s, e) => {
            let e = e.filter(|e| Some(*e) != s);
            Ok((s.map(|d| d.format("%Y-%m-%d").to_string()), e.map(|d| d.format("%Y-%m-%d").to_string())))
        }
    }
}

/// The conference's details, replaced as a whole.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConferenceDetails {
    pub name: String,
    /// Where it is held ("Manchester Central"); null for none.
    pub venue: Option<String>,
    /// The (first) day, e.g. "2026-11-19"; null for none.
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<NaiveDate>,
    /// The last day, for a conference of more than one day.
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<NaiveDate>,
}

/// Change the name, venue and dates (the caller's right to do so is checked by the handler).
pub fn update(conn: &mut DbConnection, actor: &User, id: i64, input: ConferenceDetails) -> AppResult<Conference> {
    let name = trimmed(&input.name, "name", 300)?;
    let venue = input.venue.as_deref().map(|v| trimmed(v, "venue", 300)).transpose()?;
    let (starts_on, ends_on) = check_dates(input.starts_on, input.ends_on)?;
    db::write_tx(conn, |c| {
        get_conference(c, id)?;
        diesel::update(conferences::table.filter(conferences::id.eq(id)))
            .set((
                conferences::name.eq(&name),
                conferences::venue.eq(&venue),
                conferences::starts_on.eq(&starts_on),
                conferences::ends_on.eq(&ends_on),
            ))
            .execute(c)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::ConferenceUpdate,
            &format!("conference {id}"),
            serde_json::json!({"name": name, "venue": venue, "starts_on": starts_on, "ends_on": ends_on}),
        )?;
        get_conference(c, id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        let d = |m, dd| NaiveDate::from_ymd_opt(2026, m, dd);
        assert_eq!(
            check_dates(d(11, 19), d(11, 20)).ok(),
            Some((Some("2026-11-19".into()), Some("2026-11-20".into())))
        );
        assert_eq!(check_dates(d(11, 19), d(11, 19)).ok(), Some((Some("2026-11-19".into()), None)));
        assert_eq!(check_dates(None, None).ok(), Some((None, None)));
        assert!(check_dates(None, d(11, 19)).is_err());
        assert!(check_dates(d(11, 20), d(11, 19)).is_err());
        assert!(check_dates(d(11, 1), d(11, 30)).is_err());
    }
}
