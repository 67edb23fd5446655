//! What the hall sees live: the event stream and the hall snapshot.

use super::*;

/// Live events for a conference as Server-Sent Events: `poll_opened`, `poll_progress` (votes cast so
/// far, never how anyone voted), `poll_closed` (counts and outcome), `motion_updated`, `conference_closed`.
#[utoipa::path(tag = "conferences", params(("id" = i64, Path)),
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream", body = String), (status = 404, body = Problem)))]
#[get("/conferences/{id}/events")]
pub async fn conference_events(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    _viewer: MaybeUser,
    req: actix_web::HttpRequest,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let slot = crate::http::streams::stream_slot(&req)?;
    state.db.run(move |c| svc::get_conference(c, id)).await?;
    let rx = state.hub.subscribe(id);
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if first {
            return Some((
                Ok::<_, Infallible>(Bytes::from_static(b"retry: 2000\nevent: ready\ndata: {}\n\n")),
                (rx, false),
            ));
        }
        // A named ping (not a comment, which pages cannot see) lets a page notice within seconds that
        // its connection died without closing (wifi gone, phone asleep) and reconnect.
        let frame = match tokio::time::timeout(PING_EVERY, rx.recv()).await {
            Err(_) => Bytes::from_static(b"event: ping\ndata: {}\n\n"),
            Ok(Ok(ev)) => Bytes::from(format!("event: {}\ndata: {}\n\n", ev.kind, ev.data)),
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {
                Bytes::from_static(b"event: resync\ndata: {}\n\n")
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return None,
        };
        Some((Ok(frame), (rx, false)))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(crate::http::streams::hold(slot, stream)))
}

/// Everything the representative's page and the projector show, in one answer: the open poll with its
/// wording, the caller's own vote in it, the last result, and the agenda (now, next, decided). Pages
/// fetch it whenever they (re)connect, so they catch up with what happened while they were away.
#[utoipa::path(tag = "conferences", params(("id" = i64, Path)),
    responses((status = 200, body = svc::HallState), (status = 401, body = Problem), (status = 404, body = Problem)))]
#[get("/conferences/{id}/hall")]
pub async fn hall_state(
    state: web::Data<AppState>,
    viewer: MaybeUser,
    id: web::Path<i64>,
) -> AppResult<web::Json<svc::HallState>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::hall_state(c, viewer.0.as_ref(), id)).await?))
}
