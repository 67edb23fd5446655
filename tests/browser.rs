//! Browser tests: headless Chromium, driven through chromedriver with a tiny W3C WebDriver client over
//! reqwest, against the real server. The main journeys of the web pages, an axe-core accessibility check
//! of every page, a 375 px phone check, and screenshots in target/screenshots/ (docs/screenshots/ with
//! CARRIED_UPDATE_SCREENSHOTS=1).
//!
//! When Chromium or chromedriver is missing the tests say so loudly and pass, unless
//! CARRIED_REQUIRE_BROWSER=1 (CI), when missing is a failure.

#[allow(dead_code, unused_imports, unused_macros)]
#[path = "api/helpers.rs"]
mod helpers;
/// Reading mail: `app.mail` and `app.send_mail`, shared with the API tests.
#[allow(dead_code)]
#[path = "api/mailbox.rs"]
mod mailbox;
#[path = "browser/officer_console.rs"]
mod officer_console;
/// The typed requests of the API tests (`app.create_conference(..)`, `app.cast_vote(..)`, ...), for the
/// set-up and checks these tests do over the API.
#[path = "api/requests/mod.rs"]
mod requests;

/// End-to-end ballots: belenios.js checked by the Rust crate, the voting and trustee pages (issue #17).
#[path = "browser/e2e.rs"]
mod e2e;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use carried::services::auth::Role;
use helpers::{Backend, TestApp, PASSWORD};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const SEED: &str = include_str!("fixtures/motion-2025-online-access.txt");
const AXE: &str = include_str!("vendor/axe.min.js");
const WAIT: Duration = Duration::from_secs(15);

/// One browser test at a time: each starts Chromium, and the machine may have two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// ---- finding the browser ---------------------------------------------------------------------------

fn chromedriver_path() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].iter().map(PathBuf::from).find(|p| p.exists())
}

/// The chromedriver to use, or None (with a loud note) when the browser is missing and not required.
fn browser_or_skip(test: &str) -> Option<PathBuf> {
    let driver = chromedriver_path();
    let chromium = Path::new(CHROMIUM).exists();
    match (driver, chromium) {
        (Some(d), true) => Some(d),
        _ => {
            let msg = format!(
                "NOTE: browser test {test} SKIPPED: Chromium ({CHROMIUM}) or chromedriver is missing. \
                 Install the Debian packages chromium and chromium-driver."
            );
            if std::env::var("CARRIED_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!("{msg} CARRIED_REQUIRE_BROWSER=1, so this is a failure.");
            }
            eprintln!("\n*****\n{msg}\n*****\n");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

// ---- a tiny WebDriver client -----------------------------------------------------------------------

struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Driver {
    async fn start(path: &Path) -> Driver {
        let port = free_port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await {
                if let Ok(v) = r.json::<Value>().await {
                    if v["value"]["ready"] == true {
                        break;
                    }
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Driver { child, base, http }
    }

    /// A new browser with its own profile (so its own cookies: its own signed-in user).
    async fn session(&self) -> Session {
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1280,900", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let r: Value = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .expect("session json");
        let id = r["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {r}")).to_string();
        Session { url: format!("{}/session/{id}", self.base), http: self.http.clone(), _profile: profile }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Session {
    url: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.map_err(|e| e.to_string())?;
        let ok = r.status().is_success();
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        if ok {
            Ok(v["value"].clone())
        } else {
            Err(format!("{}: {}", v["value"]["error"], v["value"]["message"]))
        }
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await.expect("navigate");
    }

    async fn find(&self, css: &str) -> Result<String, String> {
        let v = self.post("/element", json!({"using": "css selector", "value": css})).await?;
        v[ELEMENT].as_str().map(str::to_string).ok_or_else(|| format!("no element id for {css}"))
    }

    /// Retry `f` until it succeeds or WAIT passes (pages re-render as live events arrive).
    async fn retry<T, F, Fut>(&self, what: &str, mut f: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, String>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            match f().await {
                Ok(v) => return v,
                Err(e) if Instant::now() > deadline => {
                    let text = self.exec("return document.body.innerText", json!([])).await;
                    panic!("{what}: {e}\n--- page text ---\n{text}");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    async fn click(&self, css: &str) {
        self.retry(&format!("click {css}"), || async {
            let id = self.find(css).await?;
            self.post(&format!("/element/{id}/click"), json!({})).await.map(|_| ())
        })
        .await
    }

    /// Click through the page's script (for a button the bar that stays on screen may cover).
    async fn js_click(&self, css: &str) {
        self.retry(&format!("js click {css}"), || async {
            let ok = self
                .exec(
                    "const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true;",
                    json!([css]),
                )
                .await;
            if ok == json!(true) {
                Ok(())
            } else {
                Err(format!("{css} not found"))
            }
        })
        .await
    }

    async fn type_into(&self, css: &str, text: &str) {
        self.retry(&format!("type into {css}"), || async {
            let id = self.find(css).await?;
            self.post(&format!("/element/{id}/clear"), json!({})).await?;
            self.post(&format!("/element/{id}/value"), json!({"text": text})).await.map(|_| ())
        })
        .await
    }

    /// Set a long value straight into a field (typing 1,000 characters key by key is slow).
    async fn set_value(&self, css: &str, text: &str) {
        let ok = self
            .exec(
                "const e = document.querySelector(arguments[0]); if (!e) return false; e.value = arguments[1]; \
                 e.dispatchEvent(new Event('input', {bubbles: true})); return true;",
                json!([css, text]),
            )
            .await;
        assert_eq!(ok, json!(true), "no field {css}");
    }

    /// Choose an option of a select (by value) as a user would: the page hears a change event.
    async fn choose(&self, css: &str, value: &str) {
        let ok = self
            .exec(
                "const e = document.querySelector(arguments[0]); if (!e) return false; \
                 if (!Array.from(e.options).some(o => o.value === arguments[1])) return 'no option'; \
                 e.value = arguments[1]; e.dispatchEvent(new Event('change', {bubbles: true})); return true;",
                json!([css, value]),
            )
            .await;
        assert_eq!(ok, json!(true), "choose {value:?} in {css}");
    }

    async fn text(&self, css: &str) -> Result<String, String> {
        let id = self.find(css).await?;
        let v = self.cmd(reqwest::Method::GET, &format!("/element/{id}/text"), None).await?;
        Ok(v.as_str().unwrap_or("").to_string())
    }

    /// Wait until the element's text contains `want`; returns the text.
    async fn wait_text(&self, css: &str, want: &str) -> String {
        self.retry(&format!("wait for {css} to contain {want:?}"), || async {
            let t = self.text(css).await?;
            if t.contains(want) {
                Ok(t)
            } else {
                Err(format!("text is {t:?}"))
            }
        })
        .await
    }

    /// Like `wait_text`, for an element that is visually hidden (its textContent: what a screen reader reads).
    async fn wait_content(&self, css: &str, want: &str) -> String {
        self.retry(&format!("wait for {css} to read {want:?}"), || async {
            let t = self
                .exec("const e = document.querySelector(arguments[0]); return e ? e.textContent : null", json!([css]))
                .await;
            match t.as_str() {
                Some(t) if t.contains(want) => Ok(t.to_string()),
                _ => Err(format!("it reads {t}")),
            }
        })
        .await
    }

    async fn wait_for(&self, css: &str) {
        self.retry(&format!("wait for {css}"), || async { self.find(css).await.map(|_| ()) }).await
    }

    async fn exec(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args})).await.unwrap_or_else(|e| json!(e))
    }

    async fn exec_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args})).await.expect("async script")
    }

    async fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await.expect("screenshot");
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or("")).expect("png base64");
        std::fs::create_dir_all(path.parent().expect("dir")).expect("screenshot dir");
        std::fs::write(path, png).expect("write screenshot");
    }

    async fn window(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height})).await.expect("window size");
    }

    /// A Chrome DevTools command through chromedriver.
    async fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.post("/goog/cdp/execute", json!({"cmd": cmd, "params": params})).await
    }

    /// DevTools' network emulation: cut the network, or add latency to every request (0 = none).
    async fn network(&self, offline: bool, latency_ms: u64) {
        self.cdp("Network.enable", json!({})).await.expect("Network.enable");
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": offline, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1}),
        )
        .await
        .expect("Network.emulateNetworkConditions");
    }

    /// Whether every element matching each selector lies wholly inside the window (no scrolling).
    async fn on_screen(&self, selectors: &[&str]) -> Result<(), String> {
        let r = self
            .exec(
                "const out = []; for (const css of arguments[0]) { const e = document.querySelector(css); \
                 if (!e) { out.push(css + ': missing'); continue; } const r = e.getBoundingClientRect(); \
                 if (r.top < 0 || r.bottom > window.innerHeight || r.height === 0) \
                 out.push(`${css}: top ${Math.round(r.top)}, bottom ${Math.round(r.bottom)}, window ${window.innerHeight}`); } \
                 return out;",
                json!([selectors]),
            )
            .await;
        match r.as_array() {
            Some(a) if a.is_empty() => Ok(()),
            _ => Err(format!("not on screen: {r}")),
        }
    }

    /// The page's viewport exactly this size (as on a projector in full screen), or back to the window.
    async fn viewport(&self, size: Option<(u32, u32)>) {
        match size {
            Some((w, h)) => self
                .cdp(
                    "Emulation.setDeviceMetricsOverride",
                    json!({"width": w, "height": h, "deviceScaleFactor": 1, "mobile": false}),
                )
                .await
                .expect("viewport"),
            None => self.cdp("Emulation.clearDeviceMetricsOverride", json!({})).await.expect("viewport"),
        };
    }

    async fn quit(self) {
        let _ = self.cmd(reqwest::Method::DELETE, "", None).await;
    }

    /// Sign in through the sign-in page.
    async fn sign_in(&self, app: &TestApp, email: &str, password: &str) {
        self.goto(&app.url("/")).await;
        self.type_into("#email", email).await;
        self.type_into("#password", password).await;
        self.click("#sign-in-button").await;
        self.wait_text("#site-nav", "Sign out").await;
    }

    /// axe-core on the current page: no violation with impact serious or critical.
    async fn assert_accessible(&self, page: &str) {
        let loaded = self.exec("return typeof window.axe", json!([])).await;
        if loaded != json!("object") {
            self.exec(&format!("{AXE}\n;return true;"), json!([])).await;
        }
        let r = self
            .exec_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => \
                 ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))) \
                 .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));",
                json!([]),
            )
            .await;
        let bad: Vec<&Value> = r
            .as_array()
            .expect("violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious") | Some("critical")))
            .collect();
        assert!(
            bad.is_empty(),
            "{page}: serious accessibility violations: {}",
            serde_json::to_string_pretty(&bad).unwrap_or_default()
        );
    }

    /// Desktop screenshot, then the same page 375 px wide: no sideways scrolling, and a phone screenshot.
    async fn check_page(&self, name: &str) {
        self.assert_accessible(name).await;
        self.screenshot(&shots().join(format!("{name}.png"))).await;
        self.window(375, 812).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let w = self.exec("return [document.documentElement.scrollWidth, window.innerWidth]", json!([])).await;
        let (scroll, inner) = (w[0].as_i64().unwrap_or(9999), w[1].as_i64().unwrap_or(0));
        assert!(inner <= 375, "{name}: the window did not narrow to 375 px (inner width {inner})");
        if scroll > 375 {
            // Name the widest elements, so a failure says what to fix.
            let wide = self
                .exec(
                    "return [...document.querySelectorAll('body *')].map(e => [e, e.getBoundingClientRect().right])\
                     .filter(([e, r]) => r > window.innerWidth + 0.5).sort((a, b) => b[1] - a[1]).slice(0, 5)\
                     .map(([e, r]) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') \
                       + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') \
                       + ' (right edge ' + Math.round(r) + ')')",
                    json!([]),
                )
                .await;
            panic!("{name}: the page scrolls sideways on a 375 px phone (scroll width {scroll}); widest: {wide}");
        }
        self.assert_accessible(&format!("{name} (phone)")).await;
        self.screenshot(&shots().join(format!("{name}-phone.png"))).await;
        self.window(1280, 900).await;
    }
}

