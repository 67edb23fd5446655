//! End-to-end ballots (docs/e2e.md): trustees' keys and partial decryptions, the election, the encrypted
//! tally and the Belenios record. Casting goes through `POST /ballots/{id}/votes` (http/ballots.rs).

use actix_web::{get, post, web, HttpResponse};

use crate::error::AppResult;
use crate::http::extract::{AuthUser, MaybeUser};
use crate::services::e2e::{self as svc, TrusteesView};
use crate::services::AppState;

type Problem = crate::error::Problem;

/// A trustee of this end-to-end ballot uploads their public key: a Belenios `trustee_public_key` as
/// `carried trustee keygen --out KEY.json` prints it. Its proof of knowledge and group membership are
/// checked. Only while the ballot is a draft (a new upload replaces the trustee's earlier key).
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Object, description = "a Belenios trustee_public_key {\"pok\":{\"challenge\",\"response\"},\"public_key\"}"),
    responses((status = 201, body = TrusteesView), (status = 403, description = "not a trustee of this ballot", body = Problem),
        (status = 409, description = "not an end-to-end ballot, or already open", body = Problem),
        (status = 422, description = "the key is not in the group, or its proof does not verify", body = Problem)))]
#[post("/ballots/{id}/trustee-key")]
pub async fn upload_trustee_key(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let user = user.0.clone();
    let id = id.into_inner();
    let v = state.db.run(move |c| svc::upload_key(c, &user, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(v))
}

/// The trustees of an end-to-end ballot: who has uploaded a key, and after close who has decrypted.
/// Anyone who may read the ballot, and its trustees (also while it is a draft).
#[utoipa::path(tag = "end-to-end", params(("id" = i64, Path)),
    responses((status = 200, body = TrusteesView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "not an end-to-end ballot", body = Problem)))]
#[get("/ballots/{id}/trustees")]
pub async fn trustees(state: web::Data<AppState>, viewer: MaybeUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .db
        .run(move |c| {
            svc::may_see_trustees(c, viewer.0.as_ref(), id)?;
            svc::trustees(c, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The Belenios election of an open (or closed) end-to-end ballot, byte for byte as published: its
/// fingerprint (the ballots' `election_hash`) is the Base64 SHA-256 of exactly this body.
#[utoipa::path(tag = "end-to-end", params(("id" = i64, Path)),
    responses((status = 200, description = "the Belenios 2.0 election JSON", body = Object),
        (status = 404, body = Problem), (status = 409, description = "not end to end, or not open yet", body = Problem)))]
#[get("/ballots/{id}/election")]
pub async fn election(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let raw = state.db.run(move |c| svc::election(c, id)).await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(raw))
}

/// The encrypted tally of a closed end-to-end ballot (the product of the counted ballots), as one object
/// that `carried trustee decrypt --key KEY.json --tally THIS.json` reads alone:
/// `{"election", "election_hash", "encrypted_tally" (Belenios's form), "num_tallied", "total_weight"}`.
#[utoipa::path(tag = "end-to-end", params(("id" = i64, Path)),
    responses((status = 200, description = "the encrypted tally with its election", body = Object),
        (status = 404, body = Problem), (status = 409, description = "not end to end, or not closed", body = Problem)))]
#[get("/ballots/{id}/encrypted-tally")]
pub async fn encrypted_tally(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let body = state.db.run(move |c| svc::encrypted_tally(c, id)).await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(body))
}

/// A trustee uploads their partial decryption of the encrypted tally (as `carried trustee decrypt`
/// prints it); its proofs are checked against the trustee's key. When every trustee's is in, the result
/// is decrypted and GET /results has it (as for any ballot: turnout, shares, thresholds).
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Object, description = "a Belenios partial_decryption {\"decryption_factors\",\"decryption_proofs\"}"),
    responses((status = 201, body = TrusteesView), (status = 403, description = "not a trustee of this ballot", body = Problem),
        (status = 409, description = "not end to end, not closed, or already uploaded", body = Problem),
        (status = 422, description = "a proof does not verify", body = Problem)))]
#[post("/ballots/{id}/partial-decryptions")]
pub async fn upload_partial_decryption(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let user = user.0.clone();
    let id = id.into_inner();
    let v = state.db.run(move |c| svc::upload_partial_decryption(c, &user, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(v))
}

/// The Belenios 2.0 record (`.bel`) of a closed end-to-end ballot: the election, trustees, public
/// credentials, every ballot, the end of ballots, the encrypted tally, the partial decryptions and the
/// result (once decrypted). `belenios-tool election verify` and `carried verify` check it.
#[utoipa::path(tag = "end-to-end", params(("id" = i64, Path)),
    responses((status = 200, description = "the archive", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = Problem), (status = 409, description = "not end to end, or not closed", body = Problem)))]
#[get("/ballots/{id}/record.bel")]
pub async fn record_bel(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let bytes = state.db.run(move |c| svc::record_bel(c, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"ballot-{id}.bel\"")))
        .body(bytes))
}
