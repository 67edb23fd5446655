//! Indicative ballots: officers manage, the scrutineer reads, members vote, anyone recounts.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::ballot::status::BallotStatus;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::extract::{AuthUser, MaybeUser};
use crate::services::auth::Role;
use crate::services::ballots::{
    self as svc, BallotView, CheckpointView, NewBallot, Opened, Receipt, ResultsView, RollImportResult, SignoffRequest,
    Turnout,
};
use crate::services::{access, audit_log, mail, reminders, AppState};

type Problem = crate::error::Problem;

const OFFICER: &[Role] = &[Role::Officer];
const OVERSIGHT: &[Role] = &[Role::Officer, Role::Scrutineer];

#[utoipa::path(tag = "ballots", security(("bearer" = [])), request_body = NewBallot,
    responses((status = 201, body = BallotView), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[post("/ballots")]
pub async fn create_ballot(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewBallot>,
) -> AppResult<HttpResponse> {
    let actor = user.require(OFFICER)?.clone();
    let b = state.db.run(move |c| svc::create_ballot(c, &actor, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(b))
}

/// Replace a draft ballot's definition (refused once open).
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NewBallot,
    responses((status = 200, body = BallotView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[put("/ballots/{id}")]
pub async fn update_ballot(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<NewBallot>,
) -> AppResult<web::Json<BallotView>> {
    let actor = user.require(OFFICER)?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::officer_of(c, &actor, id)?;
                svc::update_ballot(c, &actor, id, body.into_inner())
            })
            .await?,
    ))
}

#[utoipa::path(tag = "ballots", responses((status = 200, body = Vec<BallotView>)))]
#[get("/ballots")]
pub async fn list_ballots(state: web::Data<AppState>, viewer: MaybeUser) -> AppResult<web::Json<Vec<BallotView>>> {
    let viewer = viewer.0;
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                let mut out = Vec::new();
                for b in svc::list_ballots(c)? {
                    // Drafts only for their officers and the scrutineer.
                    if b.status != BallotStatus::Draft || access::sees_draft(c, viewer.as_ref(), b.id)? {
                        out.push(b);
                    }
                }
                Ok(out)
            })
            .await?,
    ))
}

/// A ballot's definition and status (what a voter sees before voting). A draft is shown only to its
/// officers and the scrutineer.
#[utoipa::path(tag = "ballots", params(("id" = i64, Path)),
    responses((status = 200, body = BallotView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/ballots/{id}")]
pub async fn get_ballot(
    state: web::Data<AppState>,
    viewer: MaybeUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<BallotView>> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::may_read_ballot(c, viewer.0.as_ref(), id)?;
                svc::get_ballot(c, id)
            })
            .await?,
    ))
}

/// Import the electoral roll: CSV with the header membership_no,name,email,lmc,role. Bad lines are
/// reported with their line numbers; the rest are added.
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = RollImportResult), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem)))]
#[post("/ballots/{id}/roll")]
pub async fn import_roll(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<web::Json<RollImportResult>> {
    let actor = user.require(OFFICER)?.clone();
    let ct = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !(ct.starts_with("text/csv") || ct.starts_with("text/plain") || ct.starts_with("application/csv")) {
        return Err(AppError::new(ErrorCode::UnsupportedMediaType, "send the roll as text/csv"));
    }
    let body = crate::http::read_body(payload, crate::http::CSV_LIMIT).await?;
    let text = String::from_utf8(body.to_vec()).map_err(|e| {
        AppError::new(
            ErrorCode::InvalidCsv,
            format!("the CSV is not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        )
    })?;
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::officer_of(c, &actor, id)?;
                svc::import_roll(c, &actor, id, &text)
            })
            .await?,
    ))
}

