//! The service itself (OpenAPI tag `service`).

use reqwest::Method;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// GET `/health`: Is the service up.
    pub async fn health(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/health", None, token).await
    }

    /// GET `/api/v1/openapi.json`: The OpenAPI document.
    pub async fn openapi_document(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/openapi.json", None, token).await
    }
}
