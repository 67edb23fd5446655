//! Thin actix handlers: parse HTTP into domain types, call one service function, map the result.

pub mod agenda;
pub mod auth;
pub mod ballots;
pub mod ceremony;
pub mod client;
pub mod committee;
pub mod conference;
pub mod conference_details;
pub mod corrections;
pub mod e2e;
pub mod extract;
pub mod guard;
pub mod health;
pub mod pages;
pub mod resolutions;
pub mod roll;
pub mod speakers;
pub mod streams;
pub mod trustee_list;
pub mod users;

use actix_web::{error::JsonPayloadError, web, HttpRequest, HttpResponse};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{AppError, ErrorCode};

/// Largest JSON body accepted (a long motion fits many times over).
pub const JSON_LIMIT: usize = 256 * 1024;
/// Largest CSV roll accepted (about 200,000 lines).
pub const CSV_LIMIT: usize = 32 * 1024 * 1024;

/// Register every API operation. Each one is collected into the OpenAPI document by construction.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(health::openapi_document)
        .service(auth::login)
        .service(auth::me)
        .service(auth::logout)
        .service(auth::renew)
        .service(auth::set_password)
        .service(users::create_user)
        .service(users::list_users)
        .service(users::delete_user)
        .service(users::password_link)
        .service(conference::create_conference)
        .service(conference::list_conferences)
        .service(conference::get_conference)
        .service(conference::add_representative)
        .service(conference::list_representatives)
        .service(conference::import_representatives)
        .service(agenda::import_agenda)
        .service(agenda::edit_motion)
        .service(agenda::delete_motion)
        .service(agenda::set_running_order)
        .service(committee::apply_committee_motion)
        .service(committee::put_item)
        .service(corrections::void_poll)
        .service(corrections::close_check)
        .service(corrections::conference_close_check)
        .service(conference::create_motion)
        .service(conference::list_motions)
        .service(resolutions::resolutions)
        .service(conference_details::update_conference)
        .service(conference::close_conference)
        .service(conference::list_chairs)
        .service(conference::set_chairs)
        .service(conference::list_polls)
        .service(conference::conference_events)
        .service(conference::parse_motion)
        .service(conference::get_motion)
        .service(conference::set_marks)
        .service(conference::take_motion)
        .service(conference::decide_motion)
        .service(conference::motion_record)
        .service(conference::open_poll)
        .service(conference::open_en_bloc)
        .service(conference::get_poll)
        .service(conference::cast_vote)
        .service(conference::my_vote)
        .service(conference::hall_state)
        .service(conference::my_conferences)
        .service(conference::close_poll)
        .service(speakers::speakers)
        .service(speakers::get_rules)
        .service(speakers::set_rules)
        .service(speakers::open_debate)
        .service(speakers::ask)
        .service(speakers::withdraw)
        .service(speakers::call)
        .service(speakers::timer)
        .service(speakers::end)
        .service(ballots::create_ballot)
        .service(ballots::update_ballot)
        .service(ballots::list_ballots)
        .service(ballots::get_ballot)
        .service(ballots::import_roll)
        .service(ballots::open_ballot)
        .service(ballots::cast)
        .service(ballots::turnout)
        .service(ballots::checkpoint)
        .service(ballots::remind)
        .service(ballots::reminder_status)
        .service(roll::list_roll)
        .service(roll::correct_voter)
        .service(roll::remove_voter)
        .service(roll::schedule_reminders)
        .service(ballots::resend)
        .service(ballots::close)
        .service(ballots::publish)
        .service(ballots::results)
        .service(ballots::record)
        .service(ballots::sign_off)
        .service(ballots::mail_status)
        .service(ballots::list_officers)
        .service(ballots::set_officers)
        .service(ballots::signing_key)
        .service(ballots::audit_log_entries)
        .service(e2e::upload_trustee_key)
        .service(e2e::trustees)
        .service(e2e::election)
        .service(e2e::encrypted_tally)
        .service(e2e::upload_partial_decryption)
        .service(e2e::record_bel)
        .service(ceremony::ceremony)
        .service(ceremony::post_certificate)
        .service(ceremony::post_polynomial)
        .service(ceremony::vinput)
        .service(ceremony::post_voutput)
        .service(ceremony::restart)
        .service(trustee_list::list_trustees);
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "carried",
        description = "Conference motions voted in parts, and auditable indicative ballots of GPs.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// Turn actix's JSON extractor failures into problem documents that name the problem.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let e = match &err {
        JsonPayloadError::OverflowKnownLength { length, limit } => AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("the JSON body is {length} bytes; the limit is {limit} bytes"),
        ),
        JsonPayloadError::Overflow { limit } => AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("the JSON body is larger than the limit of {limit} bytes"),
        ),
        JsonPayloadError::ContentType => {
            AppError::new(ErrorCode::UnsupportedMediaType, "send the body as JSON with Content-Type: application/json")
        }
        JsonPayloadError::Deserialize(e) => AppError::new(ErrorCode::InvalidJson, format!("the JSON body: {e}")),
        other => AppError::new(ErrorCode::BadRequest, format!("the request body could not be read: {other}")),
    };
    e.into()
}

