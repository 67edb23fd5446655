//! Polls in the hall (OpenAPI tag `polls`).

use std::fmt::Display;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// POST `/api/v1/motions/{motion}/polls`: Open a poll on a motion.
    pub async fn open_poll(&self, motion: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/polls"), Some(body), token).await
    }

    /// POST `/api/v1/conferences/{conference}/a-motions`: Put the 'A' motions to one vote.
    pub async fn open_en_bloc(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/a-motions"), Some(body), token).await
    }

    /// GET `/api/v1/conferences/{conference}/polls`: A conference's polls.
    pub async fn list_polls(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/polls"), None, token).await
    }

    /// GET `/api/v1/conferences/{conference}/polls?open=true`: A conference's open polls.
    pub async fn list_open_polls(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/polls?open=true"), None, token).await
    }

    /// GET `/api/v1/polls/{poll}`: One poll.
    pub async fn get_poll(&self, poll: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/polls/{poll}"), None, token).await
    }

    /// POST `/api/v1/polls/{poll}/votes`: A representative votes in a poll.
    pub async fn cast_vote(&self, poll: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/polls/{poll}/votes"), Some(body), token).await
    }

    /// GET `/api/v1/polls/{poll}/my-vote`: The caller's own vote in a poll.
    pub async fn my_vote(&self, poll: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/polls/{poll}/my-vote"), None, token).await
    }

    /// POST `/api/v1/polls/{poll}/close`: Close a poll. No body.
    pub async fn close_poll(&self, poll: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/polls/{poll}/close"), None, token).await
    }

    /// POST `/api/v1/polls/{poll}/close`: Close a poll. With a JSON body.
    pub async fn close_poll_with(&self, poll: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/polls/{poll}/close"), Some(body), token).await
    }

    /// GET `/api/v1/polls/{poll}/close-check`: What closing the poll now would need.
    pub async fn poll_close_check(&self, poll: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/polls/{poll}/close-check"), None, token).await
    }

    /// POST `/api/v1/polls/{poll}/void`: Void a poll. No body.
    pub async fn void_poll(&self, poll: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/polls/{poll}/void"), None, token).await
    }

    /// POST `/api/v1/polls/{poll}/void`: Void a poll. With a JSON body.
    pub async fn void_poll_with(&self, poll: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/polls/{poll}/void"), Some(body), token).await
    }
}
