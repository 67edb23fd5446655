use actix_web::cookie::{Cookie, SameSite};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::client::client_of;
use crate::http::extract::{bearer_token, verify_session, AuthUser, SESSION_COOKIE};
use crate::services::auth::{self, User};
use crate::services::{accounts, rate_limit, AppState};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Bearer token for the Authorization header.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// The session cookie for the web pages, living as long as the token in it.
fn session_cookie(state: &AppState, token: &str, expires_at: DateTime<Utc>) -> Cookie<'static> {
    let seconds = (expires_at - Utc::now()).num_seconds().max(0);
    Cookie::build(SESSION_COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .secure(state.settings.public_url.starts_with("https://"))
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(seconds))
        .finish()
}

/// Sign in with email and password; returns a bearer token (and sets an HttpOnly session cookie for the
/// web pages). Limited per client address (a hall behind one address passes) and slowed per account:
/// after a few wrong passwords each further attempt must wait a growing delay (`Retry-After`).
#[utoipa::path(
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong email or password", body = crate::error::Problem),
        (status = 429, description = "too many attempts: wait the Retry-After seconds", body = crate::error::Problem)
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let LoginRequest { email, password } = body.into_inner();
    let email = email.trim().to_lowercase();
    // Lengths are checked before anything is counted or stored.
    if email.is_empty() || email.len() > 254 || password.is_empty() || password.len() > auth::MAX_PASSWORD_LEN {
        return Err(AppError::new(ErrorCode::InvalidCredentials, "give your email and password"));
    }
    let address = rate_limit::address_key("login", &client_of(&req, &state.settings.trusted_proxies));
    let found = accounts::sign_in(&state, address, email, password).await?;
    let (user, generation) =
        found.ok_or_else(|| AppError::new(ErrorCode::InvalidCredentials, "the email or password is wrong"))?;
    let (token, expires_at) = state.tokens.issue_session(user.id, generation, Utc::now().timestamp())?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(HttpResponse::Ok().cookie(session_cookie(&state, &token, expires_at)).json(LoginResponse {
        token,
        expires_at,
        user,
    }))
}

/// Renew the session: a new token for the same session, valid for the token lifetime again but never
/// past `CARRIED_SESSION_MAX_HOURS` after signing in (then 401 `token_expired`: sign in again). The pages
/// call it while in use, so a conference day needs one sign-in.
#[utoipa::path(tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = LoginResponse), (status = 401, description = "no valid session, or the session reached its limit", body = crate::error::Problem)))]
#[post("/auth/renew")]
pub async fn renew(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let token = bearer_token(&req).ok_or_else(AppError::unauthenticated)?;
    let (user, claims) = verify_session(&state, &token).await?;
    let (token, expires_at) = state.tokens.issue_session(user.id, claims.sgen, claims.auth_time)?;
    Ok(HttpResponse::Ok().cookie(session_cookie(&state, &token, expires_at)).json(LoginResponse {
        token,
        expires_at,
        user,
    }))
}

/// The signed-in user.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), responses((status = 200, body = User), (status = 401, body = crate::error::Problem)))]
#[get("/auth/me")]
pub async fn me(user: AuthUser) -> web::Json<User> {
    web::Json(user.0)
}

/// Sign out: ends every session of the account (every token issued to it so far stops working, on
/// every device) and clears the session cookie.
#[utoipa::path(tag = "accounts", responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    if let Some(token) = bearer_token(&req) {
        if let Ok((user, _)) = verify_session(&state, &token).await {
            accounts::sign_out(&state, user.id).await?;
        }
    }
    let mut cookie = Cookie::build(SESSION_COOKIE, "").path("/").http_only(true).same_site(SameSite::Strict).finish();
    cookie.make_removal();
    Ok(HttpResponse::NoContent().cookie(cookie).finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// The token from the one-time link in the email.
    pub token: String,
    /// At least 12 characters.
    pub password: String,
}

/// Set a password with the one-time link sent to a user. The link works once, for 72 hours, and only
/// while no newer link was sent; setting the password ends the account's other sessions. Limited per
/// client address; the link is checked before the password is hashed.
#[utoipa::path(
    tag = "accounts",
    request_body = SetPassword,
    responses((status = 200, body = User), (status = 401, description = "the link is not valid, used, replaced or expired", body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem))
)]
#[post("/auth/set-password")]
pub async fn set_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SetPassword>,
) -> AppResult<web::Json<User>> {
    let SetPassword { token, password } = body.into_inner();
    if token.len() > 128 {
        return Err(AppError::new(ErrorCode::InvalidToken, "this link is not valid"));
    }
    let address = rate_limit::address_key("set-password", &client_of(&req, &state.settings.trusted_proxies));
    let user = accounts::set_password_with_link(&state, address, token, password).await?;
    Ok(web::Json(user))
}
