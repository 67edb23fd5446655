//! The published resolutions (issue 14, item 5): JSON, CSV with one row per part, plain text, Markdown,
//! and the print layout (`?format=html`, also served as the page `/conference/{id}/resolutions/print`).

use actix_web::{get, web, HttpResponse};

use crate::error::{AppError, AppResult};
use crate::http::conference::FormatQuery;
use crate::procedure::{self, resolutions as doc};
use crate::services::resolutions::{self as svc, ResolutionsView};
use crate::services::AppState;

type Problem = crate::error::Problem;

fn csv_field(s: &str) -> String {
    // Quote, and defuse spreadsheet formulas (crate::ballot::defuse_formula: full-width forms, `|`, tab…).
    format!("\"{}\"", crate::ballot::defuse_formula(s).replace('"', "\"\""))
}

/// The conference's resolutions as the profession publishes them: resolutions (carried, with their parts
/// and "as amended"), motions lost, moved to next business, withdrawn, not reached; the amendments, riders
/// and procedural motions put; counts and percentages of electronic votes. `?format=csv` gives one row
/// per part; `text`, `md`; `html` the print layout.
#[utoipa::path(tag = "conferences", params(("id" = i64, Path), FormatQuery),
    responses((status = 200, description = "the resolutions (JSON), or CSV, text, Markdown or HTML with ?format", body = ResolutionsView),
        (status = 400, body = Problem), (status = 404, body = Problem)))]
#[get("/conferences/{id}/resolutions")]
pub async fn resolutions(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<FormatQuery>,
) -> AppResult<HttpResponse> {
    let format = q.into_inner().format;
    if !matches!(format.as_deref(), None | Some("json" | "csv" | "text" | "md" | "markdown" | "html")) {
        return Err(AppError::bad_request(format!(
            "format: {:?} is not json, csv, text, md or html",
            format.unwrap_or_default()
        )));
    }
    let id = id.into_inner();
    let view = state.db.run(move |c| svc::resolutions(c, id)).await?;
    Ok(match format.as_deref() {
        Some("csv") => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"resolutions-{}.csv\"", view.conference.id),
            ))
            .body(doc::csv_rows(&view.document, csv_field)),
        Some("text") => {
            HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(doc::render_text(&view.document))
        }
        Some("md" | "markdown") => {
            HttpResponse::Ok().content_type("text/markdown; charset=utf-8").body(markdown(&view))
        }
        Some("html") => print_response(&view),
        _ => HttpResponse::Ok().json(view),
    })
}

/// Every item's "motion in full", as before.
fn markdown(view: &ResolutionsView) -> String {
    let mut out = format!("# Resolutions: {}\n\n", view.conference.name);
    for m in &view.motions {
        out.push_str(&procedure::render_markdown(&m.record));
        out.push_str("\n\n");
    }
    out
}

fn print_response(view: &ResolutionsView) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(doc::render_html(&view.document))
}

/// The print layout as a page (`/conference/{id}/resolutions/print`), for the chair to print or save as PDF.
pub async fn print_page(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db.run(move |c| svc::resolutions(c, id)).await?;
    Ok(print_response(&view))
}

/// Register the print page (outside `/api/v1`, with the other pages).
pub fn configure_pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/conference/{id:\\d+}/resolutions/print", web::get().to(print_page));
}