/// Where screenshots go: `target/screenshots/` so that a test run leaves the work tree as it was. With
/// `CARRIED_UPDATE_SCREENSHOTS=1` they replace the README's pictures in `docs/screenshots/` instead.
fn shots() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if std::env::var("CARRIED_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        root.join("docs/screenshots")
    } else {
        root.join("target/screenshots")
    }
}

// ---- set-up ----------------------------------------------------------------------------------------

async fn app() -> TestApp {
    helpers::spawn_app(Backend::Sqlite).await.expect("app")
}

/// The app with `carried demo`'s data loaded.
async fn demo_app() -> (TestApp, carried::demo::Demo) {
    let app = app().await;
    let state = app.state.clone();
    let demo =
        tokio::task::spawn_blocking(move || carried::demo::load(&state)).await.expect("join").expect("demo loads");
    (app, demo)
}

fn demo_email(local: &str) -> String {
    format!("{local}@{}", carried::demo::DEMO_DOMAIN)
}

// ---- the journeys ----------------------------------------------------------------------------------

/// A chair pastes the seed motion, sees it split, takes it in parts and runs five polls while two
/// representatives vote from their own browsers; the projector ends on CARRIED IN ALL PARTS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chair_runs_a_motion_in_parts_while_representatives_vote() {
    let Some(driver_path) = browser_or_skip("chair_runs_a_motion_in_parts_while_representatives_vote") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (_, chair_token) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let conf = app
        .create_conference(json!({"name": "Conference of England LMCs", "venue": "Manchester"}), Some(&chair_token))
        .await
        .expect(201);
    let cid = conf["id"].as_i64().expect("id");
    for (i, lmc) in ["North Staffordshire", "Lambeth"].iter().enumerate() {
        let uid = app.seed_user(&format!("rep{i}@example.org"), &[Role::Representative]).await;
        app.add_representative(cid, json!({"user_id": uid, "lmc": lmc}), Some(&chair_token)).await.expect(201);
    }
    let driver = Driver::start(&driver_path).await;
    let chair = driver.session().await;
    let reps = [driver.session().await, driver.session().await];
    let projector = driver.session().await;

    chair.sign_in(&app, "chair@example.org", PASSWORD).await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair"))).await;
    chair.wait_text("#polls", "No vote open").await;
    chair.set_value("#motion-text", SEED).await;
    chair.click("#check-motion").await;
    chair.wait_text("#motion-preview", "It splits into 5 parts").await;
    let preview = chair.text("#motion-preview").await.expect("preview");
    assert!(preview.contains("North Staffordshire (agenda committee)"), "{preview}");
    assert!(preview.contains("(v)\nmandates GPCE") || preview.contains("(v) mandates GPCE"), "{preview}");
    chair.click("#save-motion").await;
    chair.wait_for("[data-take=parts]").await;
    chair.click("[data-take=parts]").await;
    chair.wait_for("[data-open-vote]").await;

    for (i, rep) in reps.iter().enumerate() {
        rep.sign_in(&app, &format!("rep{i}@example.org"), PASSWORD).await;
        rep.goto(&app.url(&format!("/conference/{cid}"))).await;
        rep.wait_text("#live-status", "Live").await;
        rep.wait_for("#no-poll").await;
    }
    projector.goto(&app.url(&format!("/conference/{cid}/projector"))).await;
    projector.wait_text("#content", "Waiting for the first vote").await;

    let labels = ["(i)", "(ii)", "(iii)", "(iv)", "(v)"];
    for (n, label) in labels.iter().enumerate() {
        chair.click("[data-open-vote]").await;
        chair.wait_for("[data-close-poll]").await;
        projector.wait_text("#projector-question", &format!("part {label}")).await;
        let choices = ["for", if n % 2 == 0 { "for" } else { "abstain" }];
        for (rep, choice) in reps.iter().zip(choices) {
            // The page changes by itself when the chair opens the poll (server-sent events).
            rep.click(&format!("button[data-choice={choice}]")).await;
            let word = if choice == "for" { "For" } else { "Abstain" };
            rep.wait_text(".your-vote", &format!("You voted: {word}")).await;
        }
        // A representative may change their vote until the poll closes.
        if n == 0 {
            reps[1].click("button[data-choice=against]").await;
            reps[1].wait_text(".your-vote", "You voted: Against").await;
            reps[1].click("button[data-choice=for]").await;
            reps[1].wait_text(".your-vote", "You voted: For").await;
        }
        chair.wait_text("[data-votes-cast]", "2").await;
        projector.wait_text("[data-votes-cast]", "2 of 2 representatives have voted").await;
        if n == 0 {
            reps[0].screenshot(&shots().join("journey-representative-voted.png")).await;
            projector.screenshot(&shots().join("journey-projector-open.png")).await;
        }
        chair.click("[data-close-poll]").await;
        projector.wait_text("#poll-result", "CARRIED").await;
        for rep in &reps {
            rep.wait_text("#last-result", &format!("part {label}")).await;
        }
    }
    let outcome = projector.wait_text("#motion-outcome", "CARRIED IN ALL PARTS").await;
    assert_eq!(outcome.trim(), "CARRIED IN ALL PARTS");
    projector.screenshot(&shots().join("journey-projector-carried.png")).await;
    chair.wait_text("[data-outcome]", "CARRIED IN ALL PARTS").await;
    let api = app.resolutions(cid, None).await.expect(200);
    assert_eq!(api["motions"][0]["outcome_text"], "CARRIED IN ALL PARTS");

    chair.quit().await;
    projector.quit().await;
    for r in reps {
        r.quit().await;
    }
}

/// The link in the invitation email opens the ballot with the code filled in; answer, review, cast, receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voter_follows_the_invitation_link_and_casts_a_ballot() {
    let Some(driver_path) = browser_or_skip("voter_follows_the_invitation_link_and_casts_a_ballot") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let (app, demo) = demo_app().await;
    // The invitation as sent (the file outbox stands in for the mail server).
    let member = demo_email("member");
    let link = invitation_link(&app, &member, demo.open_ballot).await;
    assert!(link.ends_with(&format!("?code={}", demo.member_code)), "{link}");
    let driver = Driver::start(&driver_path).await;
    let voter = driver.session().await;
    voter.goto(&link).await;
    voter.wait_for("#code").await;
    let code = voter.exec("return document.querySelector('#code').value", json!([])).await;
    assert_eq!(code, json!(demo.member_code), "the code is filled in from the link");
    let address = voter.exec("return location.href", json!([])).await;
    assert!(!address.as_str().unwrap_or("").contains("code="), "the code leaves the address bar: {address}");
    // Continue without answering: an error summary names what is missing.
    voter.click("#continue").await;
    voter.wait_text("#error-summary", "Answer question 1").await;
    voter.click("label[for=q1-1]").await;
    voter.click("label[for=q2-1]").await;
    voter.click("label[for=q2-3]").await;
    voter.click("#continue").await;
    voter.wait_text("#page-title", "Check your answers").await;
    let review = voter.text("main").await.expect("review");
    assert!(review.contains("Yes") && review.contains("Limit daily patient contacts"), "{review}");
    voter.click("#cast").await;
    let receipt = voter.wait_text("#receipt", "-").await;
    assert_eq!(receipt.trim().len(), 19, "{receipt}");
    let warning = voter.text("#receipt-warning").await.expect("warning");
    assert!(warning.contains("cannot show it to you again"), "{warning}");
    for button in ["#copy-receipt", "#print-receipt", "#save-receipt"] {
        voter.wait_for(button).await;
    }
    let save = voter.exec("return document.querySelector('#save-receipt').getAttribute('href')", json!([])).await;
    assert!(save.as_str().unwrap_or("").contains(receipt.trim()), "the saved file holds the receipt: {save}");
    voter.screenshot(&shots().join("journey-vote-receipt.png")).await;
    // A reload shows the same receipt again, and says the voter has voted.
    voter.goto(&app.url(&format!("/vote/{}", demo.open_ballot))).await;
    voter.wait_text("#page-title", "You have already voted").await;
    let again = voter.wait_text("#receipt", "-").await;
    assert_eq!(again.trim(), receipt.trim(), "the receipt survives a reload");
    voter.wait_text("#already-voted", "Your vote is final").await;
    voter.screenshot(&shots().join("journey-vote-receipt-reload.png")).await;
    // "Forget it on this browser": the next visit shows the ballot, not the receipt.
    voter.click("#forget-receipt").await;
    voter.wait_text("#receipt-status", "no longer keeps").await;
    voter.goto(&app.url(&format!("/vote/{}", demo.open_ballot))).await;
    voter.wait_for("#code").await;
    // Once only: the same code again is refused.
    let again = app.cast_ballot(demo.open_ballot, json!({"code": demo.member_code, "answers": ["no", []]}), None).await;
    assert_eq!(again.status.as_u16(), 409, "{}", again.text);
    // One vote waits in the ballot box: the record is extended ten at a time while open (docs/secrecy.md).
    let cp = app.ballot_checkpoint(demo.open_ballot, None).await.expect(200);
    assert_eq!(cp["count"], 0);
    voter.quit().await;

    // A signed-in member who is not on the roll, with no code, is told exactly that.
    let (_, _) = app.user_with("not-on-roll@example.org", &[Role::Member]).await;
    let outsider = driver.session().await;
    outsider.sign_in(&app, "not-on-roll@example.org", helpers::PASSWORD).await;
    outsider.goto(&app.url(&format!("/vote/{}", demo.open_ballot))).await;
    outsider.wait_for("#code").await;
    outsider.click("label[for=q1-1]").await;
    outsider.click("#continue").await;
    outsider.wait_text("#page-title", "Check your answers").await;
    outsider.click("#cast").await;
    let said = outsider.wait_text("#error-summary", "not on this ballot").await;
    assert!(said.contains("not-on-roll@example.org") && !said.contains("voting code is not valid"), "{said}");
    outsider.quit().await;
}

