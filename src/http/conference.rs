//! Conferences, representatives, motions, polls, live events and the records.

use std::convert::Infallible;
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::http::extract::{AuthUser, MaybeUser};
use crate::procedure::{self, Choice, TakenAs};
use crate::services::access;
use crate::services::auth::Role;
use crate::services::conference::{
    self as svc, Conference, Declaration, MotionDecision, MotionMarks, MotionView, NewConference, NewMotion, NewPoll,
    PollView, Representative,
};
use crate::services::events::{self, Event};
use crate::services::AppState;

type Problem = crate::error::Problem;

/// How often an idle event stream says it is alive.
pub const PING_EVERY: Duration = Duration::from_secs(5);

fn publish(state: &AppState, c: &mut crate::db::DbConnection, conference_id: i64, kind: &str, data: serde_json::Value) {
    events::publish(&state.hub, c, Event { conference_id, kind: kind.to_string(), data });
}

#[utoipa::path(tag = "conferences", security(("bearer" = [])), request_body = NewConference,
    responses((status = 201, body = Conference), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[post("/conferences")]
pub async fn create_conference(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewConference>,
) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair, Role::Admin])?.clone();
    let c = state.db.run(move |c| svc::create_conference(c, &actor, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(c))
}

#[utoipa::path(tag = "conferences", responses((status = 200, body = Vec<Conference>)))]
#[get("/conferences")]
pub async fn list_conferences(state: web::Data<AppState>) -> AppResult<web::Json<Vec<Conference>>> {
    Ok(web::Json(state.db.run(svc::list_conferences).await?))
}

#[utoipa::path(tag = "conferences", params(("id" = i64, Path)), responses((status = 200, body = Conference), (status = 404, body = Problem)))]
#[get("/conferences/{id}")]
pub async fn get_conference(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<Conference>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::get_conference(c, id)).await?))
}

/// Give `email` (and `name` for someone without an account yet, who is emailed a link to set a
/// password), or the `user_id` of an account that is already a representative.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRepresentative {
    pub user_id: Option<i64>,
    pub email: Option<String>,
    pub name: Option<String>,
    /// The LMC the representative is registered for.
    pub lmc: String,
}

#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NewRepresentative,
    responses((status = 201, body = Representative), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/conferences/{id}/representatives")]
pub async fn add_representative(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<NewRepresentative>,
) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let b = body.into_inner();
    let url = state.settings.public_url.clone();
    let r = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            let who = match (b.user_id, b.email.as_deref()) {
                (Some(user_id), None) => svc::Registrant::UserId(user_id),
                (None, Some(email)) => svc::Registrant::Email { email, name: b.name.as_deref() },
                _ => return Err(AppError::validation("give either email (and name for a new account) or user_id")),
            };
            svc::add_representative(c, &actor, id, who, &b.lmc, &url)
        })
        .await?;
    Ok(HttpResponse::Created().json(r))
}

/// Register representatives in bulk from CSV (header name,email,lmc); new accounts get a one-time link
/// by email to set their password. Bad lines are reported with their line numbers.
#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = svc::RepresentativeImport), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[post("/conferences/{id}/representatives/import")]
pub async fn import_representatives(
    state: web::Data<AppState>,
    user: AuthUser,
    req: actix_web::HttpRequest,
    id: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<web::Json<svc::RepresentativeImport>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let ct = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !(ct.starts_with("text/csv") || ct.starts_with("text/plain")) {
        return Err(AppError::new(
            crate::error::ErrorCode::UnsupportedMediaType,
            "send the representatives as text/csv",
        ));
    }
    let body = crate::http::read_body(payload, crate::http::CSV_LIMIT).await?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::new(crate::error::ErrorCode::InvalidCsv, "the CSV is not valid UTF-8"))?;
    let id = id.into_inner();
    let url = state.settings.public_url.clone();
    let r = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            svc::import_representatives(c, &actor, id, &text, &url)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(web::Json(r))
}

#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Representative>), (status = 403, body = Problem)))]
#[get("/conferences/{id}/representatives")]
pub async fn list_representatives(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<Vec<Representative>>> {
    let viewer = user.require(&[Role::Chair, Role::Admin])?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                if !viewer.has(Role::Admin) {
                    access::chair_of(c, &viewer, id)?;
                }
                svc::list_representatives(c, id)
            })
            .await?,
    ))
}

#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NewMotion,
    responses((status = 201, body = MotionView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, description = "invalid, or the motion as printed cannot be read (the detail says where)", body = Problem)))]
#[post("/conferences/{id}/motions")]
pub async fn create_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<NewMotion>,
) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let m = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            svc::create_motion(c, &actor, id, body.into_inner())
        })
        .await?;
    Ok(HttpResponse::Created().json(m))
}

