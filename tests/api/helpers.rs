//! The test harness: each test gets the real server on port 0 with its own SQLite file, or its own
//! fresh PostgreSQL database when `CARRIED_TEST_POSTGRES_URL` is set, and talks to it over HTTP.

use std::collections::HashMap;
use std::path::PathBuf;

use carried::config::Settings;
use carried::services::auth::{self, NewUser, Role};
use carried::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const PASSWORD: &str = "correct horse battery staple 7";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Run a test body once per backend: `both_backends!(name, |app| async move { ... });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await.expect("sqlite app");
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await else {
                    return;
                };
                ($body)(app).await;
            }
        }
    };
}

#[allow(dead_code)]
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub backend: Backend,
    pub data_dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub state: actix_web::web::Data<carried::services::AppState>,
    pub env: HashMap<String, String>,
    pg_db: Option<(String, String)>,
    server: actix_web::dev::ServerHandle,
}

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("CARRIED_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

/// A new empty PostgreSQL database on the test server: (admin url, database name, url of the new db).
pub fn fresh_postgres_database() -> Option<(String, String, String)> {
    let admin = postgres_admin_url()?;
    let name = format!("carried_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = diesel::PgConnection::establish(&admin).expect("connect to CARRIED_TEST_POSTGRES_URL");
    conn.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
    // Loopback without TLS: no OpenSSL state in the test process's background threads at exit.
    Some((admin, name.clone(), format!("{base}/{name}?sslmode=disable")))
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut env: HashMap<String, String> = HashMap::new();
    env.insert("CARRIED_BIND".into(), "127.0.0.1:0".into());
    env.insert("CARRIED_DATA_DIR".into(), data_dir.path().display().to_string());
    // Tests hash with a smaller argon2 memory cost; the OWASP default is unit-tested in services::auth.
    env.insert("CARRIED_ARGON2_MEMORY_KIB".into(), "4096".into());
    env.insert("CARRIED_POOL_SIZE".into(), "4".into());
    let mut pg_db = None;
    match backend {
        Backend::Sqlite => {}
        Backend::Postgres => {
            let Some((admin, name, url)) = fresh_postgres_database() else {
                eprintln!("NOTE: CARRIED_TEST_POSTGRES_URL is not set: the PostgreSQL leg of this test is skipped");
                return None;
            };
            env.insert("CARRIED_DATABASE_URL".into(), url);
            pg_db = Some((admin, name));
        }
    }
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("test settings");
    let app = Application::build(settings).await.expect("application builds");
    let port = app.port();
    let state = app.state();
    let server = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    // The public URL (for links in mail) follows the bound port.
    Some(TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        backend,
        data_dir,
        client,
        state,
        env,
        pg_db,
        server,
    })
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the server's worker threads (the stop command is sent at once; nothing to await here), so
        // the application state and its background threads go away with the test.
        drop(self.server.stop(false));
        if let Some((admin, name)) = self.pg_db.take() {
            // Dropped on a plain thread: the test runtime may be shutting down.
            let _ = std::thread::spawn(move || {
                if let Ok(mut c) = diesel::PgConnection::establish(&admin) {
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            })
            .join();
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The problem document's `code`, for error replies.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "expected {status}, got {}: {}", self.status, self.text);
        self.body
    }
    #[track_caller]
    pub fn expect_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "expected {status} {code}, got {}: {}", self.status, self.text);
        assert!(self.content_type().starts_with("application/problem+json"), "content type {}", self.content_type());
        assert_eq!(self.code(), code, "{}", self.text);
        assert!(!self.body["detail"].as_str().unwrap_or("").is_empty(), "a problem names the problem: {}", self.text);
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let resp = req.send().await.expect("request reaches the server");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<Value>, token: Option<&str>) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, path, None, token).await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, path, Some(body), token).await
    }

    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::POST, path, None, token).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>, token: Option<&str>) -> Reply {
        let mut req = self.client.post(self.url(path)).header("content-type", content_type).body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// Create a user straight in the database (the way `carried user add` does) and return its id.
    pub async fn seed_user(&self, email: &str, roles: &[Role]) -> i64 {
        let new = NewUser::parse(email, &format!("Test {email}"), roles).expect("valid user");
        let hash = self.state.passwords.hash(PASSWORD).expect("hash");
        self.state.db.run(move |c| auth::insert_user(c, &new, Some(&hash))).await.expect("insert user").id
    }

    pub async fn login(&self, email: &str) -> String {
        let r = self.post("/api/v1/auth/login", json!({"email": email, "password": PASSWORD}), None).await;
        r.expect(200)["token"].as_str().expect("token").to_string()
    }

    /// A signed-in user with these roles: (user id, token).
    pub async fn user_with(&self, email: &str, roles: &[Role]) -> (i64, String) {
        let id = self.seed_user(email, roles).await;
        (id, self.login(email).await)
    }

    pub async fn admin(&self) -> String {
        self.user_with("admin@example.org", &[Role::Admin]).await.1
    }

    /// Run the real `carried` binary against this app's data dir and database.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        use std::io::Write;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_carried"));
        cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run carried");
        if let Some(mut si) = child.stdin.take() {
            if let Some(s) = stdin {
                si.write_all(s.as_bytes()).expect("write stdin");
            }
        }
        child.wait_with_output().expect("carried finishes")
    }

    pub fn data_path(&self) -> PathBuf {
        self.data_dir.path().to_path_buf()
    }

    /// The scheduler's one step (`services::schedule::run_due`) at a chosen time, run now: what the
    /// service's one-second tick does at the real time. When it returns, the ballots due to open or close
    /// by `at` have, full ballot boxes are chained and the reminder rounds due are queued. Returns how many
    /// things it did. (The background tick keeps running beside it; each step is claimed once.)
    pub async fn run_due(&self, at: chrono::DateTime<chrono::Utc>) -> usize {
        carried::services::schedule::run_due(&self.state, at.naive_utc()).await.expect("scheduled work runs")
    }
}
