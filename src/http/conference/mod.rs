//! Conferences, representatives, motions, polls, live events and the records.

use std::convert::Infallible;
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::http::extract::{AuthUser, MaybeUser};
use crate::procedure::{self, Choice, TakenAs};
use crate::services::access;
use crate::services::auth::Role;
use crate::services::conference::{
    self as svc, Conference, Declaration, MotionDecision, MotionMarks, MotionView, NewConference, NewMotion, NewPoll,
    PollView, Representative,
};
use crate::services::AppState;

type Problem = crate::error::Problem;

mod conferences;
mod live;
mod motions;
mod polls;
pub use conferences::*;
pub use live::*;
pub use motions::*;
pub use polls::*;

/// How often an idle event stream says it is alive.
pub const PING_EVERY: Duration = Duration::from_secs(5);
