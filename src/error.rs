//! One error type for the whole service: a stable machine `code`, an HTTP status, and an RFC 9457
//! `application/problem+json` body. Internal causes are logged, never sent to the client.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

mod from_core;

/// Every failure a client can see. The snake_case name is the stable `code` in the problem body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    BadRequest,
    InvalidJson,
    InvalidCsv,
    ValidationFailed,
    MotionUnreadable,
    Unauthenticated,
    InvalidCredentials,
    InvalidToken,
    TokenExpired,
    Forbidden,
    NotFound,
    Conflict,
    AlreadyVoted,
    PollClosed,
    /// The action needs the caller to confirm it (send it again with `"confirm": true`).
    ConfirmationNeeded,
    BallotNotOpen,
    ResultsNotAvailable,
    PayloadTooLarge,
    UnsupportedMediaType,
    MethodNotAllowed,
    RateLimited,
    DatabaseBusy,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 23] = [
        ErrorCode::BadRequest,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidCsv,
        ErrorCode::ValidationFailed,
        ErrorCode::MotionUnreadable,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::InvalidToken,
        ErrorCode::TokenExpired,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::AlreadyVoted,
        ErrorCode::PollClosed,
        ErrorCode::ConfirmationNeeded,
        ErrorCode::BallotNotOpen,
        ErrorCode::ResultsNotAvailable,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RateLimited,
        ErrorCode::DatabaseBusy,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidCsv => "invalid_csv",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::MotionUnreadable => "motion_unreadable",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::AlreadyVoted => "already_voted",
            ErrorCode::PollClosed => "poll_closed",
            ErrorCode::ConfirmationNeeded => "confirmation_needed",
            ErrorCode::BallotNotOpen => "ballot_not_open",
            ErrorCode::ResultsNotAvailable => "results_not_available",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::DatabaseBusy => "database_busy",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest | ErrorCode::InvalidJson | ErrorCode::InvalidCsv => StatusCode::BAD_REQUEST,
            ErrorCode::ValidationFailed | ErrorCode::MotionUnreadable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Unauthenticated
            | ErrorCode::InvalidCredentials
            | ErrorCode::InvalidToken
            | ErrorCode::TokenExpired => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict
            | ErrorCode::AlreadyVoted
            | ErrorCode::PollClosed
            | ErrorCode::ConfirmationNeeded
            | ErrorCode::BallotNotOpen
            | ErrorCode::ResultsNotAvailable => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::DatabaseBusy => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "Bad request",
            ErrorCode::InvalidJson => "The request body is not valid JSON for this operation",
            ErrorCode::InvalidCsv => "The CSV file cannot be read",
            ErrorCode::ValidationFailed => "The request is well-formed but not valid",
            ErrorCode::MotionUnreadable => "The motion as printed cannot be read",
            ErrorCode::Unauthenticated => "Sign in required",
            ErrorCode::InvalidCredentials => "Wrong email or password",
            ErrorCode::InvalidToken => "The sign-in token is not valid",
            ErrorCode::TokenExpired => "The sign-in token has expired",
            ErrorCode::Forbidden => "Not allowed for your role",
            ErrorCode::NotFound => "Not found",
            ErrorCode::Conflict => "Conflicts with the current state",
            ErrorCode::AlreadyVoted => "Already voted",
            ErrorCode::PollClosed => "The poll is closed",
            ErrorCode::ConfirmationNeeded => "Confirm this first",
            ErrorCode::BallotNotOpen => "The ballot is not open",
            ErrorCode::ResultsNotAvailable => "Results are not available yet",
            ErrorCode::PayloadTooLarge => "The request body is too large",
            ErrorCode::UnsupportedMediaType => "Unsupported content type",
            ErrorCode::MethodNotAllowed => "Method not allowed",
            ErrorCode::RateLimited => "Too many requests",
            ErrorCode::DatabaseBusy => "The service is busy; try again",
            ErrorCode::Internal => "Internal server error",
        }
    }
}

/// The error every service and handler returns.
#[derive(Debug)]
pub struct AppError {
    pub code: ErrorCode,
    pub detail: String,
    /// For 429 and 503: seconds the client should wait.
    pub retry_after: Option<u64>,
    /// The internal cause, logged but never shown.
    pub cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// For 405: the methods the resource has.
    pub allow: Option<String>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        AppError { code, detail: detail.into(), retry_after: None, cause: None, allow: None }
    }
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, detail)
    }
    pub fn validation(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationFailed, detail)
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, what)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, detail)
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "send a bearer token in the Authorization header (POST /api/v1/auth/login gives one)",
        )
    }
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError {
            code: ErrorCode::Internal,
            detail: "something went wrong on our side; it has been logged".to_string(),
            retry_after: None,
            cause: Some(Box::new(cause)),
            allow: None,
        }
    }
    pub fn internal_msg(msg: impl Into<String>) -> Self {
        Self::internal(Message(msg.into()))
    }
    pub fn with_allow(mut self, methods: &[String]) -> Self {
        self.allow = Some(methods.join(", "));
        self
    }
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