/// Open the ballot: the roll freezes, N is fixed, and every voter is sent one invitation with a code.
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Opened), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/ballots/{id}/open")]
pub async fn open_ballot(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<Opened>> {
    let actor = user.require(OFFICER)?.clone();
    let id = id.into_inner();
    let st = state.clone();
    let opened = state
        .db
        .run(move |c| {
            access::officer_of(c, &actor, id)?;
            svc::open_ballot(c, &actor.email, st.tokens.keys(), id)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(web::Json(opened))
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CastRequest {
    /// The voting code from the invitation (or sign in as a member on the roll instead).
    pub code: Option<String>,
    /// Positional: answers[i] answers questions[i]: "yes"/"no", an option's text, or an array of option texts.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub answers: Vec<serde_json::Value>,
    /// End-to-end ballots instead of `code` and `answers`: the Belenios ballot (`carried ballot encrypt`, or
    /// the voting page), signed with the voter's credential (docs/e2e.md).
    #[schema(value_type = Option<Object>)]
    pub ballot: Option<serde_json::Value>,
}

/// Cast a ballot, once, with a voting code or as a signed-in member on the roll. 201 means the ballot is
/// durably recorded; the receipt finds it in the published record. End-to-end ballots send `{"ballot": …}`
/// (a Belenios ballot): every proof and the credential are checked, and the receipt is the ballot's tracker;
/// a second ballot for a credential gets 409, a credential not on the list 403, a refused proof 422.
#[utoipa::path(tag = "ballots", params(("id" = i64, Path)), request_body = CastRequest,
    responses((status = 201, body = Receipt), (status = 403, description = "the code is not valid for this ballot", body = Problem),
        (status = 409, description = "already voted, or the ballot is not open", body = Problem), (status = 422, body = Problem)))]
#[post("/ballots/{id}/votes")]
pub async fn cast(
    state: web::Data<AppState>,
    voter: MaybeUser,
    id: web::Path<i64>,
    body: web::Json<CastRequest>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let CastRequest { code, answers, ballot } = body.into_inner();
    if let Some(ballot) = ballot {
        if code.is_some() || !answers.is_empty() {
            return Err(AppError::validation(
                "an end-to-end ballot is sent alone: {\"ballot\": …}, without code or answers",
            ));
        }
        let receipt = crate::services::e2e::cast_encrypted(&state, id, ballot).await?;
        return Ok(HttpResponse::Created().json(receipt));
    }
    use crate::services::vote_writer::VoterId;
    let voter = match (code, voter.0) {
        (Some(code), _) => VoterId::Code(code),
        (None, Some(user)) => {
            let uid = user.id;
            if !state.db.run(move |c| crate::services::auth::email_proven(c, uid)).await? {
                return Err(AppError::forbidden(
                    "to vote signed in, your account must be one you activated through the link emailed to you; \
                     otherwise vote with the code from your invitation",
                ));
            }
            VoterId::Member(user)
        }
        (None, None) => {
            return Err(AppError::new(
                ErrorCode::Unauthenticated,
                "give your voting code, or sign in as a member on the roll",
            ))
        }
    };
    let receipt = state.votes.cast(id, voter, answers).await?;
    Ok(HttpResponse::Created().json(receipt))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TurnoutQuery {
    /// json (default), or csv: turnout by LMC area as a spreadsheet, small groups hidden as in the results.
    pub format: Option<String>,
}

/// Live turnout, overall and by LMC area and role. Never results.
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path), TurnoutQuery),
    responses((status = 200, body = Turnout), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[get("/ballots/{id}/turnout")]
pub async fn turnout(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    q: web::Query<TurnoutQuery>,
) -> AppResult<HttpResponse> {
    let viewer = user.require(OVERSIGHT)?.clone();
    let id = id.into_inner();
    match q.format.as_deref() {
        None | Some("json") => {}
        Some("csv") => return crate::http::roll::turnout_csv(&state, viewer, id).await,
        Some(other) => return Err(AppError::bad_request(format!("format: {other:?} is not json or csv"))),
    }
    Ok(HttpResponse::Ok().json(
        state
            .db
            .run(move |c| {
                access::oversees(c, &viewer, id)?;
                svc::turnout(c, id)
            })
            .await?,
    ))
}

/// The record's current length and head hash, while open. Save it: a later record must extend it.
#[utoipa::path(tag = "ballots", params(("id" = i64, Path)), responses((status = 200, body = CheckpointView), (status = 409, body = Problem)))]
#[get("/ballots/{id}/checkpoint")]
pub async fn checkpoint(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<CheckpointView>> {
    let id = id.into_inner();
    let st = state.clone();
    Ok(web::Json(state.db.run(move |c| svc::checkpoint(c, st.tokens.keys(), id)).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RemindQuery {
    /// Send even though a round went within the last hour.
    pub force: Option<bool>,
}

/// Queue a reminder to everyone who has not voted. 409 if a round went within the hour, unless forced.
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path), RemindQuery),
    responses((status = 200, description = "reminders queued", body = Object), (status = 403, body = Problem), (status = 409, description = "not open, or a round went within the hour", body = Problem)))]
#[post("/ballots/{id}/remind")]
pub async fn remind(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    q: web::Query<RemindQuery>,
) -> AppResult<HttpResponse> {
    let actor = user.require(OFFICER)?.clone();
    let id = id.into_inner();
    let force = q.force.unwrap_or(false);
    let n = state
        .db
        .run(move |c| {
            access::officer_of(c, &actor, id)?;
            svc::send_reminders(c, &actor, id, force)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Ok().json(serde_json::json!({"reminders_queued": n})))
}

/// How many reminders would go now, and when the last round went (officer, scrutineer).
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = reminders::ReminderStatus), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/ballots/{id}/reminders")]
pub async fn reminder_status(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<reminders::ReminderStatus>> {
    let viewer = user.require(OVERSIGHT)?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::oversees(c, &viewer, id)?;
                reminders::status(c, id)
            })
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resend {
    pub membership_no: String,
}

/// Resend one voter's invitation (the same code).
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Resend,
    responses((status = 202), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/ballots/{id}/resend")]
pub async fn resend(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<Resend>,
) -> AppResult<HttpResponse> {
    let actor = user.require(OFFICER)?.clone();
    let id = id.into_inner();
    state
        .db
        .run(move |c| {
            access::officer_of(c, &actor, id)?;
            svc::resend_invitation(c, &actor, id, &body.membership_no)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Accepted().finish())
}

#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = BallotView), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/ballots/{id}/close")]
pub async fn close(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<web::Json<BallotView>> {
    let actor = user.require(OFFICER)?.clone();
    let id = id.into_inner();
    let st = state.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::officer_of(c, &actor, id)?;
                svc::close_ballot(c, &actor.email, st.tokens.keys(), id)
            })
            .await?,
    ))
}

#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = BallotView), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/ballots/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<BallotView>> {
    let actor = user.require(OFFICER)?.clone();
    let id = id.into_inner();
    let url = state.settings.public_url.clone();
    let b = state
        .db
        .run(move |c| {
            access::officer_of(c, &actor, id)?;
            svc::publish_results(c, &actor, &url, id)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(web::Json(b))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ResultsQuery {
    /// json (default), csv, or svg (with `question`, 1-based).
    pub format: Option<String>,
    pub question: Option<usize>,
}

/// Results once the ballot has closed (409 before): counts and shares per question, turnout, the
/// statutory threshold tests (as information), and breakdowns with small groups suppressed.
#[utoipa::path(tag = "ballots", params(("id" = i64, Path), ResultsQuery),
    responses((status = 200, body = ResultsView), (status = 409, description = "not closed yet", body = Problem), (status = 404, body = Problem)))]
#[get("/ballots/{id}/results")]
pub async fn results(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<ResultsQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let th = state.settings.thresholds;
    let r = state.db.run(move |c| svc::results(c, id, th)).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(HttpResponse::Ok().json(r)),
        Some("csv") => {
            Ok(HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(crate::ballot::results_csv(&r.results)))
        }
        Some("svg") => {
            let n = q.question.unwrap_or(1);
            let question = r
                .results
                .questions
                .get(n.wrapping_sub(1))
                .ok_or_else(|| AppError::bad_request(format!("question: {n} is not a question of this ballot")))?;
            Ok(HttpResponse::Ok().content_type("image/svg+xml").body(crate::ballot::results_svg(question, &r.title)))
        }
        Some(other) => Err(AppError::bad_request(format!("format: {other:?} is not json, csv or svg"))),
    }
}

