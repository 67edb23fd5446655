//! Applying a carried agenda-committee motion about the agenda ("that item 217 be an 'A' motion").

use actix_web::{post, web};

use crate::error::AppResult;
use crate::http::extract::AuthUser;
use crate::services::auth::Role;
use crate::services::committee::{self as svc, ApplyOptions, CommitteeApply};
use crate::services::events::{self, Event};
use crate::services::{access, AppState};

type Problem = crate::error::Problem;

/// Apply a carried agenda-committee motion to the items it names: "that item 217 be an 'A' motion", "…
/// be moved to (or out of) the grey section", "… be starred", "… be taken in parts", "… be withdrawn".
/// Recorded in the audit log; once only. With `?dry_run=true`, says what it would do and changes nothing
/// (the motion need not be carried yet).
#[utoipa::path(tag = "motions", security(("bearer" = [])), params(("id" = i64, Path), ApplyOptions),
    responses((status = 200, body = CommitteeApply), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/motions/{id}/apply")]
pub async fn apply_committee_motion(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<i64>,
    query: web::Query<ApplyOptions>,
) -> AppResult<web::Json<CommitteeApply>> {
    let actor = user.require(&[Role::Chair])?.clone();
    let id = id.into_inner();
    let options = query.into_inner();
    let st = state.clone();
    let out = state
        .db
        .run(move |c| {
            access::chair_of_motion(c, &actor, id)?;
            let out = svc::apply_committee_motion(c, &actor, id, options)?;
            if !out.dry_run {
                if let Some(m) = out.motions.first() {
                    let data = serde_json::json!({"applied": id, "items": out.changes.iter().map(|c| &c.item).collect::<Vec<_>>()});
                    events::publish(&st.hub, c, Event { conference_id: m.conference_id, kind: "agenda_updated".into(), data });
                }
            }
            Ok(out)
        })
        .await?;
    Ok(web::Json(out))
}
