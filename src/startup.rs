//! Build the application from settings: database, keys, state, HTTP server bound to a port (0 allowed).
//! Used by `main` and by the integration tests alike.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, Service};
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};

use crate::config::Settings;
use crate::db::Db;
use crate::http;
use crate::services::auth::{self, Keys, PasswordPolicy, TokenService};
use crate::services::AppState;

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

/// The OpenAPI document, built from the same registrations that serve the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(http::ApiDoc::openapi())
        .service(scope::scope("/api/v1").configure(http::api))
        .service(http::health::health)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The OpenAPI document as served: errors are declared as `application/problem+json`, and every operation
/// documents the 4XX and 5XX problem responses it may give (bad JSON, sign-in, limits, a busy database).
pub fn openapi_json() -> serde_json::Value {
    use serde_json::{json, Value};
    let mut doc = serde_json::to_value(openapi()).unwrap_or(Value::Null);
    let problem = json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(ops) = item.as_object_mut() else { continue };
            for op in ops.values_mut() {
                let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
                for r in responses.values_mut() {
                    let content = r.get_mut("content").and_then(Value::as_object_mut);
                    if let Some(content) = content {
                        let is_problem = content
                            .get("application/json")
                            .and_then(|c| c.pointer("/schema/$ref"))
                            .and_then(Value::as_str)
                            .is_some_and(|r| r.ends_with("/Problem"));
                        if is_problem {
                            if let Some(c) = content.remove("application/json") {
                                content.insert("application/problem+json".into(), c);
                            }
                        }
                    }
                }
                responses.entry("4XX").or_insert_with(|| json!({"description": "A problem document naming what is wrong (docs/api.md lists the codes).", "content": problem}));
                responses.entry("5XX").or_insert_with(|| json!({"description": "The service or its database is unavailable; a problem document.", "content": problem}));
            }
        }
    }
    doc
}

/// Open the database (running migrations) and load keys: everything but the HTTP server.
pub fn build_state(settings: Settings) -> Result<web::Data<AppState>, String> {
    std::fs::create_dir_all(&settings.data_dir)
        .map_err(|e| format!("cannot create data dir {}: {e}", settings.data_dir.display()))?;
    let db = Db::connect(&settings.database, settings.pool_size)?;
    let keys = {
        let mut conn = db.get().map_err(|e| e.to_string())?;
        Keys::load(&mut conn, &settings.keys_file, settings.jwt_secret.as_deref())?
    };
    let hashing_permits = std::thread::available_parallelism().map(|n| (n.get() / 2).max(1)).unwrap_or(1);
    let hub = Arc::new(crate::services::events::Hub::default());
    let votes = crate::services::vote_writer::VoteWriter::start(db.clone(), keys.clone())?;
    Ok(web::Data::new(AppState {
        hub,
        progress: crate::services::events::ProgressThrottle::new(Duration::from_millis(250)),
        votes,
        mail_wake: Arc::new(tokio::sync::Notify::new()),
        mail_turn: Arc::new(tokio::sync::Mutex::new(())),
        tokens: TokenService::new(keys, settings.token_ttl_minutes).with_session_cap(settings.session_max_hours),
        passwords: PasswordPolicy { memory_kib: settings.argon2_memory_kib },
        hashing: Arc::new(tokio::sync::Semaphore::new(hashing_permits)),
        streams: crate::http::streams::StreamSlots::default(),
        db,
        settings,
    }))
}

/// Background work of a serving instance: the mail sender, and a one-second tick that runs the
/// scheduled work due by then (`services::schedule::run_due`: scheduled openings and closings, full
/// ballot boxes chained, reminder rounds).
fn start_background(state: &web::Data<AppState>) -> Result<(), String> {
    let s = &state.settings;
    if s.mail_sender {
        tokio::spawn(crate::services::mail_drain::sender(state)?.run());
    }
    let st = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Err(e) = crate::services::schedule::run_due(&st, crate::db::now()).await {
                tracing::warn!(error = %e, "scheduled work");
            }
        }
    });
    Ok(())
}

/// Security headers on every response (pages and API alike).
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ))
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, String> {
        let bind = settings.bind.clone();
        let state =
            actix_web::web::block(move || build_state(settings)).await.map_err(|e| format!("start-up: {e}"))??;
        let listener = TcpListener::bind(&bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        crate::services::events::start_listener(state.db.url(), &state.hub);
        start_background(&state)?;
        let doc = web::Data::new(openapi_json());
        let app_state = state.clone();
        let body_timeout = state.settings.body_timeout_seconds;
        let server = HttpServer::new(move || {
            App::new()
                // Header names go out as Content-Type rather than content-type: equivalent in HTTP, kinder to
                // clients that compare them case-sensitively.
                .wrap_fn(|req, srv| {
                    let fut = srv.call(req);
                    async move {
                        let mut res = fut.await?;
                        res.response_mut().head_mut().set_camel_case_headers(true);
                        Ok(res)
                    }
                })
                .wrap(security_headers())
                .wrap(actix_web::middleware::from_fn(http::guard::guard))
                .app_data(app_state.clone())
                .app_data(doc.clone())
                .configure(http::extractor_config)
                .into_utoipa_app()
                .service(scope::scope("/api/v1").configure(http::api))
                .service(http::health::health)
                .into_app()
                .configure(http::pages::configure)
                .default_service(web::to(http::not_found))
        })
        .listen(listener)
        .map_err(|e| e.to_string())?
        .client_request_timeout(Duration::from_secs(body_timeout.min(5)))
        .shutdown_timeout(10)
        .run();
        Ok(Application { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// A handle that stops the server (its worker threads hold the application state).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// What `carried serve` prints once it is listening.
    pub fn banner(&self) -> String {
        let s = &self.state.settings;
        let host = s.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
        let mut out = format!(
            "carried {} is serving on http://{host}:{} (database: {})\n",
            env!("CARGO_PKG_VERSION"),
            self.port,
            s.database.redacted()
        );
        let admins = self.state.db.get().ok().and_then(|mut c| auth::count_admins(&mut c).ok()).unwrap_or(0);
        if admins == 0 {
            out.push_str(
                "No admin account yet. Create one (you will be asked for a password on standard input):\n  \
                 carried user add --email you@example.org --name \"Your Name\" --role admin --password-stdin\n  \
                 (or: cargo run --release -- user add ...)\n",
            );
        }
        out
    }
}
