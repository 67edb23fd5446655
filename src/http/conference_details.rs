//! Changing a conference's name, venue and dates (printed on its resolutions).

use actix_web::{put, web};

use crate::error::AppResult;
use crate::http::extract::AuthUser;
use crate::services::auth::Role;
use crate::services::conference::Conference;
use crate::services::conference_details::{self as svc, ConferenceDetails};
use crate::services::{access, AppState};

type Problem = crate::error::Problem;

/// A chair of the conference (or an admin) sets its name, venue and dates, replacing them as a whole.
#[utoipa::path(tag = "conferences", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ConferenceDetails,
    responses((status = 200, body = Conference), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[put("/conferences/{id}")]
pub async fn update_conference(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    body: web::Json<ConferenceDetails>,
) -> AppResult<web::Json<Conference>> {
    let actor = user.require(&[Role::Chair, Role::Admin])?.clone();
    let id = id.into_inner();
    let c = state
        .db
        .run(move |c| {
            if !actor.has(Role::Admin) {
                access::chair_of(c, &actor, id)?;
            }
            svc::update(c, &actor, id, body.into_inner())
        })
        .await?;
    Ok(web::Json(c))
}
