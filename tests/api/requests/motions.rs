//! Motions (OpenAPI tag `motions`).

use std::fmt::Display;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// POST `/api/v1/conferences/{conference}/motions`: Add a motion.
    pub async fn create_motion(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/motions"), Some(body), token).await
    }

    /// GET `/api/v1/conferences/{conference}/motions`: A conference's motions.
    pub async fn list_motions(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/motions"), None, token).await
    }

    /// POST `/api/v1/motions/parse`: Split a motion's text into parts.
    pub async fn parse_motion(&self, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, "/api/v1/motions/parse", Some(body), token).await
    }

    /// GET `/api/v1/motions/{motion}`: One motion.
    pub async fn get_motion(&self, motion: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/motions/{motion}"), None, token).await
    }

    /// PUT `/api/v1/motions/{motion}`: Edit a motion.
    pub async fn edit_motion(&self, motion: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::PUT, &format!("/api/v1/motions/{motion}"), Some(body), token).await
    }

    /// DELETE `/api/v1/motions/{motion}`: Delete a motion.
    pub async fn delete_motion(&self, motion: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::DELETE, &format!("/api/v1/motions/{motion}"), None, token).await
    }

    /// POST `/api/v1/motions/{motion}/marks`: Mark a motion (e.g. as an 'A' motion).
    pub async fn set_marks(&self, motion: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/marks"), Some(body), token).await
    }

    /// POST `/api/v1/motions/{motion}/take`: Take a motion (now being debated). No body.
    pub async fn take_motion(&self, motion: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/take"), None, token).await
    }

    /// POST `/api/v1/motions/{motion}/take`: Take a motion (now being debated). With a JSON body.
    pub async fn take_motion_with(&self, motion: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/take"), Some(body), token).await
    }

    /// POST `/api/v1/motions/{motion}/decide`: Record a decision without a poll.
    pub async fn decide_motion(&self, motion: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/decide"), Some(body), token).await
    }

    /// GET `/api/v1/motions/{motion}/record`: A motion's record.
    pub async fn motion_record(&self, motion: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/motions/{motion}/record"), None, token).await
    }

    /// GET `/api/v1/motions/{motion}/record?format={format}`: A motion's record, in this format.
    pub async fn motion_record_as(&self, motion: impl Display, format: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/motions/{motion}/record?format={format}"), None, token).await
    }

    /// POST `/api/v1/motions/{motion}/apply`: Apply a committee motion. No body.
    pub async fn apply_committee_motion(&self, motion: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/apply"), None, token).await
    }

    /// POST `/api/v1/motions/{motion}/apply`: Apply a committee motion. With a JSON body.
    pub async fn apply_committee_motion_with(&self, motion: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/apply"), Some(body), token).await
    }

    /// POST `/api/v1/motions/{motion}/put`: Put an item to the conference. No body.
    pub async fn put_item(&self, motion: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/put"), None, token).await
    }

    /// POST `/api/v1/motions/{motion}/put`: Put an item to the conference. With a JSON body.
    pub async fn put_item_with(&self, motion: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/motions/{motion}/put"), Some(body), token).await
    }
}
