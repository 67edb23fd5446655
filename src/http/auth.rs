use actix_web::cookie::{Cookie, SameSite};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::client::client_of;
use crate::http::extract::{bearer_token, verify_session, AuthUser, SESSION_COOKIE};
use crate::services::auth::{self, User};
use crate::services::{rate_limit, AppState};

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

fn rate_limited(what: &str, wait: u64) -> AppError {
    AppError::new(ErrorCode::RateLimited, format!("too many {what}; try again in {wait} s")).with_retry_after(wait)
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

fn login_policy(state: &AppState) -> rate_limit::LoginPolicy {
    let s = &state.settings;
    rate_limit::LoginPolicy {
        per_address: s.login_limit_per_address,
        free_failures: s.login_free_failures,
        max_delay_seconds: s.login_max_delay_seconds,
    }
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
    let account = rate_limit::account_key(&email);
    let policy = login_policy(&state);
    state
        .db
        .write(move |c| {
            if rand::random::<u8>() < 4 {
                rate_limit::purge(c)?;
            }
            if let Err(wait) = rate_limit::count_address(c, &address, policy.per_address)? {
                return Ok(Err(rate_limited("sign-in attempts from your network", wait)));
            }
            if let Err(wait) = rate_limit::account_attempt(c, &account, &policy)? {
                return Ok(Err(rate_limited("wrong passwords for this account", wait)));
            }
            Ok(Ok(()))
        })
        .await??;
    let permit = state.hashing.clone().acquire_owned().await.map_err(AppError::internal)?;
    let st = state.clone();
    let lookup_email = email.clone();
    let found = state
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
                    let account = rate_limit::account_key(&lookup_email);
                    let generation = crate::db::write_tx(c, |c| {
                        if let Some(h) = rehash {
                            auth::set_password_hash(c, user.id, &h)?;
                        }
                        rate_limit::account_succeeded(c, &account)?;
                        auth::session_generation(c, user.id)
                    })?;
                    Ok(Some((user, generation)))
                }
            }
        })
        .await?;
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
            state.db.write(move |c| auth::end_sessions(c, user.id)).await?;
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
    let link_key = state.tokens.keys().link_key();
    let per_address = state.settings.login_limit_per_address;
    let checked_token = token.clone();
    let key = link_key.clone();
    state
        .db
        .write(move |c| {
            if let Err(wait) = rate_limit::count_address(c, &address, per_address)? {
                return Ok(Err(rate_limited("attempts to set a password from your network", wait)));
            }
            Ok(auth::check_password_link(c, &key, &checked_token).map(|_| ()))
        })
        .await??;
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
            crate::db::write_tx(c, |c| auth::use_password_link(c, &link_key, &token, &hash))
        })
        .await?;
    Ok(web::Json(user))
}