/// The agenda: every motion in order, with its marks and outcome.
#[utoipa::path(tag = "motions", params(("id" = i64, Path)), responses((status = 200, body = Vec<MotionView>), (status = 404, body = Problem)))]
#[get("/conferences/{id}/motions")]
pub async fn list_motions(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<Vec<MotionView>>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::list_motions(c, id)).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintedMotion {
    pub text: String,
}

/// Read a motion as printed without saving it (so the chair sees how it splits into parts).
#[utoipa::path(tag = "motions", security(("bearer" = [])), request_body = PrintedMotion,
    responses((status = 200, description = "proposer, stem and parts as read", body = Object), (status = 422, body = Problem)))]
#[post("/motions/parse")]
pub async fn parse_motion(user: AuthUser, body: web::Json<PrintedMotion>) -> AppResult<HttpResponse> {
    user.require(&[Role::Chair])?;
    let parsed = procedure::parse_printed_motion(&body.text).map_err(|e| {
        AppError::new(crate::error::ErrorCode::MotionUnreadable, format!("the motion could not be read: {e}"))
    })?;
    Ok(HttpResponse::Ok().json(parsed))
}

#[utoipa::path(tag = "motions", params(("id" = i64, Path)), responses((status = 200, body = MotionView), (status = 404, body = Problem)))]
#[get("/motions/{id}")]
pub async fn get_motion(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<MotionView>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::get_motion(c, id)).await?))
}

#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MotionMarks,
    responses((status = 200, body = MotionView), (status = 403, body = Problem)))]
#[post("/motions/{id}/marks")]
pub async fn set_marks(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<MotionMarks>,
) -> AppResult<web::Json<MotionView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of_motion(c, &actor, id)?;
                svc::set_marks(c, &actor, id, body.into_inner())
            })
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Take {
    /// "whole" or "parts".
    #[serde(rename = "as")]
    pub as_: TakenAs,
}

/// The chair takes the motion as a whole or in parts.
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Take,
    responses((status = 200, body = MotionView), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/motions/{id}/take")]
pub async fn take_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<Take>,
) -> AppResult<web::Json<MotionView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let st = state.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of_motion(c, &actor, id)?;
                let m = svc::take_motion(c, &actor, id, body.as_)?;
                publish(&st, c, m.conference_id, "motion_updated", serde_json::json!({"motion": m}));
                Ok(m)
            })
            .await?,
    ))
}

/// Record an outcome reached without a vote (withdrawn, not reached, next business, ruled out of order,
/// superseded, or an 'A'/'AR' motion carried).
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MotionDecision,
    responses((status = 200, body = MotionView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/motions/{id}/decide")]
pub async fn decide_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<MotionDecision>,
) -> AppResult<web::Json<MotionView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let st = state.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of_motion(c, &actor, id)?;
                let m = svc::decide_motion(c, &actor, id, body.outcome)?;
                publish(&st, c, m.conference_id, "motion_updated", serde_json::json!({"motion": m}));
                Ok(m)
            })
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FormatQuery {
    /// json (default) or text; for resolutions also md, csv, html.
    pub format: Option<String>,
}

/// "The motion in full": proposer line, stem, each part with its outcome and counts, the outcome text.
#[utoipa::path(tag = "motions", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, description = "JSON, or plain text with ?format=text", body = Object), (status = 404, body = Problem)))]
#[get("/motions/{id}/record")]
pub async fn motion_record(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<FormatQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db.run(move |c| svc::get_motion(c, id)).await?;
    let record = svc::motion_record(&view);
    match q.format.as_deref() {
        None | Some("json") => Ok(HttpResponse::Ok().json(serde_json::json!({
            "motion_id": view.id,
            "record": record,
            "text": procedure::render_text(&record),
        }))),
        Some("text") => {
            Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(procedure::render_text(&record)))
        }
        Some("md") | Some("markdown") => Ok(HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(procedure::render_markdown(&record))),
        Some(other) => Err(AppError::bad_request(format!("format: {other:?} is not json, text or md"))),
    }
}

#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the conference, closed; undecided motions are NOT REACHED", body = Conference), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/conferences/{id}/close")]
pub async fn close_conference(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<Conference>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let st = state.clone();
    let conf = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            let (conf, not_reached) = svc::close_conference(c, &actor, id)?;
            publish(&st, c, id, "conference_closed", serde_json::json!({"not_reached": not_reached}));
            Ok(conf)
        })
        .await?;
    Ok(web::Json(conf))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignUsers {
    /// The user ids to assign (each must hold the role); replaces the current list.
    pub user_ids: Vec<i64>,
}