/// A chair registers two representatives by CSV (a bad line is shown with its line number); one of them
/// follows the link in their email, sets a password, signs in and finds their conference. The link then
/// no longer works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chair_registers_representatives_who_set_their_password() {
    let Some(driver_path) = browser_or_skip("chair_registers_representatives_who_set_their_password") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (_, chair_token) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let conf = app.create_conference(json!({"name": "Conference of Wales LMCs"}), Some(&chair_token)).await.expect(201);
    let cid = conf["id"].as_i64().expect("id");
    let driver = Driver::start(&driver_path).await;
    let chair = driver.session().await;
    chair.sign_in(&app, "chair@example.org", PASSWORD).await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair"))).await;
    chair.wait_text("#reps-summary", "0 representatives registered").await;
    // Nothing given: an error summary.
    chair.click("#import-reps").await;
    chair.wait_text("#error-summary", "Choose a CSV file or paste").await;
    chair
        .set_value(
            "#reps-text",
            "name,email,lmc\nDr Ada Jones,ada@example.org,Gwent\nDr Not Valid,not-an-email,Powys\nDr Ben Smith,ben@example.org,Dyfed Powys\n",
        )
        .await;
    chair.click("#import-reps").await;
    chair.wait_text("#reps-result", "2 registered; 1 rejected.").await;
    chair.wait_text("#reps-result", "2 new accounts were emailed a link to set a password.").await;
    let rejected = chair.wait_text("#reps-rejected tbody", "3").await;
    assert!(rejected.starts_with('3'), "the bad line is line 3 (the header is line 1): {rejected}");
    assert!(rejected.to_lowercase().contains("email"), "{rejected}");
    chair.wait_text("#reps-summary", "2 representatives registered").await;
    chair.click("#reps-summary").await;
    let table = chair.wait_text("#reps-table", "ada@example.org").await;
    assert!(table.contains("Dr Ada Jones") && table.contains("Gwent"), "{table}");
    assert!(table.contains("Dr Ben Smith") && table.contains("Dyfed Powys"), "{table}");
    assert!(!table.contains("not-an-email"), "{table}");
    // A taller window so that the list, the form and the rejected line are in one screenshot.
    chair.window(1280, 1700).await;
    chair.exec("document.querySelector('#representatives').scrollIntoView()", json!([])).await;
    chair.screenshot(&shots().join("chair-representatives.png")).await;
    chair.window(1280, 900).await;
    chair.quit().await;

    // The link in Dr Jones's email (the file outbox stands in for the mail server).
    let link = emailed_link(&app, "ada@example.org", "/set-password?token=").await;
    let rep = driver.session().await;
    rep.goto(&link).await;
    rep.wait_for("#new-password").await;
    let address = rep.exec("return location.href", json!([])).await;
    assert!(!address.as_str().unwrap_or("").contains("token"), "the token leaves the address bar: {address}");
    // Too short: said at once, in the error summary.
    rep.type_into("#new-password", "short").await;
    rep.click("#set-password-button").await;
    rep.wait_text("#error-summary", "Use at least 12 characters").await;
    // The service's own objection (too long) is shown as it says it, and the link still works after it.
    let long = "x".repeat(1100);
    rep.set_value("#new-password", &long).await;
    rep.set_value("#confirm-password", &long).await;
    rep.click("#set-password-button").await;
    rep.wait_text("#error-summary", "at most 1024 bytes").await;
    let password = "a long passphrase for Ada";
    rep.type_into("#new-password", password).await;
    rep.type_into("#confirm-password", password).await;
    rep.click("#set-password-button").await;
    rep.wait_text("#page-title", "Your password is set").await;
    rep.wait_text("#password-set", "ada@example.org").await;
    rep.click("#go-sign-in").await;
    rep.wait_for("#sign-in").await;
    rep.type_into("#email", "ada@example.org").await;
    rep.type_into("#password", password).await;
    rep.click("#sign-in-button").await;
    rep.wait_text("#site-nav", "Dr Ada Jones").await;
    rep.wait_text("#content", "Vote at Conference of Wales LMCs").await;
    rep.click(&format!("a[href='/conference/{cid}']")).await;
    rep.wait_text("#page-title", "Conference of Wales LMCs").await;
    rep.quit().await;

    // Once only: the same link again says so.
    let again = driver.session().await;
    again.goto(&link).await;
    again.type_into("#new-password", "another long passphrase").await;
    again.type_into("#confirm-password", "another long passphrase").await;
    again.click("#set-password-button").await;
    again.wait_text("#link-invalid", "not valid, has already been used, or has expired").await;
    again.wait_text("#link-invalid", "Ask the conference chair").await;
    again.quit().await;
}

/// The first link containing `marker` in the mail to `to`, on the test server's address. What is queued
/// is sent first, through the service's own sender (`app.mail`), so the mail is in the file outbox (which
/// stands in for the mail server) when it is read: no waiting.
async fn emailed_link(app: &TestApp, to: &str, marker: &str) -> String {
    let mails = app.mail(1, |m| m.contains(to) && m.contains(marker)).await;
    let text = &mails[0];
    let at = text.find(marker).expect("the mail holds the link");
    let end = text[at..].find(char::is_whitespace).map_or(text.len(), |e| at + e);
    app.url(&text[at..end])
}

/// The other kinds of poll from the chair's page: an amendment carried on a show of hands changes the
/// part's wording; closure defaults to two-thirds; the 'A' motions are put to the vote together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chair_puts_an_amendment_a_procedural_motion_and_the_a_motions() {
    let Some(driver_path) = browser_or_skip("chair_puts_an_amendment_a_procedural_motion_and_the_a_motions") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (_, chair_token) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let conf = app.create_conference(json!({"name": "Conference of LMCs"}), Some(&chair_token)).await.expect(201);
    let cid = conf["id"].as_i64().expect("id");
    let m = app.create_motion(cid, json!({"text": SEED}), Some(&chair_token)).await.expect(201);
    let mid = m["id"].as_i64().expect("motion id");
    let a = app
        .create_motion(
            cid,
            json!({"stem": "That conference reaffirms its support for the partnership model.", "marks": ["a"]}),
            Some(&chair_token),
        )
        .await
        .expect(201);
    let driver = Driver::start(&driver_path).await;
    let chair = driver.session().await;
    chair.sign_in(&app, "chair@example.org", PASSWORD).await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair"))).await;
    chair.click("[data-take=parts]").await;
    chair.wait_for("[data-open-vote]").await;
    let p = format!("#poll-{mid}");
    // Closure: two-thirds unless the chair says otherwise, and the page says why.
    chair.choose(&format!("{p}-subject"), "procedural").await;
    chair.choose(&format!("{p}-proc-kind"), "motion_be_now_put").await;
    let majority =
        chair.exec("return document.querySelector(arguments[0]).value", json!([format!("{p}-majority")])).await;
    assert_eq!(majority, json!("two_thirds"));
    chair.wait_text(&format!("{p}-majority-hint"), "Closure and standing orders need two-thirds").await;
    chair.choose(&format!("{p}-proc-kind"), "next_business").await;
    let majority =
        chair.exec("return document.querySelector(arguments[0]).value", json!([format!("{p}-majority")])).await;
    assert_eq!(majority, json!("simple"));
    // An amendment to part (ii) with no wording: an error summary.
    chair.choose(&format!("{p}-subject"), "amendment").await;
    chair.choose(&format!("{p}-amend-part"), "(ii)").await;
    chair.click("[data-open-vote]").await;
    chair.wait_text("#error-summary", "give the full wording as amended").await;
    let amended = "seeks to ensure that online access is offered only where the practice judges it safe";
    chair.type_into(&format!("{p}-amend-text"), amended).await;
    chair.choose(&format!("{p}-method"), "show_of_hands").await;
    chair.click("[data-open-vote]").await;
    chair.wait_text("#polls", "Motion 1: amendment to part (ii)").await;
    chair.wait_text("#polls", "Simple majority. Show of hands.").await;
    let poll = app.list_open_polls(cid, None).await.expect(200);
    assert_eq!(poll[0]["subject"], json!({"amendment": {"part": "(ii)", "text": amended}}), "{poll}");
    chair.click("#polls label[for$=-carried]").await;
    chair.click("#polls button[type=submit]").await;
    chair.wait_text("#polls", "No vote open").await;
    let agenda = chair.wait_text(&format!("#motion-{mid}"), amended).await;
    assert!(agenda.contains(&format!("(ii)\n{amended}")) || agenda.contains(&format!("(ii) {amended}")), "{agenda}");
    let motion = app.get_motion(mid, None).await.expect(200);
    assert_eq!(motion["parts"][1]["text"], amended, "{motion}");
    assert!(motion["outcome_text"].is_null(), "an amendment does not decide the motion: {motion}");

    // The 'A' motions together.
    chair.wait_text("#a-motions", "Motion 2 is marked ‘A’").await;
    // The majority the card gives is the service's (the motions' `default_majorities`), before and after.
    chair.wait_text("#a-motions", "Simple majority.").await;
    chair.click("[data-a-motions]").await;
    chair.wait_text("#polls", "The 'A' motions, en bloc: 2").await;
    chair.wait_text("#polls", "Simple majority. Electronic vote.").await;
    let open = app.list_open_polls(cid, None).await.expect(200);
    assert_eq!(open[0]["subject"], json!({"a_motions_en_bloc": [a["id"]]}), "{open}");
    chair.wait_text(&format!("#motion-{}", a["id"]), "A vote on this motion is open").await;
    chair.quit().await;
}

/// The vote link for `to` in its invitation to `ballot`, with the test server's address.
async fn invitation_link(app: &TestApp, to: &str, ballot: i64) -> String {
    emailed_link(app, to, &format!("/vote/{ballot}?code=")).await
}

