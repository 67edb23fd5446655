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
    if let Some(p) = &body.password {
        PasswordPolicy::check_strength(p)?;
    }
    let permit = state.hashing.clone().acquire_owned().await.map_err(AppError::internal)?;
    let policy = state.passwords;
    let url = state.settings.public_url.clone();
    let password = body.password;
    let user = state
        .db
        .run(move |c| {
            let hash = {
                let _permit = permit;
                password.as_deref().map(|p| policy.hash(p)).transpose()?
            };
            crate::db::write_tx(c, |c| {
                let user = auth::insert_user(c, &new, hash.as_deref())?;
                if hash.is_none() {
                    send_password_link(c, &user, &url, "Your account")?;
                }
                audit_log::append(
                    c,
                    &actor.email,
                    "user.create",
                    &format!("user {}", user.id),
                    serde_json::json!({"email": user.email, "roles": user.roles, "link_sent": hash.is_none()}),
                )?;
                Ok(user)
            })
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(HttpResponse::Created().json(user))
}

/// Email a one-time link to set a password (valid 72 hours), inside the caller's transaction.
fn send_password_link(c: &mut crate::db::DbConnection, user: &User, public_url: &str, subject: &str) -> AppResult<()> {
    let token = auth::issue_password_token(c, user.id)?;
    crate::services::mail::enqueue(
        c,
        &crate::services::mail::Outgoing {
            kind: "set_password".into(),
            to_addr: user.email.clone(),
            to_name: user.name.clone(),
            subject: format!("{subject}: set your password"),
            body: format!(
                "Dear {name},\n\nSet your password here (the link works once, for {hours} hours):\n{public_url}/set-password?token={token}\n\n\
                 Then sign in at {public_url}/ with this email address.\n",
                name = user.name,
                hours = auth::SET_PASSWORD_HOURS,
            ),
            ballot_id: None,
            roll_id: None,
        },
    )
}

/// Send a user a new one-time link to set their password (admin, or a chair for a representative who
/// lost theirs). Earlier links keep working until used or expired.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 202), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[post("/users/{id}/password-link")]
pub async fn password_link(state: web::Data<AppState>, actor: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let actor = actor.require(&[Role::Admin, Role::Chair])?.clone();
    let id = id.into_inner();
    let url = state.settings.public_url.clone();
    state
        .db
        .write(move |c| {
            let user = auth::find_active_user(c, id)?.ok_or_else(|| AppError::not_found(format!("no user {id}")))?;
            if !actor.has(Role::Admin) && !user.roles.iter().all(|r| *r == Role::Representative) {
                return Err(AppError::forbidden("a chair may send links only to representatives"));
            }
            send_password_link(c, &user, &url, "A new link")?;
            audit_log::append(c, &actor.email, "user.password_link", &format!("user {id}"), serde_json::json!({}))
        })
        .await?;
    state.mail_wake.notify_one();
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
