//! Applying a carried agenda-committee motion about the agenda ("that item 217 be an 'A' motion"), and
//! putting an imported amendment or rider to the vote on the motion it amends.

use actix_web::{post, web, HttpResponse};

use crate::error::AppResult;
use crate::http::extract::AuthUser;
use crate::services::auth::Role;
use crate::services::committee::{self as svc, ApplyOptions, CommitteeApply};
use crate::services::conference::PollView;
use crate::services::linked_items::{self as linked, PutItem, PutOptions, PutPreview};
use crate::services::{access, AppState};

type Problem = crate::error::Problem;

/// Apply a carried agenda-committee motion to the items it names: "that item 217 be an 'A' motion", "…
/// be moved to (or out of) the grey section", "… be starred", "… be taken in parts", "… be withdrawn".
/// Recorded in the audit log; once only. With `?dry_run=true`, says what it would do and changes nothing
/// (the motion need not be carried yet).
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path), ApplyOptions),
    responses((status = 200, body = CommitteeApply), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/motions/{id}/apply")]
pub async fn apply_committee_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    query: web::Query<ApplyOptions>,
) -> AppResult<web::Json<CommitteeApply>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let options = query.into_inner();
    let hub = state.hub.clone();
    let out = state
        .db
        .run(move |c| {
            access::chair_of_motion(c, &actor, id)?;
            svc::apply_committee_motion(c, &hub, &actor, id, options)
        })
        .await?;
    Ok(web::Json(out))
}

/// Put an imported amendment or rider to the vote on the motion it amends (the item its `amends` names):
/// an amendment with the part (or stem) as amended, a rider with its new part, read from the item as
/// printed unless `text` (and `part`) are given. When the poll closes the item is CARRIED or LOST; when it
/// is voided, undecided again. With `?dry_run=true`, says what would be put, on which motion (201: the
/// poll; 200: the dry run).
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path), PutOptions), request_body = PutItem,
    responses((status = 201, body = PollView), (status = 200, description = "a dry run", body = PutPreview),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
#[post("/motions/{id}/put")]
pub async fn put_item(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    query: web::Query<PutOptions>,
    body: web::Json<PutItem>,
) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let dry_run = query.dry_run;
    let hub = state.hub.clone();
    let out = state
        .db
        .run(move |c| {
            access::chair_of_motion(c, &actor, id)?;
            linked::put_item(c, &hub, &actor, id, body.into_inner(), dry_run)
        })
        .await?;
    Ok(match out {
        Ok(p) => HttpResponse::Created().json(p),
        Err(preview) => HttpResponse::Ok().json(preview),
    })
}