/// A member opens the results of a closed ballot, checks a receipt and recounts the ballot in the
/// browser; the same code, given the worked example of docs/audit.md, reproduces its hashes and catches a
/// changed count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_recounts_a_closed_ballot_in_the_browser() {
    let Some(driver_path) = browser_or_skip("member_recounts_a_closed_ballot_in_the_browser") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let (app, demo) = demo_app().await;
    let driver = Driver::start(&driver_path).await;
    let member = driver.session().await;
    member.sign_in(&app, &demo_email("member"), demo.password("member").expect("member password")).await;
    member.goto(&app.url(&format!("/ballots/{}/results", demo.closed_ballot))).await;
    member.wait_text("#votes-cast", "9").await;
    member.wait_text("#signoff", "Not yet signed off").await;
    // The abolished 40% test is labelled as abolished, not as a failure.
    member.wait_text("#thresholds", "Abolished 18 February 2026").await;
    let red = member.exec("return document.querySelectorAll('#thresholds .tag.red').length", json!([])).await;
    assert_eq!(red, json!(0), "no threshold is shown as a red failure");
    // A receipt typed carelessly: lower case, spaces for dashes, O for 0 and l for 1.
    let typed = demo.receipt.to_lowercase().replace('-', " ").replace('0', "O").replace('1', "l");
    member.type_into("#receipt", &typed).await;
    member.click("#receipt-form button[type=submit]").await;
    member.wait_text("#receipt-result", "Found: your ballot is entry").await;
    // The scrutineer signs off; the results page shows who, when and what.
    let (_, scrutineer) = app.user_with("scrutineer@example.org", &[Role::Scrutineer]).await;
    app.sign_off(
        demo.closed_ballot,
        json!({"statement": "I have checked the count against the record."}),
        Some(&scrutineer),
    )
    .await
    .expect(200);
    member.goto(&app.url(&format!("/ballots/{}/results", demo.closed_ballot))).await;
    let signoff = member.wait_text("#signoff", "Signed off by the scrutineer").await;
    assert!(signoff.contains("I have checked the count against the record."), "{signoff}");
    assert!(signoff.contains("scrutineer@example.org") || signoff.contains("Scrutineer"), "{signoff}");
    member.screenshot(&shots().join("results-signed-off.png")).await;
    member.click("#recount").await;
    let report = member.wait_text("#recount-result", "check out").await;
    assert!(report.contains("All 9 entries check out; recounted totals match the published results."), "{report}");
    assert!(report.contains("The Ed25519 signature is valid"), "Chromium checks the signature: {report}");
    assert!(report.contains("No checkpoints were given"), "says what it could not check: {report}");
    member.exec("document.querySelector('#recount-result').scrollIntoView({block: 'center'})", json!([])).await;
    member.screenshot(&shots().join("journey-recount.png")).await;
    // A saved checkpoint the record extends is confirmed; one it does not extend fails the recount.
    let record = app.ballot_record(demo.closed_ballot, None).await.expect(200);
    let first = format!("1:{}", record["entries"][0]["hash"].as_str().expect("hash"));
    member.set_value("#checkpoints", &first).await;
    member.click("#recount").await;
    let report = member.wait_text("#recount-result", "confirmed").await;
    assert!(report.contains("1 saved checkpoint(s) confirmed"), "{report}");
    // A voting code that is not on the roll: its has-voted tag is computed in the page and not found.
    member.set_value("#voting-code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ").await;
    member.click("#recount").await;
    let said = member.wait_text("#code-result", "not on the roll").await;
    assert!(said.contains("check the code"), "{said}");
    member.set_value("#voting-code", "").await;
    member.set_value("#checkpoints", &format!("2:{}", &first[2..])).await;
    member.click("#recount").await;
    let report = member.wait_text("#recount-result", "is not a prefix").await;
    assert!(report.contains("does not check out"), "{report}");

    // The same verifier on the worked example of docs/audit.md, untouched and with one count changed.
    let example = worked_example();
    let r = member
        .exec_async(
            "const done = arguments[arguments.length - 1];\
             import('/static/js/recount.js').then(async (m) => {\
               const ok = await m.verifyRecord(arguments[0]);\
               let bad = null;\
               try { await m.verifyRecord(arguments[1]); } catch (e) { bad = e.message; }\
               done({genesis: ok.record.genesis, head: ok.head, recounted: ok.recounted, sig: ok.signatureChecked, results: ok.resultsHash, bad});\
             }).catch((e) => done({error: String(e)}));",
            json!([example, example.replace("\"Limit contacts\": 1, \"Decline", "\"Limit contacts\": 2, \"Decline")]),
        )
        .await;
    assert_eq!(r["head"], "2:c078a9ebc8d857108d193919479e62d142209f2c74b5b3f9e580dbc6fdc63615", "{r}");
    assert_eq!(r["results"], "5e55ae9dd20dea17101120e10dbd8ecc525d1656d233c345d8914e75950937c3", "{r}");
    assert_eq!(r["recounted"], true);
    assert_eq!(r["sig"], true, "the worked example's signature is checked: {r}");
    assert_eq!(
        r["bad"], "results do not match a recount: question 2 option \"Limit contacts\": recorded 2, recounted 1",
        "{r}"
    );
    member.quit().await;
}

