//! End-to-end verifiable ballots and their trustees (OpenAPI tag `end-to-end`).

use std::fmt::Display;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// POST `/api/v1/ballots/{ballot}/trustee-key`: A trustee uploads their public key.
    pub async fn upload_trustee_key(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/trustee-key"), Some(body), token).await
    }

    /// GET `/api/v1/ballots/{ballot}/trustees`: The ballot's trustees.
    pub async fn ballot_trustees(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/trustees"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/election`: The election parameters (Belenios).
    pub async fn election(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/election"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/encrypted-tally`: The encrypted tally.
    pub async fn encrypted_tally(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/encrypted-tally"), None, token).await
    }

    /// POST `/api/v1/ballots/{ballot}/partial-decryptions`: A trustee's partial decryption.
    pub async fn upload_partial_decryption(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/partial-decryptions"), Some(body), token).await
    }

    /// GET `/api/v1/ballots/{ballot}/record.bel`: The Belenios record.
    pub async fn record_bel(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/record.bel"), None, token).await
    }

    /// GET `/api/v1/trustees`: Accounts that may be trustees.
    pub async fn list_trustees(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/trustees", None, token).await
    }
}
