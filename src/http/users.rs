use actix_web::{delete, get, post, web, HttpResponse};
use serde::Deserialize;

use crate::error::AppResult;
use crate::http::extract::AuthUser;
use crate::services::auth::{self, NewUser, Role, User};
use crate::services::{accounts, AppState};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    /// At least 12 characters. Omit it to send the user a one-time link to set their own.
    pub password: Option<String>,
    pub roles: Vec<Role>,
}

/// Create an account (admin only).
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, body = User),
        (status = 403, body = crate::error::Problem),
        (status = 409, description = "email already used", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    admin: AuthUser,
    body: web::Json<CreateUser>,
) -> AppResult<HttpResponse> {
    let actor = admin.require(&[Role::Admin])?.clone();
    let body = body.into_inner();
    let new = NewUser::parse(&body.email, &body.name, &body.roles)?;
    let user = accounts::create_user(&state, actor, new, body.password).await?;
    Ok(HttpResponse::Created().json(user))
}

/// Send a user a new one-time link to set their password (admin, or a chair for a representative who
/// lost theirs). Earlier links keep working until used or expired.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 202), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[post("/users/{id}/password-link")]
pub async fn password_link(state: web::Data<AppState>, actor: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let actor = actor.require(&[Role::Admin, Role::Chair])?.clone();
    accounts::resend_password_link(&state, actor, id.into_inner()).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Every active account (admin only).
#[utoipa::path(tag = "accounts", security(("bearer" = [])), responses((status = 200, body = Vec<User>), (status = 403, body = crate::error::Problem)))]
#[get("/users")]
pub async fn list_users(state: web::Data<AppState>, admin: AuthUser) -> AppResult<web::Json<Vec<User>>> {
    admin.require(&[Role::Admin])?;
    Ok(web::Json(state.db.run(auth::list_users).await?))
}

/// Disable an account (admin only). Its tokens stop working at once.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 404, body = crate::error::Problem)))]
#[delete("/users/{id}")]
pub async fn delete_user(state: web::Data<AppState>, admin: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let actor = admin.require(&[Role::Admin])?.clone();
    accounts::disable_user(&state, actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
