//! What every request passes through before its handler: a time limit on reading the body, the refusal of
//! cross-site writes made with the session cookie, `Cache-Control: no-store` on API answers, and the
//! request log (method, path template, status, latency; never a query string, an id or a client address).

use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};

use crate::error::{AppError, ErrorCode};
use crate::http::extract::SESSION_COOKIE;
use crate::services::AppState;

/// Content types an HTML form (or `navigator.sendBeacon`) may send across sites without a preflight.
const FORM_TYPES: [&str; 3] = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"];

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The authority (host[:port]) of an origin or URL such as `https://vote.example.org:8443/x`.
fn authority(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    Some((scheme, host))
}

/// Why a write through the session cookie is refused, if it is: it must come from this site's own pages
/// (`Sec-Fetch-Site: same-origin`, or an `Origin` that is this service's), and never as a form.
pub struct Incoming<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub has_bearer: bool,
    pub has_cookie: bool,
    pub content_type: Option<&'a str>,
    pub sec_fetch_site: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub host: Option<&'a str>,
}

pub fn cross_site_refusal(r: &Incoming<'_>, public_url: &str) -> Option<AppError> {
    let Incoming { method, path, has_bearer, has_cookie, content_type, sec_fetch_site, origin, host } = *r;
    if !is_write(method) || !path.starts_with("/api/") || has_bearer {
        return None;
    }
    if let Some(ct) = content_type {
        let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if FORM_TYPES.contains(&essence.as_str()) {
            return Some(AppError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "a {essence} body is refused here: send JSON (application/json) or, for a roll or a list of \
                     representatives, CSV (text/csv)"
                ),
            ));
        }
    }
    if !has_cookie {
        return None;
    }
    let refuse = |why: String| {
        Some(AppError::forbidden(format!(
            "cross-site request refused: {why}. Pages of other sites cannot act with your sign-in; API clients \
             send a bearer token instead"
        )))
    };
    if let Some(site) = sec_fetch_site {
        if !matches!(site, "same-origin" | "none") {
            return refuse(format!("it came from a {site} page"));
        }
    }
    match origin {
        Some(o) => {
            let own_public = authority(public_url).map(|(s, h)| (s.to_ascii_lowercase(), h.to_ascii_lowercase()));
            let theirs = authority(o).map(|(s, h)| (s.to_ascii_lowercase(), h.to_ascii_lowercase()));
            let matches_public = theirs.is_some() && theirs == own_public;
            let matches_host = match (theirs.as_ref(), host) {
                (Some((_, h)), Some(own)) => h.eq_ignore_ascii_case(own),
                _ => false,
            };
            if !(matches_public || matches_host) {
                return refuse(format!("its origin {o} is not this service"));
            }
        }
        None if sec_fetch_site.is_none() => {
            return refuse("it says neither where it came from (Origin) nor Sec-Fetch-Site".to_string())
        }
        None => {}
    }
    None
}

/// Wraps the request body so it must arrive within `limit` of the request head.
fn with_deadline(payload: Payload, limit: Duration) -> Payload {
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + limit;
    let stream = futures_util::stream::unfold(Some(payload), move |p| async move {
        let mut p = p?;
        match tokio::time::timeout_at(deadline, p.next()).await {
            Ok(Some(item)) => Some((item, Some(p))),
            Ok(None) => None,
            Err(_) => Some((
                Err(actix_web::error::PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("the request body did not arrive within {} s", limit.as_secs()),
                ))),
                None,
            )),
        }
    });
    Payload::Stream { payload: Box::pin(stream) }
}

/// The middleware (registered in `startup`).
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let started = Instant::now();
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    };
    let settings = &state.settings;
    let headers = req.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let refusal = cross_site_refusal(
        &Incoming {
            method: req.method(),
            path: req.path(),
            has_bearer: headers.contains_key(header::AUTHORIZATION),
            has_cookie: req.cookie(SESSION_COOKIE).is_some(),
            content_type: text(header::CONTENT_TYPE),
            sec_fetch_site: headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            origin: text(header::ORIGIN),
            host: text(header::HOST),
        },
        &settings.public_url,
    );
    let method = req.method().clone();
    let template = req.match_pattern().unwrap_or_else(|| "(no route)".to_string());
    let is_api = req.path().starts_with("/api/");
    let res = match refusal {
        Some(e) => req.into_response(e.error_response()).map_into_right_body(),
        None => {
            let payload = req.take_payload();
            req.set_payload(with_deadline(payload, Duration::from_secs(settings.body_timeout_seconds)));
            let mut res = next.call(req).await?;
            if is_api && !res.headers().contains_key(header::CACHE_CONTROL) {
                res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            }
            res.map_into_left_body()
        }
    };
    if template != "/health" {
        tracing::info!(
            target: "carried::request",
            "{method} {template} {} {}ms",
            res.status().as_u16(),
            started.elapsed().as_millis()
        );
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ct: Option<&str>, site: Option<&str>, origin: Option<&str>, bearer: bool, cookie: bool) -> Option<u16> {
        let r = Incoming {
            method: &Method::POST,
            path: "/api/v1/ballots/1/close",
            has_bearer: bearer,
            has_cookie: cookie,
            content_type: ct,
            sec_fetch_site: site,
            origin,
            host: Some("vote.example.org"),
        };
        cross_site_refusal(&r, "https://vote.example.org").map(|e| e.code.status().as_u16())
    }

    #[test]
    fn cookie_writes_must_come_from_this_site() {
        let json = Some("application/json");
        assert_eq!(check(json, Some("same-origin"), Some("https://vote.example.org"), false, true), None);
        assert_eq!(check(json, None, Some("https://vote.example.org"), false, true), None);
        assert_eq!(check(json, Some("same-site"), Some("https://evil.example.org"), false, true), Some(403));
        assert_eq!(check(json, Some("cross-site"), None, false, true), Some(403));
        assert_eq!(check(json, None, Some("https://evil.example.org"), false, true), Some(403));
        assert_eq!(check(json, None, None, false, true), Some(403), "a cookie write that says nothing");
        // Bearer clients and requests without the cookie are not cross-site forgeries.
        assert_eq!(check(json, Some("cross-site"), Some("https://evil.example.org"), true, true), None);
        assert_eq!(check(json, None, None, false, false), None);
    }

    #[test]
    fn form_bodies_are_refused_without_a_bearer_token() {
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "Text/Plain;charset=utf-8",
        ] {
            assert_eq!(check(Some(ct), Some("same-origin"), None, false, true), Some(415), "{ct}");
            assert_eq!(check(Some(ct), None, None, false, false), Some(415), "{ct}");
            assert_eq!(check(Some(ct), None, None, true, false), None, "{ct} with a bearer token");
        }
        assert_eq!(check(Some("text/csv"), Some("same-origin"), None, false, true), None);
    }

    #[test]
    fn reads_are_never_refused() {
        let r = Incoming {
            method: &Method::GET,
            path: "/api/v1/ballots",
            has_bearer: false,
            has_cookie: true,
            content_type: None,
            sec_fetch_site: Some("cross-site"),
            origin: Some("https://evil.example.org"),
            host: None,
        };
        let r = cross_site_refusal(&r, "https://vote.example.org");
        assert!(r.is_none());
    }
}
