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

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal_msg("app state missing"))?;
            let token = token.ok_or_else(AppError::unauthenticated)?;
            let user_id = state.tokens.verify(&token)?;
            let user = state.db.run(move |c| auth::find_active_user(c, user_id)).await?;
            user.map(AuthUser).ok_or_else(|| {
                AppError::new(ErrorCode::InvalidToken, "the bearer token's account no longer exists or is disabled")
            })
        })
    }
}

/// Like [`AuthUser`] but absent instead of failing when no token was sent. A token that was sent and
/// is bad still fails, so a client never silently acts anonymously.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<User>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if bearer_token(req).is_none() {
            return Box::pin(async { Ok(MaybeUser(None)) });
        }
        let fut = AuthUser::from_request(req, payload);
        Box::pin(async move { fut.await.map(|u| MaybeUser(Some(u.0))) })
    }
}