pub fn path_error(err: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    // "/motions/parse" read as "/motions/{id}": the path exists, for other methods.
    let allowed =
        req.app_data::<web::Data<serde_json::Value>>().map(|d| exact_methods(d, req.path())).unwrap_or_default();
    if !allowed.is_empty() {
        return AppError::new(
            ErrorCode::MethodNotAllowed,
            format!("{} is not allowed on {}; use {}", req.method(), req.path(), allowed.join(", ")),
        )
        .with_allow(&allowed)
        .into();
    }
    AppError::new(ErrorCode::NotFound, format!("no such resource: {err}")).into()
}

/// The methods documented for exactly this path (no templates).
fn exact_methods(doc: &serde_json::Value, path: &str) -> Vec<String> {
    doc.get("paths")
        .and_then(|p| p.get(path))
        .and_then(|o| o.as_object())
        .map(|o| o.keys().map(|m| m.to_uppercase()).collect())
        .unwrap_or_default()
}

pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    AppError::new(ErrorCode::BadRequest, format!("the query string: {err}")).into()
}

/// Every unknown path gets a problem document, not an empty 404; a known path with the wrong method gets
/// 405 and an `Allow` header listing the methods it has.
pub async fn not_found(req: HttpRequest, doc: Option<web::Data<serde_json::Value>>) -> HttpResponse {
    use actix_web::ResponseError;
    let allowed = doc.map(|d| allowed_methods(&d, req.path())).unwrap_or_default();
    if !allowed.is_empty() {
        return AppError::new(
            ErrorCode::MethodNotAllowed,
            format!("{} is not allowed on {}; use {}", req.method(), req.path(), allowed.join(", ")),
        )
        .with_allow(&allowed)
        .error_response();
    }
    AppError::not_found(format!("no such page or operation: {} {}", req.method(), req.path())).error_response()
}

/// The methods the OpenAPI document lists for the path template matching `path`.
fn allowed_methods(doc: &serde_json::Value, path: &str) -> Vec<String> {
    let exact = exact_methods(doc, path);
    if !exact.is_empty() {
        return exact;
    }
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else { return Vec::new() };
    let segments: Vec<&str> = path.split('/').collect();
    for (template, ops) in paths {
        let t: Vec<&str> = template.split('/').collect();
        let matches = t.len() == segments.len()
            && t.iter().zip(&segments).all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()));
        if matches {
            return ops.as_object().map(|o| o.keys().map(|m| m.to_uppercase()).collect()).unwrap_or_default();
        }
    }
    Vec::new()
}

pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(JSON_LIMIT).error_handler(json_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error));
}

/// Read a request body of at most `limit` bytes (for CSV uploads), with a problem document when larger.
pub async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, AppError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request(format!("the request body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body is larger than the limit of {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

#[cfg(test)]
mod layers {
    /// Handlers extract, check the caller's right, call one service and respond: no file under src/http
    /// reaches the data layer or diesel itself (docs/architecture.md, "The service layer").
    #[test]
    fn handlers_import_no_db() {
        fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("src/http is readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    rust_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        rust_files(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http"), &mut files);
        assert!(files.len() > 10, "found the handlers: {files:?}");
        let mut found = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).expect("a handler file is readable");
            for (n, line) in text.lines().enumerate() {
                // Spelt in pieces, so this test does not find itself.
                if [concat!("crate::", "db"), concat!("dies", "el::"), concat!("use ", "diesel")]
                    .iter()
                    .any(|w| line.contains(w))
                {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(found.is_empty(), "handlers reaching the data layer:\n{}", found.join("\n"));
    }
}
