use actix_web::{delete, get, post, web, HttpResponse};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::http::extract::AuthUser;
use crate::services::auth::{self, NewUser, PasswordPolicy, Role, User};
use crate::services::{audit_log, AppState};

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
    let password = body.password.ok_or_else(|| AppError::validation("password: required"))?;
    PasswordPolicy::check_strength(&password)?;
    let permit = state.hashing.clone().acquire_owned().await.map_err(AppError::internal)?;
    let policy = state.passwords;
    let user = state
        .db
        .run(move |c| {
            let hash = {
                let _permit = permit;
                policy.hash(&password)?
            };
            crate::db::write_tx(c, |c| {
                let user = auth::insert_user(c, &new, Some(&hash))?;
                audit_log::append(
                    c,
                    &actor.email,
                    "user.create",
                    &format!("user {}", user.id),
                    serde_json::json!({"email": user.email, "roles": user.roles}),
                )?;
                Ok(user)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(user))
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
    let id = id.into_inner();
    let found = state
        .db
        .write(move |c| {
            let found = auth::deactivate_user(c, id)?;
            if found {
                audit_log::append(c, &actor.email, "user.disable", &format!("user {id}"), serde_json::json!({}))?;
            }
            Ok(found)
        })
        .await?;
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(AppError::not_found(format!("no user {id}")))
    }
}
