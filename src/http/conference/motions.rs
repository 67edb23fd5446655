//! Motions: the agenda, marks, taking, outcomes without a vote, the record and the resolutions.

use super::*;

#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NewMotion,
    responses((status = 201, body = MotionView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, description = "invalid, or the motion as printed cannot be read (the detail says where)", body = Problem)))]
#[post("/conferences/{id}/motions")]
pub async fn create_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<NewMotion>,
) -> AppResult<HttpResponse> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let m = state
        .db
        .run(move |c| {
            access::chair_of(c, &actor, id)?;
            svc::create_motion(c, &actor, id, body.into_inner())
        })
        .await?;
    Ok(HttpResponse::Created().json(m))
}

/// The agenda: every motion in order, with its marks and outcome.
#[utoipa::path(tag = "motions", params(("id" = i64, Path)), responses((status = 200, body = Vec<MotionView>), (status = 404, body = Problem)))]
#[get("/conferences/{id}/motions")]
pub async fn list_motions(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<Vec<MotionView>>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::list_motions(c, id)).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintedMotion {
    pub text: String,
}

/// Read a motion as printed without saving it (so the chair sees how it splits into parts).
#[utoipa::path(tag = "motions", security(("bearer" = [])), request_body = PrintedMotion,
    responses((status = 200, description = "proposer, stem and parts as read", body = Object), (status = 422, body = Problem)))]
#[post("/motions/parse")]
pub async fn parse_motion(user: AuthUser, body: web::Json<PrintedMotion>) -> AppResult<HttpResponse> {
    user.require(&[Role::Chair])?;
    let parsed = procedure::parse_printed_motion(&body.text).map_err(|e| {
        AppError::new(crate::error::ErrorCode::MotionUnreadable, format!("the motion could not be read: {e}"))
    })?;
    Ok(HttpResponse::Ok().json(parsed))
}

#[utoipa::path(tag = "motions", params(("id" = i64, Path)), responses((status = 200, body = MotionView), (status = 404, body = Problem)))]
#[get("/motions/{id}")]
pub async fn get_motion(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<MotionView>> {
    let id = id.into_inner();
    Ok(web::Json(state.db.run(move |c| svc::get_motion(c, id)).await?))
}

#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MotionMarks,
    responses((status = 200, body = MotionView), (status = 403, body = Problem)))]
#[post("/motions/{id}/marks")]
pub async fn set_marks(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<MotionMarks>,
) -> AppResult<web::Json<MotionView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of_motion(c, &actor, id)?;
                svc::set_marks(c, &actor, id, body.into_inner())
            })
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Take {
    /// "whole" or "parts".
    #[serde(rename = "as")]
    pub as_: TakenAs,
}

/// The chair takes the motion as a whole or in parts.
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Take,
    responses((status = 200, body = MotionView), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/motions/{id}/take")]
pub async fn take_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<Take>,
) -> AppResult<web::Json<MotionView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of_motion(c, &actor, id)?;
                svc::take_motion(c, &hub, &actor, id, body.as_)
            })
            .await?,
    ))
}

/// Record an outcome reached without a vote (withdrawn, not reached, next business, ruled out of order,
/// superseded, or an 'A'/'AR' motion carried).
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MotionDecision,
    responses((status = 200, body = MotionView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/motions/{id}/decide")]
pub async fn decide_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<MotionDecision>,
) -> AppResult<web::Json<MotionView>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let hub = state.hub.clone();
    Ok(web::Json(
        state
            .db
            .run(move |c| {
                access::chair_of_motion(c, &actor, id)?;
                svc::decide_motion(c, &hub, &actor, id, body.outcome)
            })
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FormatQuery {
    /// json (default) or text; for resolutions also md, csv, html.
    pub format: Option<String>,
}

/// "The motion in full": proposer line, stem, each part with its outcome and counts, the outcome text.
#[utoipa::path(tag = "motions", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, description = "JSON, or plain text with ?format=text", body = Object), (status = 404, body = Problem)))]
#[get("/motions/{id}/record")]
pub async fn motion_record(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<FormatQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db.run(move |c| svc::get_motion(c, id)).await?;
    let record = svc::motion_record(&view);
    match q.format.as_deref() {
        None | Some("json") => Ok(HttpResponse::Ok().json(serde_json::json!({
            "motion_id": view.id,
            "record": record,
            "text": procedure::render_text(&record),
        }))),
        Some("text") => {
            Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(procedure::render_text(&record)))
        }
        Some("md") | Some("markdown") => Ok(HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(procedure::render_markdown(&record))),
        Some(other) => Err(AppError::bad_request(format!("format: {other:?} is not json, text or md"))),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn csv_field(s: &str) -> String {
    // Quote, and defuse spreadsheet formulas (crate::ballot::defuse_formula: full-width forms, `|`, tab…).
    format!("\"{}\"", crate::ballot::defuse_formula(s).replace('"', "\"\""))
}

/// The conference's resolutions: every motion with its outcome text (json, md, csv or printable html).
#[utoipa::path(tag = "conferences", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, description = "the resolutions report", body = Object), (status = 404, body = Problem)))]
#[get("/conferences/{id}/resolutions")]
pub async fn resolutions(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<FormatQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (conf, motions) = state.db.run(move |c| Ok((svc::get_conference(c, id)?, svc::list_motions(c, id)?))).await?;
    let records: Vec<_> = motions.iter().map(svc::motion_record).collect();
    let outcome = |m: &MotionView| m.outcome_text.clone().unwrap_or_else(|| "UNDECIDED".to_string());
    match q.format.as_deref() {
        None | Some("json") => Ok(HttpResponse::Ok().json(serde_json::json!({
            "conference": conf,
            "motions": motions.iter().zip(&records).map(|(m, r)| serde_json::json!({
                "id": m.id, "number": m.number, "item": m.item, "marks": m.marks, "outcome_text": m.outcome_text, "record": r,
            })).collect::<Vec<_>>(),
        }))),
        Some("md") | Some("markdown") => {
            let mut out = format!("# Resolutions: {}\n\n", conf.name);
            for r in &records {
                out.push_str(&procedure::render_markdown(r));
                out.push_str("\n\n");
            }
            Ok(HttpResponse::Ok().content_type("text/markdown; charset=utf-8").body(out))
        }
        Some("csv") => {
            let mut out = String::from("number,proposer,stem,outcome_text\n");
            for m in &motions {
                out.push_str(&format!(
                    "{},{},{},{}\n",
                    m.number,
                    csv_field(m.proposer.as_deref().unwrap_or("")),
                    csv_field(&m.stem),
                    csv_field(&outcome(m))
                ));
            }
            Ok(HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(out))
        }
        Some("html") => {
            let mut out = format!(
                "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Resolutions: {0}</title>\
                 <link rel=\"stylesheet\" href=\"/static/carried.css\"></head><body><main class=\"resolutions\"><h1>Resolutions: {0}</h1>",
                html_escape(&conf.name)
            );
            for r in &records {
                out.push_str("<section class=\"motion\"><pre>");
                out.push_str(&html_escape(&procedure::render_text(r)));
                out.push_str("</pre></section>");
            }
            out.push_str("</main></body></html>");
            Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(out))
        }
        Some(other) => Err(AppError::bad_request(format!("format: {other:?} is not json, md, csv or html"))),
    }
}
