//! Accounts and sessions (OpenAPI tag `accounts`).

use std::fmt::Display;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// POST `/api/v1/auth/login`: Sign in with email and password.
    pub async fn sign_in(&self, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, "/api/v1/auth/login", Some(body), token).await
    }

    /// POST `/api/v1/auth/renew`: Exchange a token for a fresh one.
    pub async fn renew_token(&self, token: Option<&str>) -> Reply {
        self.request(Method::POST, "/api/v1/auth/renew", None, token).await
    }

    /// GET `/api/v1/auth/me`: The signed-in account.
    pub async fn me(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/auth/me", None, token).await
    }

    /// POST `/api/v1/auth/logout`: End this session.
    pub async fn logout(&self, token: Option<&str>) -> Reply {
        self.request(Method::POST, "/api/v1/auth/logout", None, token).await
    }

    /// POST `/api/v1/auth/set-password`: Set a password with a set-password link's token.
    pub async fn set_password(&self, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, "/api/v1/auth/set-password", Some(body), token).await
    }

    /// POST `/api/v1/users`: An admin creates an account.
    pub async fn create_user(&self, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, "/api/v1/users", Some(body), token).await
    }

    /// GET `/api/v1/users`: Every account (admin).
    pub async fn list_users(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/users", None, token).await
    }

    /// POST `/api/v1/users/{user}/password-link`: Send a fresh set-password link.
    pub async fn password_link(&self, user: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/users/{user}/password-link"), None, token).await
    }

    /// DELETE `/api/v1/users/{user}`: Remove an account.
    pub async fn delete_user(&self, user: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::DELETE, &format!("/api/v1/users/{user}"), None, token).await
    }
}
