//! Speakers and time: the queue of representatives asking to speak, the speaker called, the speech's
//! clock, and the conference's speaking rules. The service sends every change out as a `speakers_updated`
//! live event carrying the public view (what the projector shows), so every screen counts down from the
//! same server reading.

use actix_web::{get, post, put, web, HttpResponse};

use crate::error::AppResult;
use crate::http::extract::{AuthUser, MaybeUser};
use crate::procedure::speakers::SpeakingRules;
use crate::services::auth::Role;
use crate::services::speakers::{
    self as svc, AskToSpeak, CallSpeaker, ClockControl, Debate, RulesUpdate, SpeakersView,
};
use crate::services::{access, AppState};

type Problem = crate::error::Problem;

/// The debate on the motion in hand: who is speaking and their clock, the queue in the order it will be
/// called, who has spoken, and the speaking rules. Public (the projector shows it); a signed-in
/// representative also learns which request is theirs.
#[utoipa::path(tag = "speakers", params(("id" = i64, Path)),
    responses((status = 200, body = SpeakersView), (status = 401, body = Problem), (status = 404, body = Problem)))]
#[get("/conferences/{id}/speakers")]
pub async fn speakers(
    state: web::Data<AppState>,
    viewer: MaybeUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<SpeakersView>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::view(c, viewer.0.as_ref(), id)).await?))
}

/// The conference's speaking rules: the time limits of its standing orders and whether first-time
/// speakers are called first.
#[utoipa::path(tag = "speakers", params(("id" = i64, Path)),
    responses((status = 200, body = SpeakingRules), (status = 404, body = Problem)))]
#[get("/conferences/{id}/settings/speakers")]
pub async fn get_rules(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<SpeakingRules>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::rules(c, id)).await?))
}

/// The chair sets the speaking rules (fields left out keep their value; limits 10 to 3600 seconds).
#[utoipa::path(tag = "speakers", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RulesUpdate,
    responses((status = 200, body = SpeakingRules), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[put("/conferences/{id}/settings/speakers")]
pub async fn set_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<RulesUpdate>,
) -> AppResult<web::Json<SpeakingRules>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of(c, &actor, id)?;
                svc::set_rules(c, &hub, &actor, id, body.into_inner())
            })
            .await?,
    ))
}

/// The chair opens the debate on a motion (`{"motion_id": 12}`), or stops taking speakers (`null`). The
/// speech being made ends; requests waiting on another motion lapse.
#[utoipa::path(tag = "speakers", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Debate,
    responses((status = 200, body = SpeakersView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/conferences/{id}/speakers/debate")]
pub async fn open_debate(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<Debate>,
) -> AppResult<web::Json<SpeakersView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of(c, &actor, id)?;
                svc::open_debate(c, &hub, &actor, id, body.into_inner())
            })
            .await?,
    ))
}

/// A representative asks to speak for or against the motion in hand (one request at a time per motion).
#[utoipa::path(tag = "speakers", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AskToSpeak,
    responses((status = 201, body = SpeakersView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "the chair is not taking speakers on this motion, or you have already asked", body = Problem)))]
#[post("/motions/{id}/speakers")]
pub async fn ask(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<AskToSpeak>,
) -> AppResult<HttpResponse> {
    let who = user.0.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    let v = state.db.run(move |c| svc::ask(c, &hub, &who, id, body.into_inner())).await?;
    Ok(HttpResponse::Created().json(v))
}

/// Withdraw a request to speak that is still waiting: the representative who made it, or the chair.
#[utoipa::path(tag = "speakers", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SpeakersView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/speakers/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<SpeakersView>> {
    let who = user.0.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    Ok(web::Json(state.db.run(move |c| svc::withdraw(c, &hub, &who, id)).await?))
}

/// The chair calls a speaker: `{}` the first in the queue, `{"request_id": 7}` any in the queue,
/// `{"kind": "proposer"}` or `{"kind": "reply"}` the proposer (limits as the rules say). The speech being
/// made ends; the new clock waits for the chair to start it.
#[utoipa::path(tag = "speakers", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CallSpeaker,
    responses((status = 200, body = SpeakersView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/conferences/{id}/speakers/call")]
pub async fn call(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<CallSpeaker>,
) -> AppResult<web::Json<SpeakersView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of(c, &actor, id)?;
                svc::call(c, &hub, &actor, id, body.into_inner())
            })
            .await?,
    ))
}

/// The chair starts (`{"running": true}`) or stops (`{"running": false}`) the current speaker's clock.
#[utoipa::path(tag = "speakers", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ClockControl,
    responses((status = 200, body = SpeakersView), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/conferences/{id}/speakers/timer")]
pub async fn timer(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<ClockControl>,
) -> AppResult<web::Json<SpeakersView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of(c, &actor, id)?;
                svc::set_clock(c, &hub, &actor, id, body.into_inner())
            })
            .await?,
    ))
}

/// The chair ends the speech being made (the speaker has been heard).
#[utoipa::path(tag = "speakers", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SpeakersView), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/conferences/{id}/speakers/end")]
pub async fn end(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<web::Json<SpeakersView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of(c, &actor, id)?;
                svc::end_speech(c, &hub, &actor, id)
            })
            .await?,
    ))
}