/// Who chairs the conference (its chairs, and admins).
#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = access::Assigned), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/conferences/{id}/chairs")]
pub async fn list_chairs(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<access::Assigned>> {
    let viewer = user.require(&[Role::Chair, Role::Admin])?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                if !viewer.has(Role::Admin) {
                    access::chair_of(c, &viewer, id)?;
                }
                access::chairs(c, id)
            })
            .await?,
    ))
}

/// An admin sets who chairs the conference (each user must hold the chair role).
#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AssignUsers,
    responses((status = 200, body = access::Assigned), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[put("/conferences/{id}/chairs")]
pub async fn set_chairs(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<AssignUsers>,
) -> AppResult<web::Json<access::Assigned>> {
    let admin = user.require(&[Role::Admin])?.clone();
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| access::set_chairs(c, &admin, id, &body.user_ids)).await?))
}

// ---- polls -----------------------------------------------------------------------------------------

#[utoipa::path(tag = "polls", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NewPoll,
    responses((status = 201, body = PollView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/motions/{id}/polls")]
pub async fn open_poll(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<NewPoll>,
) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let st = state.clone();
    let p = state
        .db
        .run(move |c| {
            access::chair_of_motion(c, &actor, id)?;
            let p = svc::open_poll(c, &actor, id, body.into_inner())?;
            publish(&st, c, p.conference_id, "poll_opened", serde_json::json!({"poll": p}));
            Ok(p)
        })
        .await?;
    Ok(HttpResponse::Created().json(p))
}

/// Put the 'A' motions to one vote together; if carried, each is CARRIED.
#[utoipa::path(tag = "polls", security(("bearer" = [])), params(("id" = i64, Path)), request_body = svc::EnBloc,
    responses((status = 201, body = PollView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/conferences/{id}/a-motions")]
pub async fn open_en_bloc(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<svc::EnBloc>,
) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let st = state.clone();
    let p = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            let p = svc::open_en_bloc(c, &actor, id, body.into_inner())?;
            publish(&st, c, p.conference_id, "poll_opened", serde_json::json!({"poll": p}));
            Ok(p)
        })
        .await?;
    Ok(HttpResponse::Created().json(p))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PollsQuery {
    /// Only open polls (the current question).
    pub open: Option<bool>,
}

#[utoipa::path(tag = "polls", params(("id" = i64, Path), PollsQuery), responses((status = 200, body = Vec<PollView>), (status = 404, body = Problem)))]
#[get("/conferences/{id}/polls")]
pub async fn list_polls(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<PollsQuery>,
) -> AppResult<web::Json<Vec<PollView>>> {
    let id = id.into_inner();
    let only_open = q.open.unwrap_or(false);
    Ok(web::Json(state.db.run(move |c| svc::list_polls(c, id, only_open)).await?))
}

#[utoipa::path(tag = "polls", params(("id" = i64, Path)), responses((status = 200, body = PollView), (status = 404, body = Problem)))]
#[get("/polls/{id}")]
pub async fn get_poll(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<PollView>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::get_poll(c, id)).await?))
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    /// "for", "against" or "abstain".
    pub choice: Choice,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VoteAck {
    pub poll_id: i64,
    pub choice: Choice,
    /// Electronic votes cast so far in this poll.
    pub votes_cast: i64,
}

/// A representative votes (or changes their vote) while the poll is open. 200 means durably recorded.
#[utoipa::path(tag = "polls", security(("bearer" = [])), params(("id" = i64, Path)), request_body = VoteRequest,
    responses((status = 200, body = VoteAck), (status = 403, body = Problem), (status = 409, description = "the poll is closed", body = Problem)))]
#[post("/polls/{id}/votes")]
pub async fn cast_vote(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<VoteRequest>,
) -> AppResult<web::Json<VoteAck>> {
    let voter = user.0.clone();
    let id = id.into_inner();
    let choice = body.choice;
    let p = state.db.run(move |c| svc::cast_vote(c, &voter, id, choice)).await?;
    publish_progress(&state, p.id, p.conference_id, p.votes_cast);
    Ok(web::Json(VoteAck { poll_id: p.id, choice, votes_cast: p.votes_cast }))
}