/// The shared tamper cases of tests/fixtures/audit/cases.json (which the Rust verifier runs in
/// `audit::cases`): the browser recount reaches the same verdict on every one, and its message contains
/// the same words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_recount_agrees_with_the_rust_verifier_on_every_tamper_case() {
    let Some(driver_path) = browser_or_skip("browser_recount_agrees_with_the_rust_verifier_on_every_tamper_case")
    else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let driver = Driver::start(&driver_path).await;
    let page = driver.session().await;
    page.goto(&app.url("/")).await;
    let file: Value = serde_json::from_str(include_str!("fixtures/audit/cases.json")).expect("cases");
    let cases = file["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30, "{}", cases.len());
    let verdicts = page
        .exec_async(
            "const done = arguments[arguments.length - 1];\
             import('/static/js/recount.js').then(async (m) => {\
               const out = [];\
               for (const c of arguments[0].cases) {\
                 try {\
                   await m.verifyRecord(c.record, { trustedKey: arguments[0].trusted_key, receipts: c.receipts, checkpoints: c.checkpoints });\
                   out.push({verdict: 'verified', message: ''});\
                 } catch (e) { out.push({verdict: e instanceof m.VerifyError ? 'rejected' : 'crashed', message: String(e.message)}); }\
               }\
               done(out);\
             }).catch((e) => done({error: String(e)}));",
            json!([file]),
        )
        .await;
    let verdicts = verdicts.as_array().unwrap_or_else(|| panic!("{verdicts}"));
    assert_eq!(verdicts.len(), cases.len());
    let mut disagreements = Vec::new();
    for (c, v) in cases.iter().zip(verdicts) {
        let expect = c["expect"].as_str().unwrap_or_default();
        let message = v["message"].as_str().unwrap_or_default();
        if v["verdict"] != c["verdict"] || !message.contains(expect) {
            disagreements.push(format!(
                "{}: expected {} ({expect}), browser {} ({message})",
                c["name"], c["verdict"], v["verdict"]
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    page.quit().await;
}

/// The complete record of docs/audit.md's worked example.
fn worked_example() -> String {
    let doc = include_str!("../docs/audit.md");
    let start = doc.find("The complete record:\n\n```json\n").expect("worked example")
        + "The complete record:\n\n```json\n".len();
    let end = start + doc[start..].find("```").expect("end of example");
    doc[start..end].to_string()
}

/// Every page: axe-core finds no serious or critical violation, it fits a 375 px phone without sideways
/// scrolling, and its screenshots go to `shots()`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_accessible_and_fits_a_phone() {
    let Some(driver_path) = browser_or_skip("every_page_is_accessible_and_fits_a_phone") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let (app, demo) = demo_app().await;
    let cid = demo.conference_id;
    let driver = Driver::start(&driver_path).await;

    let anyone = driver.session().await;
    anyone.goto(&app.url("/")).await;
    anyone.wait_for("#sign-in").await;
    // An empty sign-in shows the error summary.
    anyone.click("#sign-in-button").await;
    anyone.wait_text("#error-summary", "Enter your email address").await;
    anyone.check_page("sign-in").await;
    anyone.goto(&app.url(&format!("/vote/{}?code={}", demo.open_ballot, demo.member_code))).await;
    anyone.wait_for("#continue").await;
    anyone.check_page("vote").await;
    anyone.goto(&app.url(&format!("/ballots/{}/results", demo.closed_ballot))).await;
    anyone.wait_for("#recount").await;
    anyone.click("#recount").await;
    anyone.wait_text("#recount-result", "check out").await;
    anyone.check_page("results").await;
    anyone.goto(&app.url(&format!("/conference/{cid}/resolutions"))).await;
    anyone.wait_text("#content", "Motion 4").await;
    anyone.check_page("resolutions").await;
    anyone.goto(&app.url(&format!("/conference/{cid}/projector"))).await;
    anyone.wait_text("#content", "Waiting for the first vote").await;
    anyone.quit().await;

    let chair = driver.session().await;
    chair.sign_in(&app, &demo_email("chair"), demo.password("chair").expect("password")).await;
    chair.wait_text("#content", "Chair a conference").await;
    chair.check_page("home-chair").await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair"))).await;
    chair.wait_for("[data-take=parts]").await;
    chair.click("[data-take=parts]").await;
    chair.wait_for("[data-open-vote]").await;
    chair.click("[data-open-vote]").await;
    chair.wait_for("[data-close-poll]").await;
    // Clicking scrolled the page down to the button: the screenshot shows the open vote at the top.
    chair.exec("window.scrollTo(0, 0)", json!([])).await;
    chair.check_page("chair").await;

    let rep = driver.session().await;
    rep.sign_in(&app, &demo_email("rep1"), demo.password("rep1").expect("password")).await;
    rep.goto(&app.url(&format!("/conference/{cid}"))).await;
    rep.click("button[data-choice=for]").await;
    rep.wait_text(".your-vote", "You voted: For").await;
    rep.check_page("representative").await;
    rep.quit().await;

    let projector = driver.session().await;
    projector.goto(&app.url(&format!("/conference/{cid}/projector"))).await;
    projector.wait_text("[data-votes-cast]", "1 of ").await;
    projector.wait_text("[data-votes-cast]", "representatives have voted").await;
    projector.check_page("projector").await;
    chair.click("[data-close-poll]").await;
    projector.wait_for("#poll-result").await;
    projector.check_page("projector-result").await;
    projector.quit().await;
    chair.quit().await;

    let officer = driver.session().await;
    officer.sign_in(&app, &demo_email("officer"), demo.password("officer").expect("password")).await;
    officer.goto(&app.url("/officer#new")).await;
    officer.wait_for("#ballot-form").await;
    officer.type_into("#title", "Ballot on premises").await;
    officer.type_into("#q1-text", "Should GPC England ballot on premises costs?").await;
    officer.click("#create-ballot").await;
    officer.wait_for("#roll-form").await;
    officer.set_value(
        "#roll-text",
        "membership_no,name,email,lmc,role\nP1,Dr A,a@example.org,Devon,partner\nP2,Dr B,not-an-email,Devon,locum\nP3,Dr C,c@example.org,Devon,dentist\n",
    )
    .await;
    officer.click("#import-roll").await;
    officer.wait_text("#roll-result", "1 added, 0 changed, 0 unchanged, 2 rejected").await;
    officer.wait_text("#rejected", "3").await;
    officer.check_page("officer-roll").await;
    officer.goto(&app.url(&format!("/officer#ballot-{}", demo.open_ballot))).await;
    officer.wait_text("#turnout", "have voted").await;
    officer.check_page("officer-turnout").await;
    officer.quit().await;

    let scrutineer = driver.session().await;
    scrutineer.sign_in(&app, &demo_email("scrutineer"), demo.password("scrutineer").expect("password")).await;
    scrutineer.goto(&app.url("/scrutineer")).await;
    scrutineer.wait_text("#log-check", "audit log entries check out").await;
    scrutineer.check_page("scrutineer").await;
    scrutineer.quit().await;

    let admin = driver.session().await;
    admin.sign_in(&app, &demo_email("admin"), demo.password("admin").expect("password")).await;
    admin.wait_text("#content", "Manage accounts").await;
    admin.click("#admin-link").await;
    admin.wait_text("#user-table", &demo_email("chair")).await;
    // Create an account through the form; an empty one first shows the error summary.
    admin.click("#create-user").await;
    admin.wait_text("#error-summary", "Choose at least one role").await;
    admin.type_into("#user-name", "Dr Olu Officer").await;
    admin.type_into("#user-email", "olu@example.org").await;
    admin.type_into("#user-password", "a long passphrase for Olu").await;
    admin.click("label[for=role-officer]").await;
    admin.click("label[for=role-scrutineer]").await;
    admin.click("#create-user").await;
    admin.wait_text("#user-result", "Account created for Dr Olu Officer").await;
    let row = admin.wait_text("#user-table", "olu@example.org").await;
    assert!(row.contains("officer") && row.contains("scrutineer"), "{row}");
    admin.exec("window.scrollTo(0, 0)", json!([])).await;
    admin.check_page("admin").await;
    // Disable it, after the confirmation.
    admin.exec("window.confirm = () => true", json!([])).await;
    let id = admin
        .exec(
            "const r = Array.from(document.querySelectorAll('#user-table tr[data-user]')).find(r => r.textContent.includes('olu@example.org')); return r ? r.dataset.user : null;",
            json!([]),
        )
        .await;
    let id = id.as_str().expect("olu's row").to_string();
    admin.click(&format!("button[data-disable='{id}']")).await;
    admin.wait_text("#user-result", "The account of Dr Olu Officer is disabled").await;
    let table = admin.wait_text("#user-table", &demo_email("chair")).await;
    assert!(!table.contains("olu@example.org"), "{table}");
    admin.quit().await;

    let newcomer = driver.session().await;
    newcomer.goto(&app.url("/set-password?token=not-a-real-token")).await;
    newcomer.wait_for("#set-password").await;
    newcomer.click("#set-password-button").await;
    newcomer.wait_text("#error-summary", "Enter a new password").await;
    newcomer.check_page("set-password").await;
    newcomer.quit().await;
}

// ---- the hall: wording, wifi drops, slow taps, the projector (issue 13) ------------------------------

/// A conference with the seed motion (taken in parts) and `reps` representatives; returns
/// (conference id, motion id, chair token, representative tokens).
async fn hall(app: &TestApp, reps: usize) -> (i64, i64, String, Vec<String>) {
    let (_, chair) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let conf = app.create_conference(json!({"name": "Conference of LMCs"}), Some(&chair)).await.expect(201);
    let cid = conf["id"].as_i64().expect("id");
    let mut tokens = Vec::new();
    for i in 0..reps {
        let email = format!("rep{i}@example.org");
        let uid = app.seed_user(&email, &[Role::Representative]).await;
        app.add_representative(cid, json!({"user_id": uid, "lmc": format!("LMC {i}")}), Some(&chair)).await.expect(201);
        tokens.push(app.login(&email).await);
    }
    let m = app.create_motion(cid, json!({"text": SEED}), Some(&chair)).await.expect(201);
    let mid = m["id"].as_i64().expect("motion id");
    app.take_motion_with(mid, json!({"as": "parts"}), Some(&chair)).await.expect(200);
    (cid, mid, chair, tokens)
}

async fn open_poll(app: &TestApp, chair: &str, mid: i64, body: Value) -> i64 {
    app.open_poll(mid, body, Some(chair)).await.expect(201)["id"].as_i64().expect("poll id")
}

/// The network is cut (DevTools' emulation); meanwhile the chair opens a vote and the representative's
/// vote arrives from another device. Within 5 s of the network coming back the page shows the vote
/// and the representative's own vote. A tap while offline says "not recorded yet"; when the vote closed
/// before the connection came back, the page says the vote was not recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_catches_up_after_the_network_drops() {
    let Some(driver_path) = browser_or_skip("the_page_catches_up_after_the_network_drops") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (cid, mid, chair, reps) = hall(&app, 1).await;
    let driver = Driver::start(&driver_path).await;
    let rep = driver.session().await;
    rep.sign_in(&app, "rep0@example.org", PASSWORD).await;
    rep.goto(&app.url(&format!("/conference/{cid}"))).await;
    rep.wait_text("#live-status", "Live").await;
    rep.wait_for("#no-poll").await;

    rep.network(true, 0).await;
    rep.wait_text("#live-status", "Offline, reconnecting").await;
    let pid = open_poll(&app, &chair, mid, json!({"subject": {"part": "(ii)"}})).await;
    app.cast_vote(pid, json!({"choice": "against"}), Some(&reps[0])).await.expect(200);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let still = rep.text("#poll").await.expect("poll box");
    assert!(still.contains("No vote open"), "offline, the page cannot know yet: {still}");
    rep.network(false, 0).await;
    let back = Instant::now();
    rep.wait_text("#wording", "flexibility to deliver access").await;
    rep.wait_text(".your-vote", "You voted: Against (recorded)").await;
    rep.wait_text("#live-status", "Live").await;
    rep.wait_content("#announcer", "Vote open: Motion 1, part (ii)").await;
    let took = back.elapsed();
    eprintln!("caught up {:.1} s after the network came back", took.as_secs_f64());
    assert!(took < Duration::from_secs(5), "caught up only {:.1} s after the network came back", took.as_secs_f64());
    let pressed = rep
        .exec("return document.querySelector('button[data-choice=against]').getAttribute('aria-pressed')", json!([]))
        .await;
    assert_eq!(pressed, json!("true"));
    let tick = rep.text("button[data-choice=against]").await.expect("button");
    assert!(tick.contains('✓'), "the chosen button is marked by more than colour: {tick:?}");

    // A tap while offline: not recorded yet; the vote closes meanwhile; back online: not recorded.
    rep.network(true, 0).await;
    rep.click("button[data-choice=for]").await;
    rep.wait_text(".your-vote", "Not recorded yet: no connection").await;
    app.close_poll_with(pid, json!({"confirm": true}), Some(&chair)).await.expect(200);
    rep.network(false, 0).await;
    rep.wait_text("#vote-refused", "Your vote (For) was not recorded: the vote closed").await;
    rep.wait_text("#last-result", "Motion 1, part (ii)").await;
    rep.wait_content("#announcer", "Vote closed: Motion 1, part (ii): LOST").await;
    let poll = app.get_poll(pid, Some(&chair)).await.expect(200);
    assert_eq!(poll["counts"], json!({"for": 0, "against": 1, "abstain": 0}), "{poll}");
    rep.quit().await;
}

/// On a slow connection a tap shows at once that the vote is being sent, then that it is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tap_on_a_slow_network_shows_its_vote_being_sent() {
    let Some(driver_path) = browser_or_skip("a_tap_on_a_slow_network_shows_its_vote_being_sent") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (cid, mid, chair, reps) = hall(&app, 1).await;
    let driver = Driver::start(&driver_path).await;
    let rep = driver.session().await;
    rep.sign_in(&app, "rep0@example.org", PASSWORD).await;
    rep.goto(&app.url(&format!("/conference/{cid}"))).await;
    rep.wait_text("#live-status", "Live").await;
    let pid = open_poll(&app, &chair, mid, json!({"subject": {"part": "(i)"}})).await;
    rep.wait_for("button[data-choice=for]").await;
    rep.network(false, 2500).await;
    rep.click("button[data-choice=for]").await;
    let right_after = rep.text(".your-vote").await.expect("status");
    assert!(right_after.contains("Sending your vote: For"), "{right_after:?}");
    let pending = rep
        .exec("return document.querySelector('button[data-choice=for]').classList.contains('pending')", json!([]))
        .await;
    assert_eq!(pending, json!(true));
    rep.screenshot(&shots().join("hall-slow-network-sending.png")).await;
    rep.wait_text(".your-vote", "You voted: For (recorded)").await;
    // Two taps in quick succession: the later one wins, whatever the network does with the first.
    rep.click("button[data-choice=abstain]").await;
    rep.click("button[data-choice=against]").await;
    rep.wait_text(".your-vote", "Sending your vote: Against").await;
    rep.wait_text(".your-vote", "You voted: Against (recorded)").await;
    rep.network(false, 0).await;
    let poll = app.get_poll(pid, Some(&chair)).await.expect(200);
    assert_eq!(poll["votes_cast"], 1, "{poll}");
    let mine = app.my_vote(pid, Some(&reps[0])).await.expect(200);
    assert_eq!(mine["choice"], "against", "{mine}");
    rep.quit().await;
}

/// On a 375 px phone the words put to the vote and the three buttons are on screen together, for a part,
/// an amendment, a rider, a procedural motion and the 'A' motions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wording_and_the_buttons_fit_a_phone_for_every_kind_of_question() {
    let Some(driver_path) = browser_or_skip("the_wording_and_the_buttons_fit_a_phone_for_every_kind_of_question")
    else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (cid, mid, chair, _) = hall(&app, 1).await;
    app.create_motion(cid, json!({"stem": "That conference reaffirms its support for the partnership model.", "proposer": "Lambeth", "marks": ["a"]}), Some(&chair))
    .await
    .expect(201);
    app.create_conference(json!({"name": "Another conference"}), Some(&chair)).await.expect(201);
    let driver = Driver::start(&driver_path).await;
    let rep = driver.session().await;
    rep.window(375, 667).await;
    rep.sign_in(&app, "rep0@example.org", PASSWORD).await;
    // Home offers only the conferences this representative is registered for.
    let home = rep.wait_text("#content", "Vote at Conference of LMCs").await;
    assert!(!home.contains("Vote at Another conference"), "{home}");
    rep.goto(&app.url(&format!("/conference/{cid}"))).await;
    rep.wait_text("#live-status", "Live").await;
    let amended = "seeks to ensure that online access is offered only where the practice judges it safe";
    let cases = [
        ("amendment", json!({"subject": {"amendment": {"part": "(ii)", "text": amended}}}), amended),
        (
            "rider",
            json!({"subject": {"rider": {"text": "calls for a ballot of GPs on collective action"}}}),
            "(vi) calls for a ballot",
        ),
        (
            "procedural",
            json!({"subject": {"procedural": {"kind": "motion_be_now_put"}}}),
            "That the question be now put",
        ),
        ("a-motions", json!(null), "Motion 2 (Lambeth): That conference reaffirms"),
    ];
    for (name, body, want) in cases {
        let pid = if name == "a-motions" {
            app.open_en_bloc(cid, json!({}), Some(&chair)).await.expect(201)["id"].as_i64().expect("id")
        } else {
            open_poll(&app, &chair, mid, body).await
        };
        rep.wait_text("#wording", want).await;
        if name == "procedural" {
            rep.wait_text(".poll", "Needs a two-thirds majority").await;
        }
        rep.retry(&format!("{name}: wording and buttons on screen"), || async {
            rep.on_screen(&[
                ".wording-scroll",
                "button[data-choice=for]",
                "button[data-choice=against]",
                "button[data-choice=abstain]",
            ])
            .await
        })
        .await;
        rep.assert_accessible(&format!("hall {name} (phone)")).await;
        rep.screenshot(&shots().join(format!("hall-{name}-phone.png"))).await;
        let api = app.get_poll(pid, Some(&chair)).await.expect(200);
        assert!(api["wording"]["text"].as_str().unwrap_or("").contains(want), "{name}: {}", api["wording"]);
        app.close_poll_with(pid, json!({"confirm": true}), Some(&chair)).await.expect(200);
        rep.wait_for("#no-poll").await;
    }
    // The last vote uses the resolutions' words, and the agenda says what was decided.
    rep.wait_text("#last-result", "LOST").await;
    rep.wait_text("#agenda-next", "Motion 1").await;
    rep.quit().await;
}

