use actix_web::{get, web, HttpResponse};
use serde::Serialize;

use crate::services::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// "ok" when the service and its database answer.
    pub status: &'static str,
}

/// Liveness and database check.
#[utoipa::path(tag = "service", responses((status = 200, body = Health), (status = 503, body = crate::error::Problem)))]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    if state.database_answers().await {
        HttpResponse::Ok().json(Health { status: "ok" })
    } else {
        HttpResponse::ServiceUnavailable().json(Health { status: "database unavailable" })
    }
}

/// This OpenAPI 3 document: every operation of the API.
#[utoipa::path(tag = "service", responses((status = 200, description = "the OpenAPI document", content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_document(doc: web::Data<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok().json(doc.get_ref())
}
