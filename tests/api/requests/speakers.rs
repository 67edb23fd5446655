//! Speakers and debates (OpenAPI tag `speakers`).

use std::fmt::Display;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// GET `/api/v1/conferences/{conference}/speakers`: The speakers' list.
    pub async fn list_speakers(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/speakers"), None, token).await
    }

    /// GET `/api/v1/conferences/{conference}/settings/speakers`: The speaking rules.
    pub async fn speaker_rules(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/settings/speakers"), None, token).await
    }

    /// PUT `/api/v1/conferences/{conference}/settings/speakers`: Change the speaking rules.
    pub async fn set_speaker_rules(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::PUT, &format!("/api/v1/conferences/{conference}/settings/speakers"), Some(body), token)
            .await
    }

    /// POST `/api/v1/conferences/{conference}/speakers/debate`: Open the debate on a motion.
    pub async fn open_debate(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/speakers/debate"), Some(body), token)
            .await
    }

    /// POST `/api/v1/motions/{motion}/speakers`: Ask to speak on a motion.
    pub async fn ask_to_speak(&self, motion: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/speakers"), Some(body), token).await
    }

    /// POST `/api/v1/speakers/{request}/withdraw`: Withdraw a request to speak.
    pub async fn withdraw_request(&self, request: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/speakers/{request}/withdraw"), None, token).await
    }

    /// POST `/api/v1/conferences/{conference}/speakers/call`: Call the next speaker. No body.
    pub async fn call_speaker(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/speakers/call"), None, token).await
    }

    /// POST `/api/v1/conferences/{conference}/speakers/call`: Call the next speaker. With a JSON body.
    pub async fn call_speaker_with(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/speakers/call"), Some(body), token).await
    }

    /// POST `/api/v1/conferences/{conference}/speakers/timer`: Start or stop the speaker's clock.
    pub async fn speaker_timer(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/speakers/timer"), Some(body), token).await
    }

    /// POST `/api/v1/conferences/{conference}/speakers/end`: End the debate. No body.
    pub async fn end_debate(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/speakers/end"), None, token).await
    }

    /// POST `/api/v1/conferences/{conference}/speakers/end`: End the debate. With a JSON body.
    pub async fn end_debate_with(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/speakers/end"), Some(body), token).await
    }
}
