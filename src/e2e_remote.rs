//! `carried trustee threshold-* --server URL --ballot ID`: the trustee's side of a key ceremony relayed by
//! the service, over HTTP. The sign-in token comes from `--token-file` or `CARRIED_TOKEN` (the `token` of
//! `POST /api/v1/auth/login`). Plain `http://` only in this build (no TLS client is compiled in yet).

use std::path::PathBuf;

use clap::Args;
use serde_json::Value;

/// Where to fetch what a step needs and post what it makes (instead of files).
#[derive(Args, Clone, Debug, Default)]
pub struct Remote {
    /// The service's address (e.g. http://127.0.0.1:8080): fetch what this step needs from the ballot's
    /// key ceremony and post its output there.
    #[arg(long, requires = "ballot")]
    pub server: Option<String>,
    /// The ballot's id (with --server).
    #[arg(long, requires = "server")]
    pub ballot: Option<i64>,
    /// A file holding your sign-in token (else the CARRIED_TOKEN environment variable).
    #[arg(long, requires = "server")]
    pub token_file: Option<PathBuf>,
}

pub struct Client {
    base: String,
    ballot: i64,
    token: String,
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
}

impl Remote {
    /// A client when --server is given.
    pub fn client(&self) -> Result<Option<Client>, String> {
        let (Some(server), Some(ballot)) = (&self.server, self.ballot) else { return Ok(None) };
        let token = match &self.token_file {
            Some(p) => crate::e2e_cli::read_text(p)?.trim().to_owned(),
            None => std::env::var("CARRIED_TOKEN").map_err(|_| {
                "--server needs your sign-in token: give --token-file FILE or set CARRIED_TOKEN".to_string()
            })?,
        };
        if token.is_empty() {
            return Err("the sign-in token is empty".into());
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Some(Client { base: server.trim_end_matches('/').to_owned(), ballot, token, http, rt }))
    }
}

impl Client {
    fn url(&self, tail: &str) -> String {
        format!("{}/api/v1/ballots/{}/{tail}", self.base, self.ballot)
    }

    fn send(&self, req: reqwest::RequestBuilder) -> Result<String, String> {
        self.rt.block_on(async {
            let r = req.bearer_auth(&self.token).send().await.map_err(|e| format!("{}: {e}", self.base))?;
            let status = r.status();
            let text = r.text().await.map_err(|e| format!("{}: {e}", self.base))?;
            if status.is_success() {
                return Ok(text);
            }
            let detail = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
                .unwrap_or(text);
            Err(format!("the server refused ({}): {detail}", status.as_u16()))
        })
    }

    /// GET …/ballots/{id}/{tail}: the body as text.
    pub fn get(&self, tail: &str) -> Result<String, String> {
        self.send(self.http.get(self.url(tail)))
    }

    /// POST a JSON body to …/ballots/{id}/{tail}: the answer as JSON.
    pub fn post(&self, tail: &str, body: &str) -> Result<Value, String> {
        let text =
            self.send(self.http.post(self.url(tail)).header("Content-Type", "application/json").body(body.to_owned()))?;
        serde_json::from_str(&text).map_err(|e| format!("the server's answer does not parse: {e}"))
    }

    /// The ceremony's state (GET …/ceremony).
    pub fn ceremony(&self) -> Result<Value, String> {
        serde_json::from_str(&self.get("ceremony")?).map_err(|e| format!("the ceremony does not parse: {e}"))
    }
}

/// One line for the trustee: the ceremony's step and who is still to act.
pub fn summary(v: &Value) -> String {
    let step = v["step"].as_str().unwrap_or("?");
    let waiting: Vec<&str> =
        v["waiting_for"].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
    if step == "complete" {
        "the key ceremony is complete: the ballot can open".to_string()
    } else if waiting.is_empty() {
        format!("the key ceremony is at step {step}")
    } else {
        format!("the key ceremony is at step {step}; still to act: {}", waiting.join(", "))
    }
}