#[derive(Debug)]
struct Message(String);
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Message {}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)?;
        if let Some(c) = &self.cause {
            write!(f, " (cause: {c}")?;
            // The causes' own causes too: a stored word that does not load is named only there.
            let mut inner = c.source();
            while let Some(e) = inner {
                write!(f, ": {e}")?;
                inner = e.source();
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

/// The RFC 9457 problem document.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`urn:carried:problem:<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `already_voted`.
    pub code: String,
}

impl AppError {
    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:carried:problem:{}", self.code.as_str()),
            title: self.code.title().to_string(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().to_string(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.code == ErrorCode::Internal {
            tracing::error!(error = %self, "internal error");
        } else if self.code == ErrorCode::DatabaseBusy {
            tracing::warn!(error = %self, "database busy");
        }
        let mut resp = HttpResponse::build(self.status_code());
        resp.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(a) = &self.allow {
            resp.insert_header((header::ALLOW, a.as_str()));
        }
        if let Some(s) = self.retry_after {
            resp.insert_header((header::RETRY_AFTER, s.to_string()));
        }
        if matches!(self.code, ErrorCode::Unauthenticated | ErrorCode::InvalidToken | ErrorCode::TokenExpired) {
            resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        resp.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::NotFound => AppError::not_found("not found"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AppError::conflict(format!("already exists ({})", info.message()))
            }
            Error::DatabaseError(_, info)
                if info.message().contains("database is locked") || info.message().contains("database is busy") =>
            {
                AppError {
                    code: ErrorCode::DatabaseBusy,
                    detail: "the database is busy; try again in a moment".into(),
                    retry_after: Some(1),
                    cause: Some(Box::new(e)),
                    allow: None,
                }
            }
            _ => AppError::internal(e),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError {
            code: ErrorCode::DatabaseBusy,
            detail: "no database connection was free in time; try again".into(),
            retry_after: Some(1),
            cause: Some(Box::new(e)),
            allow: None,
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_unique_and_snake_case() {
        let mut seen = HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
            assert!(!c.title().is_empty());
        }
    }

    #[test]
    fn status_mapping_is_stable() {
        let expected = [
            (ErrorCode::BadRequest, 400),
            (ErrorCode::InvalidJson, 400),
            (ErrorCode::InvalidCsv, 400),
            (ErrorCode::ValidationFailed, 422),
            (ErrorCode::MotionUnreadable, 422),
            (ErrorCode::Unauthenticated, 401),
            (ErrorCode::InvalidCredentials, 401),
            (ErrorCode::InvalidToken, 401),
            (ErrorCode::TokenExpired, 401),
            (ErrorCode::Forbidden, 403),
            (ErrorCode::NotFound, 404),
            (ErrorCode::Conflict, 409),
            (ErrorCode::AlreadyVoted, 409),
            (ErrorCode::PollClosed, 409),
            (ErrorCode::ConfirmationNeeded, 409),
            (ErrorCode::BallotNotOpen, 409),
            (ErrorCode::ResultsNotAvailable, 409),
            (ErrorCode::PayloadTooLarge, 413),
            (ErrorCode::UnsupportedMediaType, 415),
            (ErrorCode::MethodNotAllowed, 405),
            (ErrorCode::RateLimited, 429),
            (ErrorCode::DatabaseBusy, 503),
            (ErrorCode::Internal, 500),
        ];
        assert_eq!(expected.len(), ErrorCode::ALL.len());
        for (code, status) in expected {
            assert_eq!(code.status().as_u16(), status, "{}", code.as_str());
        }
    }

    #[test]
    fn problem_body_has_type_title_status_detail_code() {
        let e = AppError::new(ErrorCode::AlreadyVoted, "this voting code has been used");
        let v = serde_json::to_value(e.problem()).expect("serialises");
        assert_eq!(v["type"], "urn:carried:problem:already_voted");
        assert_eq!(v["status"], 409);
        assert_eq!(v["code"], "already_voted");
        assert_eq!(v["detail"], "this voting code has been used");
        let resp = e.error_response();
        assert_eq!(resp.status().as_u16(), 409);
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = AppError::internal_msg("password=hunter2 leaked in a panic");
        assert!(!e.problem().detail.contains("hunter2"));
        assert_eq!(e.problem().status, 500);
    }

    #[test]
    fn database_errors_map_to_codes() {
        let e: AppError = diesel::result::Error::NotFound.into();
        assert_eq!(e.code, ErrorCode::NotFound);
        let e: AppError = diesel::result::Error::RollbackTransaction.into();
        assert_eq!(e.code, ErrorCode::Internal);
    }
}
