//! Putting mistakes right: voiding a closed poll, and what closing a poll or the conference would do.

use actix_web::{get, post, web};

use crate::error::AppResult;
use crate::http::extract::AuthUser;
use crate::services::auth::Role;
use crate::services::conference::PollView;
use crate::services::corrections::{self as svc, CloseCheck, ConferenceCloseCheck, VoidPoll};
use crate::services::{access, AppState};

type Problem = crate::error::Problem;

/// Void a closed poll, with the reason: its result is undone (recorded in the audit log and shown in the
/// motion's record), and the vote can be taken again. Only the latest poll on its motion.
#[utoipa::path(tag = "polls", security(("bearer" = [])), params(("id" = i64, Path)), request_body = VoidPoll,
    responses((status = 200, body = PollView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/polls/{id}/void")]
pub async fn void_poll(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<VoidPoll>,
) -> AppResult<web::Json<PollView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    let p = state
        .db
        .run(move |c| {
            access::chair_of_poll(c, &actor, id)?;
            svc::void_poll(c, &hub, &actor, id, body.into_inner())
        })
        .await?;
    Ok(web::Json(p))
}

/// How many registered representatives have voted in a poll, and whether closing it now needs the chair
/// to confirm (fewer than half have voted).
#[utoipa::path(tag = "polls", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CloseCheck), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/polls/{id}/close-check")]
pub async fn close_check(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<CloseCheck>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of_poll(c, &actor, id)?;
                svc::close_check(c, id)
            })
            .await?,
    ))
}

/// What closing the conference now would do: how many motions would become NOT REACHED.
#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ConferenceCloseCheck), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/conferences/{id}/close-check")]
pub async fn conference_close_check(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<ConferenceCloseCheck>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of(c, &actor, id)?;
                svc::conference_close_check(c, id)
            })
            .await?,
    ))
}