/// The projector at 1920×1080 and 1280×720: full screen without the site's header, the wording and
/// "N of M representatives have voted" while open (no running count of for and against), the result
/// with percentages, the majority and the motion's outcome at close; it recovers from a dropped
/// connection by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projector_fills_the_screen_at_both_sizes() {
    let Some(driver_path) = browser_or_skip("the_projector_fills_the_screen_at_both_sizes") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (cid, mid, chair, reps) = hall(&app, 3).await;
    let driver = Driver::start(&driver_path).await;
    let projector = driver.session().await;
    projector.goto(&app.url(&format!("/conference/{cid}/projector"))).await;
    projector.wait_text("#content", "Waiting for the first vote").await;
    let chrome = projector.exec("return !!document.querySelector('header, footer, #site-nav')", json!([])).await;
    assert_eq!(chrome, json!(false), "the projector shows no site chrome");
    let pid = open_poll(&app, &chair, mid, json!({"subject": {"part": "(iii)"}})).await;
    projector.wait_text("#projector-wording", "(iii)").await;
    app.cast_vote(pid, json!({"choice": "for"}), Some(&reps[0])).await.expect(200);
    projector.wait_text("[data-votes-cast]", "1 of 3 representatives have voted").await;
    for (w, h) in [(1920, 1080), (1280, 720)] {
        projector.viewport(Some((w, h))).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let fits = projector.exec("return [document.documentElement.scrollHeight, window.innerHeight, document.documentElement.scrollWidth, window.innerWidth]", json!([])).await;
        assert_eq!((fits[1].as_i64(), fits[3].as_i64()), (Some(i64::from(h)), Some(i64::from(w))), "viewport {fits}");
        assert!(
            fits[0].as_i64() <= fits[1].as_i64() && fits[2].as_i64() <= fits[3].as_i64(),
            "{w}x{h}: scrolls: {fits}"
        );
        let text = projector.text("#content").await.expect("content");
        assert!(
            !text.contains("For 1") && !text.to_lowercase().contains("against 0"),
            "no running count while open: {text}"
        );
        projector.screenshot(&shots().join(format!("projector-open-{w}x{h}.png"))).await;
    }
    app.cast_vote(pid, json!({"choice": "for"}), Some(&reps[1])).await.expect(200);
    app.cast_vote(pid, json!({"choice": "abstain"}), Some(&reps[2])).await.expect(200);
    app.close_poll(pid, Some(&chair)).await.expect(200);
    projector.wait_text("#poll-result", "CARRIED NEM CON").await;
    let counts = projector.text("#proj-counts").await.expect("counts");
    assert!(counts.contains("100%") && counts.contains("not counted"), "{counts}");
    projector.wait_text("#content", "Needs a simple majority").await;
    for (w, h) in [(1920, 1080), (1280, 720)] {
        projector.viewport(Some((w, h))).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let fits =
            projector.exec("return [document.documentElement.scrollHeight, window.innerHeight]", json!([])).await;
        assert!(fits[0].as_i64() <= fits[1].as_i64(), "{w}x{h}: scrolls: {fits}");
        projector.screenshot(&shots().join(format!("projector-result-{w}x{h}.png"))).await;
    }
    // The connection drops; the chair puts the rest of the motion meanwhile; the projector catches up.
    projector.network(true, 0).await;
    projector.wait_text("#live-status", "Reconnecting").await;
    for label in ["(i)", "(ii)", "(iv)", "(v)"] {
        let p = open_poll(&app, &chair, mid, json!({"subject": {"part": label}})).await;
        app.cast_vote(p, json!({"choice": "for"}), Some(&reps[0])).await.expect(200);
        app.close_poll_with(p, json!({"confirm": true}), Some(&chair)).await.expect(200);
    }
    projector.network(false, 0).await;
    projector.wait_text("#motion-outcome", "CARRIED IN ALL PARTS").await;
    projector.screenshot(&shots().join("projector-decided-1280x720.png")).await;
    app.close_conference_with(cid, json!({"confirm": true}), Some(&chair)).await.expect(200);
    projector.wait_text("#content", "the conference has closed").await;
    projector.quit().await;
}

/// A page in use stays signed in past its token's lifetime (renewed while in use); when the session does
/// end (signed out elsewhere), the page says so, nothing behind the message can be pressed, and signing
/// in again in place lets the interrupted request go through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_renewed_while_in_use_and_says_when_it_ends() {
    let Some(driver_path) = browser_or_skip("a_session_is_renewed_while_in_use_and_says_when_it_ends") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = helpers::spawn_app_with(Backend::Sqlite, &[("CARRIED_TOKEN_TTL_MINUTES", "1")]).await.expect("app");
    app.seed_user("chair@example.org", &[Role::Chair]).await;
    let driver = Driver::start(&driver_path).await;
    let page = driver.session().await;
    page.sign_in(&app, "chair@example.org", PASSWORD).await;
    page.goto(&app.url("/")).await;
    page.wait_text("#site-nav", "Sign out").await;
    // Past the one-minute token lifetime the page is still signed in: it renewed its session.
    tokio::time::sleep(Duration::from_secs(70)).await;
    let me = page
        .exec_async(
            "const done = arguments[arguments.length - 1]; import('/static/js/common.js')\
             .then(m => m.api('GET', '/auth/me')).then(u => done(u.email), e => done('error: ' + e.message));",
            json!([]),
        )
        .await;
    assert_eq!(me, json!("chair@example.org"));
    assert_eq!(page.exec("return !!document.querySelector('#session-ended')", json!([])).await, json!(false));

    // Signing out elsewhere ends this page's session too.
    let other = app.login("chair@example.org").await;
    app.logout(Some(&other)).await.expect(204);
    page.exec(
        "window.__me = null; import('/static/js/common.js').then(m => m.api('GET', '/auth/me'))\
         .then(u => { window.__me = u.email; });",
        json!([]),
    )
    .await;
    page.wait_text("#session-ended", "You have been signed out").await;
    assert_eq!(
        page.exec("return document.querySelector('#session-ended').matches(':modal')", json!([])).await,
        json!(true)
    );
    page.assert_accessible("session ended").await;
    page.type_into("#session-password", PASSWORD).await;
    page.click("#session-ended button[type=submit]").await;
    page.retry("the interrupted request goes through after signing in again", || async {
        let v = page.exec("return window.__me", json!([])).await;
        if v == json!("chair@example.org") {
            Ok(())
        } else {
            Err(format!("window.__me is {v}"))
        }
    })
    .await;
    assert_eq!(page.exec("return !!document.querySelector('#session-ended')", json!([])).await, json!(false));
    page.quit().await;
}

/// The chair imports a 100-item agenda: pastes it, sees the preview table with the warning on its line,
/// confirms, and the items are on the agenda in order; importing again adds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chair_imports_a_hundred_item_agenda() {
    let Some(driver_path) = browser_or_skip("chair_imports_a_hundred_item_agenda") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (_, chair_token) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let conf = app.create_conference(json!({"name": "Conference of Shire LMCs"}), Some(&chair_token)).await.expect(201);
    let cid = conf["id"].as_i64().expect("id");
    let agenda = include_str!("fixtures/agenda-100.txt");
    let driver = Driver::start(&driver_path).await;
    let chair = driver.session().await;
    chair.sign_in(&app, "chair@example.org", PASSWORD).await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair"))).await;
    chair.wait_for("#import-agenda").await;
    // Nothing given: an error.
    chair.click("#preview-agenda").await;
    chair.wait_text("#error-summary", "Paste the agenda").await;
    chair.set_value("#agenda-text", agenda).await;
    chair.click("#preview-agenda").await;
    chair.wait_text("#agenda-preview h3", "It reads as 100 items").await;
    let row = chair.wait_text("#agenda-preview-table tr[data-item='5']", "missing").await;
    assert!(row.contains("Line"), "the warning names its line: {row}");
    let bracket = chair.text("#agenda-preview-table tr[data-item='1b']").await.expect("row 1b");
    assert!(bracket.contains("bracket 1") && bracket.contains("Upper Dale"), "{bracket}");
    let amendment = chair.text("#agenda-preview-table tr[data-item='3']").await.expect("row 3");
    assert!(amendment.contains("Amendment to 2"), "{amendment}");
    // Nothing is saved before the chair confirms.
    let motions = app.list_motions(cid, Some(&chair_token)).await.expect(200);
    assert_eq!(motions.as_array().expect("list").len(), 0);
    let listed = chair.wait_text("#agenda-item-warnings", "Item 5, line").await;
    assert!(listed.contains("missing"), "{listed}");
    chair.exec("document.querySelector('#agenda-preview').scrollIntoView()", json!([])).await;
    chair.screenshot(&shots().join("chair-agenda-preview.png")).await;
    chair.exec("document.querySelector(\"#agenda-preview-table tr[data-item='5']\").scrollIntoView()", json!([])).await;
    chair.screenshot(&shots().join("chair-agenda-preview-warning.png")).await;
    chair.click("#confirm-agenda").await;
    chair.wait_text("#agenda-saved", "Saved: 100 added, 0 updated, 0 unchanged").await;
    chair.wait_text("#running-order", "1b").await;
    let motions = app.list_motions(cid, Some(&chair_token)).await.expect(200);
    let items: Vec<String> =
        motions.as_array().expect("list").iter().map(|m| m["item"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(items.len(), 100);
    assert_eq!(&items[..5], ["1", "1a", "1b", "1c", "2"]);
    // The same agenda again: all unchanged, nothing duplicated.
    chair.set_value("#agenda-text", agenda).await;
    chair.click("#preview-agenda").await;
    chair.wait_text("#agenda-preview", "0 added, 0 updated, 100 unchanged").await;

    // The running order: Now and Next, search by LMC, and the bar with the open vote.
    chair.wait_text("#running-order-section", "Now: item 1").await;
    chair.wait_text("#running-order-section", "Next: item 1a").await;
    chair.set_value("#index-search", "upper dale").await;
    chair.exec("document.querySelector('#index-search').dispatchEvent(new Event('input'))", json!([])).await;
    let shown = chair
        .exec("return [...document.querySelectorAll('#running-order tr[data-search]')].filter((r) => !r.hidden).map((r) => r.dataset.indexItem)", json!([]))
        .await;
    assert_eq!(shown, json!(["1b"]), "searching by LMC finds its item");
    chair.set_value("#index-search", "").await;
    chair.exec("document.querySelector('#index-search').dispatchEvent(new Event('input'))", json!([])).await;
    for i in 0..2 {
        let uid = app.seed_user(&format!("rep{i}@example.org"), &[Role::Representative]).await;
        app.add_representative(cid, json!({"user_id": uid, "lmc": format!("LMC {i}")}), Some(&chair_token))
            .await
            .expect(201);
    }
    let one = items_ids(&app, cid, &chair_token).await["1"];
    app.open_poll(one, json!({"subject": "whole"}), Some(&chair_token)).await.expect(201);
    chair.wait_text("#vote-bar", "Vote open: Motion 1: the motion as a whole").await;
    chair.wait_text("#vote-bar", "0 of 2 voted").await;
    // Far down the page the bar, with Close, is still on screen.
    chair.exec("window.scrollTo(0, document.body.scrollHeight * 0.6)", json!([])).await;
    let on_screen = chair
        .exec("const r = document.querySelector('#bar-close').getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight", json!([]))
        .await;
    assert_eq!(on_screen, json!(true), "the Close button stays on screen");
    chair.screenshot(&shots().join("chair-running-order-bar.png")).await;
    // No one voted: closing asks to confirm first.
    chair.click("#bar-close").await;
    chair.wait_text("#vote-bar [role=alertdialog]", "Only 0 of 2 registered representatives have voted").await;
    let open = app.list_open_polls(cid, None).await.expect(200);
    assert_eq!(open.as_array().expect("polls").len(), 1, "not closed before the chair confirms");
    chair.click("#vote-bar [data-confirm-close]").await;
    chair.wait_text("#running-order", "LOST").await;
    chair.wait_text("#running-order-section", "Now: item 1a").await;
    chair.exec("document.querySelector('#running-order-section').scrollIntoView()", json!([])).await;
    chair.screenshot(&shots().join("chair-running-order.png")).await;
    chair.quit().await;
}

async fn items_ids(app: &TestApp, cid: i64, token: &str) -> std::collections::HashMap<String, i64> {
    let motions = app.list_motions(cid, Some(token)).await.expect(200);
    motions
        .as_array()
        .expect("list")
        .iter()
        .map(|m| (m["item"].as_str().unwrap_or("").to_string(), m["id"].as_i64().unwrap_or(0)))
        .collect()
}

/// The officer's console on an open ballot: delivery progress of the invitations, one invitation resent,
/// and reminders that say how many will go, ask to confirm, and warn before a second round within the hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_watches_delivery_resends_one_and_confirms_reminders() {
    let Some(driver_path) = browser_or_skip("officer_watches_delivery_resends_one_and_confirms_reminders") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let (app, demo) = demo_app().await;
    // The demo's invitations, sent now through the service's own sender (the page is watched below).
    app.send_mail().await;
    let driver = Driver::start(&driver_path).await;
    let officer = driver.session().await;
    officer.sign_in(&app, &demo_email("officer"), demo.password("officer").expect("officer password")).await;
    officer.goto(&app.url(&format!("/officer#ballot-{}", demo.open_ballot))).await;
    // Delivery: every invitation of the demo roll ends up sent, shown with a progress bar.
    let eligible = app.get_ballot(demo.open_ballot, None).await.expect(200)["eligible"].as_i64().expect("eligible");
    officer.wait_text("#delivery", &format!("Invitations: {eligible} of {eligible} sent")).await;
    let bar = officer
        .exec("const p = document.querySelector('#progress-invitation'); return [p.value, p.max]", json!([]))
        .await;
    assert_eq!(bar, json!([eligible, eligible]), "{bar}");
    // Resend one GP's invitation.
    officer.type_into("#resend-no", "M0001").await;
    officer.click("#resend").await;
    officer.wait_text("#resend-result", "Invitation for M0001 queued again.").await;
    app.send_mail().await;
    officer.wait_text("#delivery", &format!("Invitations: {} of {} sent", eligible + 1, eligible + 1)).await;
    // An unknown number is named.
    officer.set_value("#resend-no", "").await;
    officer.type_into("#resend-no", "NOPE-1").await;
    officer.click("#resend").await;
    officer.wait_text("#error-summary", "NOPE-1 is not on this roll").await;
    // Reminders: how many, confirmed first.
    officer.wait_text("#reminder-info", "would be reminded").await;
    officer.click("#remind").await;
    let ask = officer.wait_text("#remind-confirm", "reminders now?").await;
    assert!(ask.contains("None have been sent yet"), "{ask}");
    officer.click("#remind-no").await;
    // Cancelled: nothing went, so asking again still says none have been sent.
    officer.click("#remind").await;
    let ask = officer.wait_text("#remind-confirm", "reminders now?").await;
    assert!(ask.contains("None have been sent yet"), "cancel sends nothing: {ask}");
    officer.click("#remind-yes").await;
    officer.wait_text("#remind-result", "reminders queued").await;
    // A second round within the hour: the confirmation says so.
    officer.click("#remind").await;
    let again = officer.wait_text("#remind-confirm", "less than an hour ago").await;
    assert!(again.contains("The last"), "{again}");
    officer.wait_text("#remind-yes", "Send them again anyway").await;
    officer.screenshot(&shots().join("officer-console.png")).await;
    officer.click("#remind-no").await;
    officer.quit().await;
}

