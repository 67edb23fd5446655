//! Records, sign-off and the audit log (OpenAPI tag `audit`).

use std::fmt::Display;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// GET `/api/v1/ballots/{ballot}/record`: The ballot's published record.
    pub async fn ballot_record(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/record"), None, token).await
    }

    /// POST `/api/v1/ballots/{ballot}/signoff`: A scrutineer signs the record off.
    pub async fn sign_off(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/signoff"), Some(body), token).await
    }

    /// GET `/api/v1/keys/record-signing`: The key that signs records.
    pub async fn signing_key(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/keys/record-signing", None, token).await
    }

    /// GET `/api/v1/audit-log`: The audit log.
    pub async fn audit_log(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/audit-log", None, token).await
    }
}
