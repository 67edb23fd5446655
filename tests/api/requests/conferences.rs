//! Conferences, their chairs and representatives (OpenAPI tag `conferences`).

use std::fmt::Display;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Reply, TestApp};

impl TestApp {
    /// POST `/api/v1/conferences`: A chair opens a conference.
    pub async fn create_conference(&self, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, "/api/v1/conferences", Some(body), token).await
    }

    /// GET `/api/v1/conferences`: Every conference.
    pub async fn list_conferences(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/conferences", None, token).await
    }

    /// GET `/api/v1/me/conferences`: The conferences the caller chairs or sits in.
    pub async fn my_conferences(&self, token: Option<&str>) -> Reply {
        self.request(Method::GET, "/api/v1/me/conferences", None, token).await
    }

    /// GET `/api/v1/conferences/{conference}`: One conference.
    pub async fn get_conference(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}"), None, token).await
    }

    /// PUT `/api/v1/conferences/{conference}`: Change a conference's details.
    pub async fn update_conference(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::PUT, &format!("/api/v1/conferences/{conference}"), Some(body), token).await
    }

    /// POST `/api/v1/conferences/{conference}/representatives`: Register one representative.
    pub async fn add_representative(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/representatives"), Some(body), token)
            .await
    }

    /// POST `/api/v1/conferences/{conference}/representatives/import`: Register representatives from a CSV file.
    pub async fn import_representatives(&self, conference: impl Display, csv: Vec<u8>, token: Option<&str>) -> Reply {
        self.post_raw(&format!("/api/v1/conferences/{conference}/representatives/import"), "text/csv", csv, token).await
    }

    /// GET `/api/v1/conferences/{conference}/representatives`: The registered representatives.
    pub async fn list_representatives(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/representatives"), None, token).await
    }

    /// POST `/api/v1/conferences/{conference}/close`: Close a conference. No body.
    pub async fn close_conference(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/close"), None, token).await
    }

    /// POST `/api/v1/conferences/{conference}/close`: Close a conference. With a JSON body.
    pub async fn close_conference_with(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/close"), Some(body), token).await
    }

    /// GET `/api/v1/conferences/{conference}/close-check`: What closing the conference would leave undecided.
    pub async fn conference_close_check(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/close-check"), None, token).await
    }

    /// GET `/api/v1/conferences/{conference}/chairs`: The conference's chairs.
    pub async fn list_chairs(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/chairs"), None, token).await
    }

    /// PUT `/api/v1/conferences/{conference}/chairs`: Replace the conference's chairs (admin).
    pub async fn set_chairs(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::PUT, &format!("/api/v1/conferences/{conference}/chairs"), Some(body), token).await
    }

    /// GET `/api/v1/conferences/{conference}/hall`: The hall's state for the projector.
    pub async fn hall_state(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/hall"), None, token).await
    }

    /// POST `/api/v1/conferences/{conference}/agenda`: Import an agenda.
    pub async fn import_agenda(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/agenda"), Some(body), token).await
    }

    /// POST `/api/v1/conferences/{conference}/order`: Set the order of business.
    pub async fn set_running_order(&self, conference: impl Display, body: Value, token: Option<&str>) -> Reply {
        self.request(Method::POST, &format!("/api/v1/conferences/{conference}/order"), Some(body), token).await
    }

    /// GET `/api/v1/conferences/{conference}/resolutions`: The resolutions carried.
    pub async fn resolutions(&self, conference: impl Display, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/resolutions"), None, token).await
    }

    /// GET `/api/v1/conferences/{conference}/resolutions?format={format}`: The resolutions carried, in this format.
    pub async fn resolutions_as(&self, conference: impl Display, format: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, &format!("/api/v1/conferences/{conference}/resolutions?format={format}"), None, token)
            .await
    }
}
