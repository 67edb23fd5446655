//! Importing the agenda as printed.

use actix_web::{delete, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::extract::AuthUser;
use crate::procedure::agenda_reader::MAX_AGENDA_CHARS;
use crate::services::agenda::{self as svc, AgendaImport, AgendaText, MotionEdit, RunningOrder};
use crate::services::auth::Role;
use crate::services::conference::MotionView;
use crate::services::{access, AppState};

type Problem = crate::error::Problem;

/// Largest agenda body accepted (text of about 1,500 pages).
pub const AGENDA_LIMIT: usize = 4 * MAX_AGENDA_CHARS;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DryRun {
    /// Read the agenda and say what would change, without saving anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// Import the agenda as printed (`{"text": "…"}`, or the text itself as text/plain). With
/// `?dry_run=true` nothing is saved: the answer is the preview. Otherwise the items are saved in order
/// (201); importing again updates items by their printed number and never duplicates one. The answer says
/// what changed.
#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path), DryRun),
    request_body = AgendaText,
    responses((status = 201, body = AgendaImport), (status = 200, description = "a dry run", body = AgendaImport),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
#[post("/conferences/{id}/agenda")]
pub async fn import_agenda(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    query: web::Query<DryRun>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair])?.clone();
    let ct = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let body = crate::http::read_body(payload, AGENDA_LIMIT).await?;
    let text = if ct.starts_with("text/plain") {
        String::from_utf8(body.to_vec()).map_err(|_| AppError::bad_request("the agenda is not valid UTF-8 text"))?
    } else if ct.starts_with("application/json") || ct.is_empty() {
        let parsed: AgendaText = serde_json::from_slice(&body)
            .map_err(|e| AppError::new(ErrorCode::InvalidJson, format!("the JSON body: {e}")))?;
        parsed.text
    } else {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            "send the agenda as JSON {\"text\": \"…\"} or as text/plain",
        ));
    };
    let id = id.into_inner();
    let dry_run = query.dry_run;
    let hub = state.hub.clone();
    let out = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            svc::import_agenda(c, &hub, &actor, id, &text, dry_run)
        })
        .await?;
    Ok(if dry_run { HttpResponse::Ok().json(out) } else { HttpResponse::Created().json(out) })
}

/// Correct a motion before any vote on it: its printed number, proposer, text or parts.
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MotionEdit,
    responses((status = 200, body = MotionView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
#[put("/motions/{id}")]
pub async fn edit_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<MotionEdit>,
) -> AppResult<web::Json<MotionView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    let m = state
        .db
        .run(move |c| {
            access::chair_of_motion(c, &actor, id)?;
            svc::edit_motion(c, &hub, &actor, id, body.into_inner())
        })
        .await?;
    Ok(web::Json(m))
}

/// Delete a motion from the agenda, before any vote on it.
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[delete("/motions/{id}")]
pub async fn delete_motion(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    state
        .db
        .run(move |c| {
            access::chair_of_motion(c, &actor, id)?;
            svc::delete_motion(c, &hub, &actor, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set the running order: every motion of the conference, in the order they are to be taken.
#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RunningOrder,
    responses((status = 200, body = Vec<MotionView>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/conferences/{id}/order")]
pub async fn set_running_order(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<RunningOrder>,
) -> AppResult<web::Json<Vec<MotionView>>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    let list = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            svc::set_running_order(c, &hub, &actor, id, body.into_inner())
        })
        .await?;
    Ok(web::Json(list))
}
