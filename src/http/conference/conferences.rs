//! Conferences, representatives and who chairs them.

use super::*;

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
    let hub = state.hub.clone();
    let conf = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            svc::close_conference(c, &hub, &actor, id)
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

/// The conferences where the signed-in user is registered as a representative.
#[utoipa::path(tag = "conferences", security(("bearer" = [])),
    responses((status = 200, body = Vec<Conference>), (status = 401, body = Problem)))]
#[get("/me/conferences")]
pub async fn my_conferences(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<Vec<Conference>>> {
    let id = user.0.id;
    Ok(web::Json(state.db.run(move |c| svc::conferences_of(c, id)).await?))
}
