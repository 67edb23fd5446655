use actix_web::cookie::{Cookie, SameSite};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::extract::{AuthUser, SESSION_COOKIE};
use crate::services::auth::{self, User};
use crate::services::AppState;

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

fn client_address(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Sign in with email and password; returns a short-lived bearer token (and sets an HttpOnly session
/// cookie for the web pages). Rate-limited per account and per client address.
#[utoipa::path(
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong email or password", body = crate::error::Problem),
        (status = 429, description = "too many attempts", body = crate::error::Problem)
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
    if email.is_empty() || password.is_empty() || password.len() > auth::MAX_PASSWORD_LEN {
        return Err(AppError::new(ErrorCode::InvalidCredentials, "give your email and password"));
    }
    let account_key = format!("account:{email}");
    let address_key = format!("address:{}", client_address(&req));
    for (limiter, key) in [(&state.login_by_account, &account_key), (&state.login_by_address, &address_key)] {
        if let Err(wait) = limiter.check(key) {
            return Err(AppError::new(
                ErrorCode::RateLimited,
                format!("too many sign-in attempts; try again in {wait} s"),
            )
            .with_retry_after(wait));
        }
    }
    let permit = state.hashing.clone().acquire_owned().await.map_err(AppError::internal)?;
    let st = state.clone();
    let lookup_email = email.clone();
    let user = state
        .db
        .run(move |c| {
            let _permit = permit;
            let found = auth::login_lookup(c, &lookup_email)?;
            let Some((user, Some(stored))) = found else {
                auth::burn_equal_time(&st.passwords);
                return Ok(None);
            };
            match st.passwords.verify(&password, &stored)? {
                None => Ok(None),
                Some(rehash) => {
                    if let Some(h) = rehash {
                        auth::set_password_hash(c, user.id, &h)?;
                    }
                    Ok(Some(user))
                }
            }
        })
        .await?;
    let user = user.ok_or_else(|| AppError::new(ErrorCode::InvalidCredentials, "the email or password is wrong"))?;
    state.login_by_account.reset(&account_key);
    let (token, expires_at) = state.tokens.issue(user.id)?;
    tracing::info!(user_id = user.id, "signed in");
    let cookie = Cookie::build(SESSION_COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .secure(state.settings.public_url.starts_with("https://"))
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::minutes(state.settings.token_ttl_minutes))
        .finish();
    Ok(HttpResponse::Ok().cookie(cookie).json(LoginResponse { token, expires_at, user }))
}

/// The signed-in user.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), responses((status = 200, body = User), (status = 401, body = crate::error::Problem)))]
#[get("/auth/me")]
pub async fn me(user: AuthUser) -> web::Json<User> {
    web::Json(user.0)
}

/// Sign out of the web pages (clears the session cookie). Bearer tokens simply expire.
#[utoipa::path(tag = "accounts", responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout() -> HttpResponse {
    let mut cookie = Cookie::build(SESSION_COOKIE, "").path("/").http_only(true).same_site(SameSite::Strict).finish();
    cookie.make_removal();
    HttpResponse::NoContent().cookie(cookie).finish()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// The token from the one-time link in the invitation email.
    pub token: String,
    /// At least 12 characters.
    pub password: String,
}

/// Set a password with the one-time link sent to a new user (e.g. a representative registered by CSV).
#[utoipa::path(
    tag = "accounts",
    request_body = SetPassword,
    responses((status = 200, body = User), (status = 401, description = "the link is not valid, used or expired", body = crate::error::Problem), (status = 422, body = crate::error::Problem))
)]
#[post("/auth/set-password")]
pub async fn set_password(state: web::Data<AppState>, body: web::Json<SetPassword>) -> AppResult<web::Json<User>> {
    let SetPassword { token, password } = body.into_inner();
    auth::PasswordPolicy::check_strength(&password)?;
    let permit = state.hashing.clone().acquire_owned().await.map_err(AppError::internal)?;
    let policy = state.passwords;
    let user = state
        .db
        .run(move |c| {
            let hash = {
                let _permit = permit;
                policy.hash(&password)?
            };
            crate::db::write_tx(c, |c| auth::use_password_token(c, &token, &hash))
        })
        .await?;
    Ok(web::Json(user))
}
