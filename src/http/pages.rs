//! The web pages: HTML, CSS and JavaScript modules from `static/`, embedded in the binary at compile time
//! so that `carried` serves them from any directory. No build step: the files are served as written.

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{web, HttpRequest, HttpResponse};

/// One embedded file under `static/`.
pub struct Asset {
    /// Path below `/static/`.
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $ct:expr) => {
        Asset {
            path: $path,
            content_type: $ct,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/", $path)),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file in `static/`.
pub const ASSETS: &[Asset] = &[
    asset!("carried.css", CSS),
    asset!("resolutions-print.css", CSS),
    asset!("speakers.css", CSS),
    asset!("index.html", HTML),
    asset!("conference.html", HTML),
    asset!("chair.html", HTML),
    asset!("projector.html", HTML),
    asset!("resolutions.html", HTML),
    asset!("officer.html", HTML),
    asset!("vote.html", HTML),
    asset!("results.html", HTML),
    asset!("scrutineer.html", HTML),
    asset!("set-password.html", HTML),
    asset!("admin.html", HTML),
    asset!("trustee.html", HTML),
    asset!("js/common.js", JS),
    asset!("js/home.js", JS),
    asset!("js/home-trustee.js", JS),
    asset!("js/conference.js", JS),
    asset!("js/chair.js", JS),
    asset!("js/agenda-import.js", JS),
    asset!("js/running-order.js", JS),
    asset!("js/chair_item.js", JS),
    asset!("js/projector.js", JS),
    asset!("js/speakers.js", JS),
    asset!("js/resolutions.js", JS),
    asset!("js/conference-details.js", JS),
    asset!("js/officer.js", JS),
    asset!("js/officer-roll.js", JS),
    asset!("js/officer-reminders.js", JS),
    asset!("js/officer-e2e.js", JS),
    asset!("js/vote.js", JS),
    asset!("js/results.js", JS),
    asset!("js/recount.js", JS),
    asset!("js/belenios.js", JS),
    asset!("js/vote-e2e.js", JS),
    asset!("js/trustee.js", JS),
    asset!("js/trustee-ceremony.js", JS),
    asset!("js/recount-e2e.js", JS),
    asset!("js/scrutineer.js", JS),
    asset!("js/set-password.js", JS),
    asset!("js/admin.js", JS),
];

/// The page routes: URL pattern → the HTML file that renders it (the page's script reads the ids from
/// the path and fetches the JSON API).
pub const PAGES: &[(&str, &str)] = &[
    ("/", "index.html"),
    ("/conference/{id:\\d+}", "conference.html"),
    ("/conference/{id:\\d+}/chair", "chair.html"),
    ("/conference/{id:\\d+}/projector", "projector.html"),
    ("/conference/{id:\\d+}/resolutions", "resolutions.html"),
    ("/officer", "officer.html"),
    ("/vote/{id:\\d+}", "vote.html"),
    ("/ballots/{id:\\d+}/results", "results.html"),
    ("/ballots/{id:\\d+}/trustee", "trustee.html"),
    ("/scrutineer", "scrutineer.html"),
    ("/set-password", "set-password.html"),
    ("/admin", "admin.html"),
];

pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

fn respond(asset: &'static Asset) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(asset.content_type)
        // Always revalidate: pages and scripts change with the binary, and they carry no secrets.
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .body(asset.body)
}

async fn static_file(req: HttpRequest) -> HttpResponse {
    let path = req.match_info().query("path");
    match find(path) {
        Some(asset) => respond(asset),
        None => super::not_found(req, None).await,
    }
}

/// Register the page routes and `/static/…`. Call before the default service, outside `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (route, file) in PAGES {
        let file: &'static str = file;
        cfg.route(
            route,
            web::get().to(move |req: HttpRequest| async move {
                match find(file) {
                    Some(asset) => respond(asset),
                    None => super::not_found(req, None).await,
                }
            }),
        );
    }
    super::resolutions::configure_pages(cfg);
    cfg.route("/static/{path:.*}", web::get().to(static_file));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_its_file_and_every_file_is_referenced() {
        for (_, file) in PAGES {
            assert!(find(file).is_some(), "{file} is not embedded");
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
        let mut on_disk = Vec::new();
        for sub in ["", "js"] {
            for e in std::fs::read_dir(dir.join(sub)).expect("static dir").flatten() {
                if e.path().is_file() {
                    let name = e.file_name().to_string_lossy().to_string();
                    on_disk.push(if sub.is_empty() { name } else { format!("{sub}/{name}") });
                }
            }
        }
        for f in &on_disk {
            assert!(find(f).is_some(), "static/{f} exists but is not in ASSETS");
        }
    }

    #[test]
    fn pages_use_no_inline_script_or_style() {
        for a in ASSETS.iter().filter(|a| a.content_type == HTML) {
            let text = std::str::from_utf8(a.body).expect("utf-8");
            assert!(!text.contains("style="), "{} has an inline style", a.path);
            assert!(!text.contains("<script>"), "{} has an inline script", a.path);
            assert!(text.contains("lang=\"en-GB\""), "{} needs lang", a.path);
        }
    }
}