/// Tell listeners how many votes are in, at most a few times a second (the last count always goes out).
fn publish_progress(state: &web::Data<AppState>, poll_id: i64, conference_id: i64, votes_cast: i64) {
    use crate::services::events::Throttled;
    let send = |state: web::Data<AppState>, delay: Option<Duration>| async move {
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        let st = state.clone();
        let _ = state
            .db
            .run(move |c| {
                let n = if delay.is_some() { svc::get_poll(c, poll_id)?.votes_cast } else { votes_cast };
                publish(
                    &st,
                    c,
                    conference_id,
                    "poll_progress",
                    serde_json::json!({"poll_id": poll_id, "votes_cast": n}),
                );
                Ok(())
            })
            .await;
        if delay.is_some() {
            state.progress.sent(poll_id);
        }
    };
    match state.progress.check(poll_id) {
        Throttled::Now => {
            actix_web::rt::spawn(send(state.clone(), None));
        }
        Throttled::After(d) => {
            actix_web::rt::spawn(send(state.clone(), Some(d)));
        }
        Throttled::Skip => {}
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MyVote {
    pub choice: Option<Choice>,
}

/// The signed-in representative's own vote in this poll.
#[utoipa::path(tag = "polls", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 200, body = MyVote), (status = 401, body = Problem)))]
#[get("/polls/{id}/my-vote")]
pub async fn my_vote(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<web::Json<MyVote>> {
    let voter = user.0.clone();
    let id = id.into_inner();
    Ok(web::Json(MyVote { choice: state.db.run(move |c| svc::my_vote(c, &voter, id)).await? }))
}

/// Close the poll: counts, the result by its majority rule, and the motion's outcome. Show-of-hands polls
/// take the chair's declaration as the body.
#[utoipa::path(tag = "polls", security(("bearer" = [])), params(("id" = i64, Path)), request_body(content = Option<Declaration>),
    responses((status = 200, body = PollView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/polls/{id}/close")]
pub async fn close_poll(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: Option<web::Json<Declaration>>,
) -> AppResult<web::Json<PollView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let st = state.clone();
    let declaration = body.map(|b| b.into_inner());
    let p = state
        .db
        .run(move |c| {
            access::chair_of_poll(c, &actor, id)?;
            let p = svc::close_poll(c, &actor, id, declaration)?;
            publish(&st, c, p.conference_id, "poll_closed", serde_json::json!({"poll": p}));
            Ok(p)
        })
        .await?;
    Ok(web::Json(p))
}

/// Live events for a conference as Server-Sent Events: `poll_opened`, `poll_progress` (votes cast so
/// far, never how anyone voted), `poll_closed` (counts and outcome), `motion_updated`, `conference_closed`.
#[utoipa::path(tag = "conferences", params(("id" = i64, Path)),
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream", body = String), (status = 404, body = Problem)))]
#[get("/conferences/{id}/events")]
pub async fn conference_events(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    _viewer: MaybeUser,
    req: actix_web::HttpRequest,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let slot = crate::http::streams::stream_slot(&req)?;
    state.db.run(move |c| svc::get_conference(c, id)).await?;
    let rx = state.hub.subscribe(id);
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if first {
            return Some((
                Ok::<_, Infallible>(Bytes::from_static(b"retry: 2000\nevent: ready\ndata: {}\n\n")),
                (rx, false),
            ));
        }
        // A named ping (not a comment, which pages cannot see) lets a page notice within seconds that
        // its connection died without closing (wifi gone, phone asleep) and reconnect.
        let frame = match tokio::time::timeout(PING_EVERY, rx.recv()).await {
            Err(_) => Bytes::from_static(b"event: ping\ndata: {}\n\n"),
            Ok(Ok(ev)) => Bytes::from(format!("event: {}\ndata: {}\n\n", ev.kind, ev.data)),
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {
                Bytes::from_static(b"event: resync\ndata: {}\n\n")
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return None,
        };
        Some((Ok(frame), (rx, false)))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(crate::http::streams::hold(slot, stream)))
}

/// Everything the representative's page and the projector show, in one answer: the open poll with its
/// wording, the caller's own vote in it, the last result, and the agenda (now, next, decided). Pages
/// fetch it whenever they (re)connect, so they catch up with what happened while they were away.
#[utoipa::path(tag = "conferences", params(("id" = i64, Path)),
    responses((status = 200, body = svc::HallState), (status = 401, body = Problem), (status = 404, body = Problem)))]
#[get("/conferences/{id}/hall")]
pub async fn hall_state(
    state: web::Data<AppState>,
    viewer: MaybeUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<svc::HallState>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::hall_state(c, viewer.0.as_ref(), id)).await?))
}

/// The conferences where the signed-in user is registered as a representative.
#[utoipa::path(tag = "conferences", security(("bearer" = [])),
    responses((status = 200, body = Vec<Conference>), (status = 401, body = Problem)))]
#[get("/me/conferences")]
pub async fn my_conferences(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<Conference>>> {
    let id = user.0.id;
    Ok(web::Json(state.db.run(move |c| svc::conferences_of(c, id)).await?))
}
