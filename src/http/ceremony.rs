//! The threshold key ceremony of an end-to-end ballot (docs/e2e.md, "Threshold trustees"): the trustees post
//! each step's signed and encrypted messages, the service checks and relays them.

use actix_web::{get, post, web, HttpResponse};

use crate::error::AppResult;
use crate::http::extract::{AuthUser, MaybeUser};
use crate::services::access;
use crate::services::auth::Role;
use crate::services::e2e::threshold::{self as svc, CeremonyView, Restart};
use crate::services::AppState;

type Problem = crate::error::Problem;

const TRUSTEE: &[Role] = &[Role::Trustee];
const OFFICER: &[Role] = &[Role::Officer];

/// The key ceremony of a ballot with threshold trustees: its step, who is still to act, the certificates
/// once every one is in, and `threshold.json` once complete. Anyone who may read the ballot, and its
/// trustees (also while it is a draft).
#[utoipa::path(tag = "end-to-end", params(("id" = i64, Path)),
    responses((status = 200, body = CeremonyView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "not a ballot with threshold trustees", body = Problem)))]
#[get("/ballots/{id}/ceremony")]
pub async fn ceremony(state: web::Data<AppState>, viewer: MaybeUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .db
        .run(move |c| {
            crate::services::e2e::may_see_trustees(c, viewer.0.as_ref(), id)?;
            svc::ceremony(c, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Step 1: a trustee of this ballot posts their certificate, as `carried trustee threshold-cert` prints it.
/// Its signature is checked with its own key; a trustee may replace theirs until every certificate is in.
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Object, description = "a Belenios certificate {\"message\",\"signature\":{\"challenge\",\"response\"}}"),
    responses((status = 201, body = CeremonyView), (status = 403, description = "not a trustee of this ballot", body = Problem),
        (status = 409, description = "not a draft with threshold trustees, the ceremony is at another step, or the keys are another trustee's", body = Problem),
        (status = 422, description = "the certificate does not parse or its signature does not verify", body = Problem)))]
#[post("/ballots/{id}/ceremony/certificate")]
pub async fn post_certificate(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let user = user.require(TRUSTEE)?.clone();
    let id = id.into_inner();
    let v = state.db.run(move |c| svc::post_certificate(c, &user, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(v))
}

/// Step 3: a trustee posts their polynomial, as `carried trustee threshold-polynomial` prints it, once
/// every certificate is in: a share for each trustee and commitments signed with their certificate's key,
/// as many as the threshold.
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Object, description = "a Belenios step-3 polynomial {\"polynomial\",\"secrets\",\"coefexps\"}"),
    responses((status = 201, body = CeremonyView), (status = 403, description = "not a trustee of this ballot", body = Problem),
        (status = 409, description = "not a draft with threshold trustees, or the ceremony is at another step", body = Problem),
        (status = 422, description = "the polynomial is refused (named)", body = Problem)))]
#[post("/ballots/{id}/ceremony/polynomial")]
pub async fn post_polynomial(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let user = user.require(TRUSTEE)?.clone();
    let id = id.into_inner();
    let v = state.db.run(move |c| svc::post_polynomial(c, &user, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(v))
}

/// Step 4 (the service's): the calling trustee's verification input, made from every polynomial, for
/// `carried trustee threshold-voutput --vinput`.
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "a Belenios verification input {\"polynomial\",\"secrets\",\"coefexps\"}", body = Object),
        (status = 403, description = "not a trustee of this ballot", body = Problem),
        (status = 409, description = "not every polynomial is in yet", body = Problem)))]
#[get("/ballots/{id}/ceremony/vinput")]
pub async fn vinput(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let user = user.require(TRUSTEE)?.clone();
    let id = id.into_inner();
    let v = state.db.run(move |c| svc::vinput(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Step 5: a trustee posts their verification output, as `carried trustee threshold-voutput` prints it.
/// Its proof of knowledge is checked and its key must be the one the commitments give; with the last one
/// `threshold.json` is assembled and the ballot may open.
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Object, description = "a Belenios step-5 output {\"private_key\",\"public_key\"}"),
    responses((status = 201, body = CeremonyView), (status = 403, description = "not a trustee of this ballot", body = Problem),
        (status = 409, description = "not a draft with threshold trustees, or the ceremony is at another step", body = Problem),
        (status = 422, description = "the verification output is refused (named)", body = Problem)))]
#[post("/ballots/{id}/ceremony/voutput")]
pub async fn post_voutput(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let user = user.require(TRUSTEE)?.clone();
    let id = id.into_inner();
    let v = state.db.run(move |c| svc::post_voutput(c, &user, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(v))
}

/// The ballot's officer restarts its key ceremony (a draft only), optionally with other trustees (to replace
/// one who dropped out) or another threshold (`{}` keeps both): every earlier message is discarded (audit-logged).
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Restart,
    responses((status = 200, body = CeremonyView), (status = 403, body = Problem),
        (status = 409, description = "not a draft with threshold trustees", body = Problem),
        (status = 422, description = "a trustee or the threshold is not acceptable", body = Problem)))]
#[post("/ballots/{id}/ceremony/restart")]
pub async fn restart(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<Restart>,
) -> AppResult<HttpResponse> {
    let actor = user.require(OFFICER)?.clone();
    let id = id.into_inner();
    let body = body.into_inner();
    let v = state
        .db
        .run(move |c| {
            access::officer_of(c, &actor, id)?;
            svc::restart(c, &actor, id, body)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}