/// The chair runs a 100-item agenda from the compact index: the page stays short, search finds an item
/// by number and by LMC, jump links scroll the index to a section, choosing an item shows it alone in full
/// (with its amendment and rider in voting order), the item tools act through the API, a carried
/// agenda-committee motion is applied, and the bar with the open vote and Close stays on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chair_runs_a_hundred_items_from_the_index() {
    let Some(driver_path) = browser_or_skip("chair_runs_a_hundred_items_from_the_index") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (_, chair_token) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let conf = app.create_conference(json!({"name": "Conference of Shire LMCs"}), Some(&chair_token)).await.expect(201);
    let cid = conf["id"].as_i64().expect("id");
    app.import_agenda(cid, json!({"text": include_str!("fixtures/agenda-100.txt")}), Some(&chair_token))
        .await
        .expect(201);
    let committee = app
        .create_motion(
            cid,
            json!({"text": "AGENDA COMMITTEE TO BE PROPOSED BY NORTH WESSEX: That item 13 be an 'A' motion."}),
            Some(&chair_token),
        )
        .await
        .expect(201);
    let committee_item = committee["item"].as_str().expect("item").to_string();
    let mut reps = Vec::new();
    for i in 0..3 {
        let email = format!("rep{i}@example.org");
        let uid = app.seed_user(&email, &[Role::Representative]).await;
        app.add_representative(cid, json!({"user_id": uid, "lmc": format!("LMC {i}")}), Some(&chair_token))
            .await
            .expect(201);
        reps.push(app.login(&email).await);
    }
    let ids = items_ids(&app, cid, &chair_token).await;
    assert_eq!(ids.len(), 101);
    let motion = |item: &str| {
        let id = ids[item];
        let app = &app;
        async move { app.get_motion(id, None).await.expect(200) }
    };

    let driver = Driver::start(&driver_path).await;
    let chair = driver.session().await;
    chair.sign_in(&app, "chair@example.org", PASSWORD).await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair"))).await;
    chair.wait_text("#running-order", "Running order: 101 items").await;
    chair.wait_text("#now-next", "Now: item 1").await;
    // The item in hand is shown in full, and only it.
    chair.wait_text("#agenda", "Motion 1").await;
    let shown = chair.exec("return document.querySelectorAll('#agenda li.motion').length", json!([])).await;
    assert_eq!(shown, json!(1), "one item in full");
    let size = chair.exec("return [document.documentElement.scrollHeight, window.innerHeight]", json!([])).await;
    let (height, screen) = (size[0].as_i64().expect("height"), size[1].as_i64().expect("screen"));
    let parts = chair
        .exec("return [...document.querySelectorAll('#content > *, #main > *')].map((e) => `${e.id || e.tagName}: ${Math.round(e.getBoundingClientRect().height)}`)", json!([]))
        .await;
    eprintln!("chair's page with 101 items: {height}px, a screen {screen}px ({parts})");
    assert!(height < 3 * screen, "{parts}: with 101 items the page is {height}px high; a screen is {screen}px");
    chair.screenshot(&shots().join("chair-index.png")).await;

    // Search by number, then Enter shows it.
    let visible = "return [...document.querySelectorAll('#running-order tr[data-index-item]')].filter((r) => !r.hidden).map((r) => r.dataset.indexItem)";
    chair.set_value("#index-search", "57").await;
    chair.exec("document.querySelector('#index-search').dispatchEvent(new Event('input'))", json!([])).await;
    assert_eq!(chair.exec(visible, json!([])).await, json!(["57"]), "searching by number finds it");
    chair.wait_text("#index-found", "1 found").await;
    chair
        .exec(
            "document.querySelector('#index-search').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))",
            json!([]),
        )
        .await;
    chair.wait_text("#agenda h3", "Motion 57").await;
    assert_eq!(chair.exec("return location.hash", json!([])).await, json!("#item-57"));
    chair.screenshot(&shots().join("chair-index-search.png")).await;
    // By LMC.
    chair.set_value("#index-search", "upper dale").await;
    chair.exec("document.querySelector('#index-search').dispatchEvent(new Event('input'))", json!([])).await;
    assert_eq!(chair.exec(visible, json!([])).await, json!(["1b"]), "searching by LMC finds its item");
    chair.set_value("#index-search", "").await;
    chair.exec("document.querySelector('#index-search').dispatchEvent(new Event('input'))", json!([])).await;

    // Jump links scroll the index to a section heading.
    chair.click("[data-jump-section='WORKLOAD']").await;
    let in_view = chair
        .exec(
            "const w = document.querySelector('#index-wrap').getBoundingClientRect(); \
             const r = [...document.querySelectorAll('#running-order tr.index-section')].find((t) => t.textContent === 'WORKLOAD').getBoundingClientRect(); \
             return [document.querySelector('#index-wrap').scrollTop > 0, r.top >= w.top - 1 && r.bottom <= w.bottom + 1]",
            json!([]),
        )
        .await;
    assert_eq!(in_view, json!([true, true]), "the jump scrolls the index to the section");

    // Choosing item 2 shows it with its amendment and rider in voting order.
    chair.click("#running-order a[data-select='2']").await;
    chair.wait_text("#agenda h3", "Motion 2").await;
    let order = chair.wait_text(&format!("#voting-order-{}", ids["2"]), "amendment 3").await;
    assert!(
        order.find("amendment 3") < order.find("rider 4") && order.find("rider 4") < order.find("item 2 itself"),
        "{order}"
    );
    chair.exec("document.querySelector('#agenda-section').scrollIntoView()", json!([])).await;
    chair.screenshot(&shots().join("chair-index-item.png")).await;

    // The tools: to the grey section, withdraw (asks first), move, bracket.
    chair.goto(&app.url(&format!("/conference/{cid}/chair#item-7"))).await;
    chair.wait_text("#agenda h3", "Motion 7").await;
    chair.js_click("#agenda [data-action=grey]").await;
    chair.wait_text("#running-order tr[data-index-item='7'] .index-marks", "grey").await;
    assert_eq!(motion("7").await["marks"], json!(["grey"]));
    chair.js_click("#agenda [data-action=withdraw]").await;
    chair.wait_text("#agenda [role=alertdialog]", "Withdraw item 7?").await;
    assert!(motion("7").await["outcome_text"].is_null(), "not before the chair confirms");
    chair.js_click("#agenda [data-confirm=withdraw]").await;
    chair.wait_text("#running-order tr[data-index-item='7']", "WITHDRAWN").await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair#item-11"))).await;
    chair.wait_text("#agenda h3", "Motion 11").await;
    chair.set_value(&format!("#move-after-{}", ids["11"]), "1").await;
    chair.js_click(&format!("form[data-move='{}'] button", ids["11"])).await;
    let order_now = "return [...document.querySelectorAll('#running-order tr[data-index-item]')].slice(0, 3).map((r) => r.dataset.indexItem)";
    for _ in 0..50 {
        if chair.exec(order_now, json!([])).await == json!(["1", "11", "1a"]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(chair.exec(order_now, json!([])).await, json!(["1", "11", "1a"]), "item 11 moved after item 1");
    let after: Vec<String> = app
        .list_motions(cid, None)
        .await
        .expect(200)
        .as_array()
        .expect("list")
        .iter()
        .take(3)
        .map(|m| m["item"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(after, ["1", "11", "1a"]);
    chair.set_value(&format!("#bracket-{}", ids["11"]), "1").await;
    chair.js_click(&format!("form[data-bracket-form='{}'] button", ids["11"])).await;
    chair.wait_text("#running-order tr[data-index-item='11'] .index-marks", "bracket 1").await;

    // Star it, and correct a proposer before any vote.
    chair.goto(&app.url(&format!("/conference/{cid}/chair#item-9"))).await;
    chair.wait_text("#agenda h3", "Motion 9").await;
    chair.js_click("#agenda [data-action=star]").await;
    chair.wait_text("#running-order tr[data-index-item='9'] .index-marks", "★").await;
    chair.set_value(&format!("#edit-{}-proposer", ids["9"]), "Eastham and Westham").await;
    chair.js_click(&format!("[data-save-edit='{}']", ids["9"])).await;
    chair.wait_text("#running-order tr[data-index-item='9']", "Eastham and Westham").await;
    assert_eq!(motion("9").await["proposer"], "Eastham and Westham");

    // The agenda-committee motion: carried, then applied from the page.
    let vote = |item: String| {
        let app = &app;
        let reps = &reps;
        let token = chair_token.clone();
        let id = ids[item.as_str()];
        async move {
            let p = app.open_poll(id, json!({"subject": "whole"}), Some(&token)).await;
            let pid = p.expect(201)["id"].as_i64().expect("poll");
            for t in reps {
                app.cast_vote(pid, json!({"choice": "for"}), Some(t)).await.expect(200);
            }
            pid
        }
    };
    let pid = vote(committee_item.clone()).await;
    app.close_poll_with(pid, json!({"confirm": true}), Some(&chair_token)).await.expect(200);
    chair.wait_text(&format!("#running-order tr[data-index-item='{committee_item}']"), "CARRIED").await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair#item-{committee_item}"))).await;
    chair.wait_text(&format!("#apply-result-{}", ids[committee_item.as_str()]), "Item 13 becomes an 'A' motion").await;
    chair.js_click("[data-apply-button]").await;
    chair.wait_text("#running-order tr[data-index-item='13'] .index-marks", "A").await;
    assert_eq!(motion("13").await["marks"], json!(["a"]));

    // The amendment to item 2, read from the agenda, put to the vote on item 2 from its own page.
    chair.goto(&app.url(&format!("/conference/{cid}/chair#item-3"))).await;
    chair.wait_text("#agenda h3", "Motion 3").await;
    chair.wait_text(&format!("#put-{}-note", ids["3"]), "Read from the agenda").await;
    let read = chair
        .exec("return document.querySelector(arguments[0]).value", json!([format!("#put-{}-text", ids["3"])]))
        .await;
    assert_eq!(read, json!("consult LMCs first"));
    chair.screenshot(&shots().join("chair-index-amendment.png")).await;
    chair.js_click("[data-put-item='3']").await;
    chair.wait_text("#vote-bar", "Vote open: Motion 2: amendment to part").await;
    chair.wait_text("#now-next", "Now: item 3").await;
    let open = app.list_open_polls(cid, None).await.expect(200);
    let amendment_poll = open[0]["id"].as_i64().expect("poll");
    assert_eq!(open[0]["motion_id"], json!(ids["2"]));
    for t in &reps {
        app.cast_vote(amendment_poll, json!({"choice": "for"}), Some(t)).await.expect(200);
    }
    app.close_poll(amendment_poll, Some(&chair_token)).await.expect(200);
    chair.wait_text("#running-order tr[data-index-item='3']", "CARRIED").await;
    assert_eq!(motion("2").await["parts"][1]["text"], "consult LMCs first");

    // A vote open: the bar with its count and Close stays on screen, far down the page; Close asks first.
    let pid = vote("14".into()).await;
    chair.wait_text("#vote-bar", "Vote open: Motion 14").await;
    chair.wait_text("#vote-bar", "3 of 3 voted").await;
    chair.wait_text("#now-next", "Now: item 14").await;
    chair.exec("window.scrollTo(0, document.body.scrollHeight)", json!([])).await;
    chair.on_screen(&["#bar-close"]).await.expect("Close on screen at the bottom of the page");
    chair.exec("window.scrollTo(0, document.body.scrollHeight / 2)", json!([])).await;
    chair.on_screen(&["#bar-close"]).await.expect("Close on screen mid-page");
    chair.screenshot(&shots().join("chair-index-bar.png")).await;
    chair.js_click("#bar-close").await;
    chair.wait_text("#vote-bar [role=alertdialog]", "3 of 3 registered representatives have voted").await;
    let poll = app.get_poll(pid, None).await.expect(200);
    assert_eq!(poll["status"], "open", "not closed before the chair confirms");
    chair.screenshot(&shots().join("chair-index-bar-confirm.png")).await;
    chair.js_click("#vote-bar [data-confirm-close]").await;
    chair.wait_text("#running-order tr[data-index-item='14']", "CARRIED").await;
    assert_eq!(app.get_poll(pid, None).await.expect(200)["status"], "closed");
    chair.quit().await;
}

/// The published resolutions (issue 14, item 5): a chair who has run a short day follows the link from
/// the chair's page to the print layout, which reads as a published document (title, dates and venue,
/// resolutions with their parts and votes, motions lost, not reached; amendments and riders), passes axe,
/// fits a phone, and prints to a PDF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chair_opens_the_resolutions_to_print() {
    let Some(driver_path) = browser_or_skip("chair_opens_the_resolutions_to_print") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (_, chair_token) = app.user_with("chair@example.org", &[Role::Chair]).await;
    let conf = app
        .create_conference(json!({"name": "Conference of England LMCs", "venue": "Manchester"}), Some(&chair_token))
        .await
        .expect(201);
    let cid = conf["id"].as_i64().expect("id");
    let mut reps = Vec::new();
    for i in 0..3 {
        let email = format!("rep{i}@example.org");
        let uid = app.seed_user(&email, &[Role::Representative]).await;
        app.add_representative(cid, json!({"user_id": uid, "lmc": format!("LMC {i}")}), Some(&chair_token))
            .await
            .expect(201);
        reps.push(app.login(&email).await);
    }
    let agenda = "GP CONTRACT\n\n\
        12 AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE: That conference is deeply concerned that the \
        contract variation requires practices to maintain continuous access throughout core hours (08:00–18:30). Conference:\n\
        (i) rejects the government's contractual requirement for continuous access\n\
        (ii) insists that practices retain flexibility to deliver access safely\n\
        (iii) demands that the requirement be withdrawn.\n\n\
        13 Amendment by CLEVELAND: that part (ii) of item 12 be amended to read \"insists that practices retain \
        flexibility to deliver access safely and within their contract\".\n\n\
        14 Rider by WESSEX: that the following part be added to item 12: \"asks GPC England to report back.\"\n\n\
        15 LAMBETH: That conference believes the CQC should be abolished.\n\n\
        PENSIONS\n\n\
        A 16 KENT: That conference reaffirms its policy on the annual allowance.\n\n\
        17 DEVON: That conference asks for a review of the pension scheme's governance.\n";
    app.import_agenda(cid, json!({"text": agenda}), Some(&chair_token)).await.expect(201);
    let ids = items_ids(&app, cid, &chair_token).await;
    let poll = |mid: i64, subject: Value, choices: [&'static str; 3]| {
        let (app, chair, reps) = (&app, chair_token.clone(), reps.clone());
        async move {
            let p = app.open_poll(mid, json!({"subject": subject}), Some(&chair)).await.expect(201);
            for (tok, ch) in reps.iter().zip(choices) {
                app.cast_vote(&p["id"], json!({"choice": ch}), Some(tok)).await.expect(200);
            }
            app.close_poll_with(&p["id"], json!({"confirm": true}), Some(&chair)).await.expect(200);
        }
    };
    let twelve = ids["12"];
    app.take_motion_with(twelve, json!({"as": "parts"}), Some(&chair_token)).await.expect(200);
    poll(
        twelve,
        json!({"amendment": {"part": "(ii)", "text": "insists that practices retain flexibility to deliver access safely and within their contract"}}),
        ["for", "for", "against"],
    )
    .await;
    poll(twelve, json!({"part": "(i)"}), ["for", "for", "for"]).await;
    poll(twelve, json!({"rider": {"text": "asks GPC England to report back."}}), ["for", "for", "abstain"]).await;
    poll(twelve, json!({"part": "(ii)"}), ["for", "for", "against"]).await;
    poll(twelve, json!({"part": "(iii)"}), ["against", "against", "for"]).await;
    poll(twelve, json!({"part": "(iv)"}), ["for", "for", "abstain"]).await;
    poll(ids["15"], json!("whole"), ["against", "against", "for"]).await;
    let p = app.open_en_bloc(cid, json!({}), Some(&chair_token)).await.expect(201);
    for tok in &reps {
        app.cast_vote(&p["id"], json!({"choice": "for"}), Some(tok)).await.expect(200);
    }
    app.close_poll_with(&p["id"], json!({"confirm": true}), Some(&chair_token)).await.expect(200);
    app.close_conference_with(cid, json!({"confirm": true}), Some(&chair_token)).await.expect(200);

    let driver = Driver::start(&driver_path).await;
    let chair = driver.session().await;
    chair.sign_in(&app, "chair@example.org", PASSWORD).await;
    // The venue and dates, set on the resolutions page; a last day before the first is named.
    chair.goto(&app.url(&format!("/conference/{cid}/resolutions"))).await;
    chair.wait_for("#conference-details-section summary").await;
    chair.click("#conference-details-section summary").await;
    chair.set_value("#conf-venue", "Manchester Central").await;
    chair.set_value("#conf-starts", "2026-11-20").await;
    chair.set_value("#conf-ends", "2026-11-19").await;
    chair.click("#save-conference-details").await;
    chair.wait_text("#error-summary", "is before starts_on").await;
    chair.set_value("#conf-starts", "2026-11-19").await;
    chair.set_value("#conf-ends", "2026-11-20").await;
    chair.click("#save-conference-details").await;
    chair.wait_text("#conf-details-status", "Saved.").await;
    let c = app.get_conference(cid, None).await.expect(200);
    assert_eq!(
        (c["venue"].as_str(), c["starts_on"].as_str(), c["ends_on"].as_str()),
        (Some("Manchester Central"), Some("2026-11-19"), Some("2026-11-20"))
    );
    chair.check_page("resolutions-chair").await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair"))).await;
    chair.wait_for("#print-resolutions").await;
    chair.click("#print-resolutions").await;
    let head = chair.wait_text(".doc-head", "Conference of England LMCs").await;
    assert!(head.contains("Thursday 19 and Friday 20 November 2026, Manchester Central"), "{head}");
    let twelve_text = chair.text("#resolutions article[data-item='12']").await.expect("item 12");
    assert!(twelve_text.contains("AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE:"), "{twelve_text}");
    assert!(twelve_text.contains("within their contract (as amended)"), "{twelve_text}");
    assert!(twelve_text.contains("PARTS (i), (ii) AND (iv) CARRIED; PART (iii) LOST"), "{twelve_text}");
    assert!(twelve_text.contains("Amendment to motion 12, part (ii) (item 13)"), "{twelve_text}");
    chair.wait_text("#lost article[data-item='15']", "LOST — for 1 (33.3%), against 2 (66.7%), abstain 0").await;
    chair.wait_text("#not_reached article[data-item='17']", "NOT REACHED").await;
    chair.wait_text("#resolutions article[data-item='16']", "CARRIED (with the 'A' motions, en bloc)").await;
    chair.check_page("resolutions-print").await;
    // As printed: the print stylesheet, then a PDF from the browser's own print.
    chair.cdp("Emulation.setEmulatedMedia", json!({"media": "print"})).await.expect("print media");
    chair.screenshot(&shots().join("resolutions-print-media.png")).await;
    let pdf = chair.cdp("Page.printToPDF", json!({"printBackground": false})).await.expect("printToPDF");
    use base64::Engine;
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(pdf["data"].as_str().unwrap_or("")).expect("pdf base64");
    assert!(bytes.starts_with(b"%PDF") && bytes.len() > 5_000, "a PDF of {} bytes", bytes.len());
    let pdf_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&pdf_dir).expect("screenshot dir");
    std::fs::write(pdf_dir.join("resolutions.pdf"), &bytes).expect("write the PDF");
    chair.quit().await;
}
// Speakers and time on two phones and the projector.
#[path = "browser/speakers.rs"]
mod speakers;
