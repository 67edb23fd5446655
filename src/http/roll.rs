//! The roll on the officer's console (read a page, search, correct or remove a voter before opening),
//! turnout by LMC as CSV, and scheduled reminders.

use actix_web::{delete, get, patch, put, web, HttpResponse};
use serde::Deserialize;

use crate::ballot::roll_edit::Correction;
use crate::ballot::RollEntry;
use crate::error::AppResult;
use crate::http::extract::AuthUser;
use crate::services::auth::Role;
use crate::services::roll_admin::{self, RollPage};
use crate::services::{access, reminders, AppState};

type Problem = crate::error::Problem;

const OFFICER: &[Role] = &[Role::Officer];
const OVERSIGHT: &[Role] = &[Role::Officer, Role::Scrutineer];

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RollQuery {
    /// Search: text found (case ignored) in a voter's name, email, membership number or LMC.
    pub q: Option<String>,
    /// From 1 (default 1).
    pub page: Option<i64>,
    /// 1 to 500 (default 50).
    pub per_page: Option<i64>,
}

/// A page of the electoral roll, searched (its officers and the scrutineer). `editable` says whether voters
/// may still be corrected or removed (the ballot is a draft). Who has voted is not shown.
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path), RollQuery),
    responses((status = 200, body = RollPage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/ballots/{id}/roll")]
pub async fn list_roll(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    q: web::Query<RollQuery>,
) -> AppResult<web::Json<RollPage>> {
    let viewer = user.require(OVERSIGHT)?.clone();
    let id = id.into_inner();
    let RollQuery { q, page, per_page } = q.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::oversees(c, &viewer, id)?;
                roll_admin::page(c, id, q.as_deref().unwrap_or(""), page, per_page)
            })
            .await?,
    ))
}

/// Correct one voter's name, email, LMC or role while the ballot is a draft (409 once open). The fields
/// are checked as an imported line's are (422 names every problem); an email another voter has is 409.
#[utoipa::path(tag = "ballots", security(("bearer" = [])),
    params(("id" = i64, Path), ("membership_no" = String, Path, description = "compared ignoring case")),
    request_body = Correction,
    responses((status = 200, body = RollEntry), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[patch("/ballots/{id}/roll/{membership_no}")]
pub async fn correct_voter(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(i64, String)>,
    body: web::Json<Correction>,
) -> AppResult<web::Json<RollEntry>> {
    let actor = user.require(OFFICER)?.clone();
    let (id, no) = path.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::officer_of(c, &actor, id)?;
                roll_admin::correct(c, &actor, id, &no, &body)
            })
            .await?,
    ))
}

/// Remove one voter from the roll while the ballot is a draft (409 once open).
#[utoipa::path(tag = "ballots", security(("bearer" = [])),
    params(("id" = i64, Path), ("membership_no" = String, Path, description = "compared ignoring case")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[delete("/ballots/{id}/roll/{membership_no}")]
pub async fn remove_voter(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let actor = user.require(OFFICER)?.clone();
    let (id, no) = path.into_inner();
    state
        .db
        .run(move |c| {
            access::officer_of(c, &actor, id)?;
            roll_admin::remove(c, &actor, id, &no)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Turnout by LMC area as CSV (`lmc,eligible,voted,turnout,note`), small groups hidden as in the
/// results. The handler of `GET /ballots/{id}/turnout?format=csv`.
pub async fn turnout_csv(
    state: &web::Data<AppState>,
    viewer: crate::services::auth::User,
    id: i64,
) -> AppResult<HttpResponse> {
    let th = state.settings.thresholds;
    let csv = state
        .db
        .run(move |c| {
            access::oversees(c, &viewer, id)?;
            roll_admin::turnout_by_lmc_csv(c, id, th)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"turnout-ballot-{id}.csv\"")))
        .body(csv))
}

/// Schedule reminder rounds at so many days before the close (e.g. `[7, 2]`); each goes once, when due,
/// to everyone who has not voted by then. Rounds already sent stay; pending ones not listed are cancelled.
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)), request_body = reminders::Schedule,
    responses((status = 200, body = reminders::ReminderStatus), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "closed, or no closing time", body = Problem), (status = 422, body = Problem)))]
#[put("/ballots/{id}/reminders/schedule")]
pub async fn schedule_reminders(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<reminders::Schedule>,
) -> AppResult<web::Json<reminders::ReminderStatus>> {
    let actor = user.require(OFFICER)?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::officer_of(c, &actor, id)?;
                reminders::set_schedule(c, &actor, id, &body)
            })
            .await?,
    ))
}