/// The signed, hash-chained record of a closed ballot: anyone can recount it (`carried verify`).
#[utoipa::path(tag = "audit", params(("id" = i64, Path)),
    responses((status = 200, description = "the record (docs/audit.md)", body = Object), (status = 409, body = Problem), (status = 404, body = Problem)))]
#[get("/ballots/{id}/record")]
pub async fn record(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<serde_json::Value>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::record(c, id)).await?))
}

/// The scrutineer signs off the result sheet of a closed ballot; the record then carries the sign-off.
#[utoipa::path(tag = "audit", security(("bearer" = [])), params(("id" = i64, Path)), request_body = SignoffRequest,
    responses((status = 200, description = "the re-signed record", body = Object), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/ballots/{id}/signoff")]
pub async fn sign_off(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<SignoffRequest>,
) -> AppResult<web::Json<serde_json::Value>> {
    let scrutineer = user.require(&[Role::Scrutineer])?.clone();
    let id = id.into_inner();
    let st = state.clone();
    Ok(web::Json(state.db.run(move |c| svc::sign_off(c, &scrutineer, st.tokens.keys(), id, &body.statement)).await?))
}

#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = mail::OutboxStatus), (status = 403, body = Problem)))]
#[get("/ballots/{id}/mail")]
pub async fn mail_status(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<mail::OutboxStatus>> {
    let viewer = user.require(OVERSIGHT)?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::oversees(c, &viewer, id)?;
                mail::status(c, id)
            })
            .await?,
    ))
}

