//! The threshold key ceremony of an end-to-end ballot (docs/e2e.md, "Threshold trustees"): the trustees post
//! each step's signed and encrypted messages, the service checks and relays them.

use actix_web::{get, post, web, HttpResponse};

use crate::error::AppResult;
use crate::http::extract::{AuthUser, MaybeUser};
use crate::services::access;
use crate::services::auth::{Role, User};
use crate::services::e2e;
use crate::services::e2e::threshold::{self as svc, CeremonyView, Restart};
use crate::services::{AppState, DbConnection};

type Problem = crate::error::Problem;

const TRUSTEE: &[Role] = &[Role::Trustee];
const OFFICER: &[Role] = &[Role::Officer];

/// Runs on the blocking pool (never on an async worker) the `check` of `caller`'s right to ballot `id`,
/// then the request's one service `call`, with the same connection.
async fn on_ballot<U, T>(
    state: &AppState,
    caller: U,
    id: i64,
    check: fn(&mut DbConnection, &U, i64) -> AppResult<()>,
    call: impl FnOnce(&mut DbConnection, &U, i64) -> AppResult<T> + Send + 'static,
) -> AppResult<T>
where
    U: Send + 'static,
    T: Send + 'static,
{
    state
        .db
        .run(move |c| {
            check(c, &caller, id)?;
            call(c, &caller, id)
        })
        .await
}

/// A trustee's step: holding the trustee role is checked on the request, and that the caller is one of this
/// ballot's trustees the step checks itself (after its 404 and 409 for a ballot that is not a threshold
/// one, and for a post inside its write transaction), so nothing is checked before it.
fn trustee_checked_by_the_step(_: &mut DbConnection, _: &User, _: i64) -> AppResult<()> {
    Ok(())
}

/// The key ceremony of a ballot with threshold trustees: its step, who is still to act, the certificates
/// once every one is in, and `threshold.json` once complete. Anyone who may read the ballot, and its
/// trustees (also while it is a draft).
#[utoipa::path(tag = "end-to-end", params(("id" = i64, Path)),
    responses((status = 200, body = CeremonyView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "not a ballot with threshold trustees", body = Problem)))]
#[get("/ballots/{id}/ceremony")]
pub async fn ceremony(state: web::Data<AppState>, viewer: MaybeUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let may_see = |c: &mut _, viewer: &Option<User>, id| e2e::may_see_trustees(c, viewer.as_ref(), id);
    let view = on_ballot(&state, viewer.0, *id, may_see, |c, _, id| svc::ceremony(c, id)).await?;
    Ok(HttpResponse::Ok().json(view))
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
    let (trustee, body) = (user.require(TRUSTEE)?.clone(), body.into_inner());
    let step = move |c: &mut _, t: &_, id| svc::post_certificate(c, t, id, body);
    let view = on_ballot(&state, trustee, *id, trustee_checked_by_the_step, step).await?;
    Ok(HttpResponse::Created().json(view))
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
    let (trustee, body) = (user.require(TRUSTEE)?.clone(), body.into_inner());
    let step = move |c: &mut _, t: &_, id| svc::post_polynomial(c, t, id, body);
    let view = on_ballot(&state, trustee, *id, trustee_checked_by_the_step, step).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Step 4 (the service's): the calling trustee's verification input, made from every polynomial, for
/// `carried trustee threshold-voutput --vinput`.
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "a Belenios verification input {\"polynomial\",\"secrets\",\"coefexps\"}", body = Object),
        (status = 403, description = "not a trustee of this ballot", body = Problem),
        (status = 409, description = "not every polynomial is in yet", body = Problem)))]
#[get("/ballots/{id}/ceremony/vinput")]
pub async fn vinput(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let trustee = user.require(TRUSTEE)?.clone();
    let view = on_ballot(&state, trustee, *id, trustee_checked_by_the_step, svc::vinput).await?;
    Ok(HttpResponse::Ok().json(view))
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
    let (trustee, body) = (user.require(TRUSTEE)?.clone(), body.into_inner());
    let step = move |c: &mut _, t: &_, id| svc::post_voutput(c, t, id, body);
    let view = on_ballot(&state, trustee, *id, trustee_checked_by_the_step, step).await?;
    Ok(HttpResponse::Created().json(view))
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
    let (officer, body) = (user.require(OFFICER)?.clone(), body.into_inner());
    let restart = move |c: &mut _, o: &_, id| svc::restart(c, o, id, body);
    let view = on_ballot(&state, officer, *id, access::officer_of, restart).await?;
    Ok(HttpResponse::Ok().json(view))
}
