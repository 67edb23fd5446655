//! Ballots, their rolls and mail (OpenAPI tag `ballots`).

use std::fmt::Display;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// POST `/api/v1/ballots`: An officer creates a ballot.
    pub async fn create_ballot(&self, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, "/api/v1/ballots", Some(body), token).await
    }

    /// GET `/api/v1/ballots`: Every ballot the caller may see.
    pub async fn list_ballots(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/ballots", None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}`: One ballot.
    pub async fn get_ballot(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}"), None, token).await
    }

    /// PUT `/api/v1/ballots/{ballot}`: Change a draft ballot.
    pub async fn update_ballot(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::PUT, &format!("/api/v1/ballots/{ballot}"), Some(body), token).await
    }

    /// POST `/api/v1/ballots/{ballot}/roll`: Import the roll of voters from a CSV file.
    pub async fn import_roll(&self, ballot: impl Display, csv: Vec<u8>, token: Option<&str>) -> Reply {
        self.post_raw(&format!("/api/v1/ballots/{ballot}/roll"), "text/csv", csv, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/roll`: The roll of voters.
    pub async fn list_roll(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/roll"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/roll?{query}`: A page of the roll of voters; `query` is the query string (`page=2&per_page=10`, `q=...`).
    pub async fn search_roll(&self, ballot: impl Display, query: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/roll?{query}"), None, token).await
    }

    /// PATCH `/api/v1/ballots/{ballot}/roll/{membership_no}`: Correct a voter's entry.
    pub async fn correct_voter(
        &self,
        ballot: impl Display,
        membership_no: impl Display,
        body: Value,
        token: Option<&str>,
    ) -> Reply {
        self.request(Method::PATCH, &format!("/api/v1/ballots/{ballot}/roll/{membership_no}"), Some(body), token).await
    }

    /// DELETE `/api/v1/ballots/{ballot}/roll/{membership_no}`: Remove a voter from the roll.
    pub async fn remove_voter(&self, ballot: impl Display, membership_no: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::DELETE, &format!("/api/v1/ballots/{ballot}/roll/{membership_no}"), None, token).await
    }

    /// POST `/api/v1/ballots/{ballot}/open`: Open a ballot (invitations are queued). No body.
    pub async fn open_ballot(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/open"), None, token).await
    }

    /// POST `/api/v1/ballots/{ballot}/open`: Open a ballot (invitations are queued). With a JSON body.
    pub async fn open_ballot_with(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/open"), Some(body), token).await
    }

    /// POST `/api/v1/ballots/{ballot}/votes`: A voter casts a ballot with their voting code.
    pub async fn cast_ballot(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/votes"), Some(body), token).await
    }

    /// GET `/api/v1/ballots/{ballot}/turnout`: Turnout so far.
    pub async fn ballot_turnout(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/turnout"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/turnout?format=csv`: Turnout so far, as CSV.
    pub async fn ballot_turnout_csv(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/turnout?format=csv"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/checkpoint`: The ballot box's latest checkpoint.
    pub async fn ballot_checkpoint(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/checkpoint"), None, token).await
    }

    /// POST `/api/v1/ballots/{ballot}/remind`: Send a reminder round. No body.
    pub async fn remind_voters(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/remind"), None, token).await
    }

    /// POST `/api/v1/ballots/{ballot}/remind`: Send a reminder round. With a JSON body.
    pub async fn remind_voters_with(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/remind"), Some(body), token).await
    }

    /// POST `/api/v1/ballots/{ballot}/remind?force=true`: Send a reminder round even if one went lately.
    pub async fn remind_voters_forced(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/remind?force=true"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/reminders`: The reminder rounds sent and scheduled.
    pub async fn reminder_status(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/reminders"), None, token).await
    }

    /// PUT `/api/v1/ballots/{ballot}/reminders/schedule`: Schedule reminder rounds.
    pub async fn schedule_reminders(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::PUT, &format!("/api/v1/ballots/{ballot}/reminders/schedule"), Some(body), token).await
    }

    /// POST `/api/v1/ballots/{ballot}/resend`: Resend one voter's invitation.
    pub async fn resend_invitation(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/resend"), Some(body), token).await
    }

    /// POST `/api/v1/ballots/{ballot}/close`: Close a ballot. No body.
    pub async fn close_ballot(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/close"), None, token).await
    }

    /// POST `/api/v1/ballots/{ballot}/close`: Close a ballot. With a JSON body.
    pub async fn close_ballot_with(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/close"), Some(body), token).await
    }

    /// POST `/api/v1/ballots/{ballot}/publish`: Publish a ballot's results. No body.
    pub async fn publish_ballot(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/publish"), None, token).await
    }

    /// POST `/api/v1/ballots/{ballot}/publish`: Publish a ballot's results. With a JSON body.
    pub async fn publish_ballot_with(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/ballots/{ballot}/publish"), Some(body), token).await
    }

    /// GET `/api/v1/ballots/{ballot}/results`: A ballot's results.
    pub async fn ballot_results(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/results"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/results?format=csv`: A ballot's results, as CSV.
    pub async fn ballot_results_csv(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/results?format=csv"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/mail`: What became of the ballot's mail.
    pub async fn mail_status(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/mail"), None, token).await
    }

    /// GET `/api/v1/ballots/{ballot}/officers`: The ballot's officers.
    pub async fn list_officers(&self, ballot: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/ballots/{ballot}/officers"), None, token).await
    }

    /// PUT `/api/v1/ballots/{ballot}/officers`: Replace the ballot's officers (admin).
    pub async fn set_officers(&self, ballot: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::PUT, &format!("/api/v1/ballots/{ballot}/officers"), Some(body), token).await
    }
}