/// A ballot's officers (its officers, the scrutineer and admins may read).
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = access::Assigned), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/ballots/{id}/officers")]
pub async fn list_officers(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<access::Assigned>> {
    let viewer = user.require(&[Role::Officer, Role::Scrutineer, Role::Admin])?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                if !viewer.has(Role::Admin) {
                    access::oversees(c, &viewer, id)?;
                }
                access::officers(c, id)
            })
            .await?,
    ))
}

/// An admin sets a ballot's officers (each user must hold the officer role).
#[utoipa::path(tag = "ballots", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = crate::http::conference::AssignUsers,
    responses((status = 200, body = access::Assigned), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[put("/ballots/{id}/officers")]
pub async fn set_officers(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<crate::http::conference::AssignUsers>,
) -> AppResult<web::Json<access::Assigned>> {
    let admin = user.require(&[Role::Admin])?.clone();
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| access::set_officers(c, &admin, id, &body.user_ids)).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    pub algorithm: &'static str,
    /// Hex of the ed25519 public key that signs ballot records.
    pub public_key: String,
}

/// The public key that signs published ballot records.
#[utoipa::path(tag = "audit", responses((status = 200, body = PublicKey)))]
#[get("/keys/record-signing")]
pub async fn signing_key(state: web::Data<AppState>) -> web::Json<PublicKey> {
    let key = crate::audit::key_from_seed(state.tokens.keys().signing_key);
    web::Json(PublicKey { algorithm: "ed25519", public_key: crate::audit::public_key_hex(&key) })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LogQuery {
    /// Entries after this sequence number.
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

/// The hash-chained audit log of officer, chair and admin actions (scrutineer and admin).
#[utoipa::path(tag = "audit", security(("bearer" = [])), params(LogQuery),
    responses((status = 200, body = Vec<audit_log::LogRow>), (status = 403, body = Problem)))]
#[get("/audit-log")]
pub async fn audit_log_entries(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<LogQuery>,
) -> AppResult<web::Json<Vec<audit_log::LogRow>>> {
    user.require(&[Role::Scrutineer, Role::Admin])?;
    let after = q.after.unwrap_or(0);
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    Ok(web::Json(state.db.run(move |c| audit_log::list(c, after, limit)).await?))
}
