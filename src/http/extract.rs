//! Request extractors: the signed-in user (bearer token or session cookie) and role checks.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::auth::{self, Role, User};
use crate::services::AppState;

pub const SESSION_COOKIE: &str = "carried_session";

/// The signed-in user. Fails with 401 when there is no valid token or the account no longer exists.
#[derive(Debug, Clone)]
pub struct AuthUser(pub User);

impl AuthUser {
    /// 403 unless the user holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> AppResult<&User> {
        if self.0.has_any(roles) {
            Ok(&self.0)
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(AppError::forbidden(format!("this needs the role {}", names.join(" or "))))
        }
    }
}

pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    if let Some(h) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let v = h.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string());
    }
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_string())
}

/// True when the request's token (if any) came from the session cookie rather than the header.
pub fn token_from_cookie(req: &HttpRequest) -> bool {
    !req.headers().contains_key(actix_web::http::header::AUTHORIZATION) && req.cookie(SESSION_COOKIE).is_some()
}

/// The user and claims of a valid token of the user's current session generation.
pub async fn verify_session(state: &AppState, token: &str) -> AppResult<(User, auth::Claims)> {
    let (user_id, claims) = state.tokens.verify_claims(token)?;
    let found = state.db.run(move |c| auth::session_user(c, user_id)).await?;
    let (user, generation) = found.ok_or_else(|| {
        AppError::new(ErrorCode::InvalidToken, "the bearer token's account no longer exists or is disabled")
    })?;
    if claims.sgen != generation {
        return Err(AppError::new(
            ErrorCode::InvalidToken,
            "this session has ended (signed out, or the password was changed): sign in again",
        ));
    }
    Ok((user, claims))
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal_msg("app state missing"))?;
            let token = token.ok_or_else(AppError::unauthenticated)?;
            verify_session(&state, &token).await.map(|(user, _)| AuthUser(user))
        })
    }
}

/// Like [`AuthUser`] but absent instead of failing when no token was sent. A bearer token that was sent
/// and is bad still fails, so an API client never silently acts anonymously; a stale session cookie is
/// ignored (so it cannot stop a voter using their voting code).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<User>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if bearer_token(req).is_none() {
            return Box::pin(async { Ok(MaybeUser(None)) });
        }
        let from_cookie = token_from_cookie(req);
        let fut = AuthUser::from_request(req, payload);
        Box::pin(async move {
            match fut.await {
                Ok(u) => Ok(MaybeUser(Some(u.0))),
                Err(e) if from_cookie && matches!(e.code, ErrorCode::InvalidToken | ErrorCode::TokenExpired) => {
                    Ok(MaybeUser(None))
                }
                Err(e) => Err(e),
            }
        })
    }
}
