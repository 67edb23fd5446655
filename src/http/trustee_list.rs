use actix_web::{get, web};

use crate::error::AppResult;
use crate::http::extract::AuthUser;
use crate::services::auth::Role;
use crate::services::trustee_list::{self, TrusteeCandidate};
use crate::services::AppState;

/// The accounts holding the trustee role (id and name only), for an officer choosing the trustees of an
/// end-to-end ballot. Officers only.
#[utoipa::path(tag = "end-to-end", security(("bearer" = [])),
    responses((status = 200, body = Vec<TrusteeCandidate>), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem)))]
#[get("/trustees")]
pub async fn list_trustees(
    state: web::Data<AppState>,
    officer: AuthUser,
) -> AppResult<web::Json<Vec<TrusteeCandidate>>> {
    officer.require(&[Role::Officer])?;
    Ok(web::Json(state.db.run(trustee_list::trustee_candidates).await?))
}
