//! Polls: opening, voting, one's own vote, closing; live progress.

use super::*;

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
    let hub = state.hub.clone();
    let p = state
        .db
        .run(move |c| {
            access::chair_of_motion(c, &actor, id)?;
            svc::open_poll(c, &hub, &actor, id, body.into_inner())
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
    let hub = state.hub.clone();
    let p = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            svc::open_en_bloc(c, &hub, &actor, id, body.into_inner())
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
    let p = svc::vote_in_hall(state.into_inner(), voter, id, choice).await?;
    Ok(web::Json(VoteAck { poll_id: p.id, choice, votes_cast: p.votes_cast }))
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
    let hub = state.hub.clone();
    let declaration = body.map(|b| b.into_inner());
    let p = state
        .db
        .run(move |c| {
            access::chair_of_poll(c, &actor, id)?;
            svc::close_poll(c, &hub, &actor, id, declaration)
        })
        .await?;
    Ok(web::Json(p))
}
