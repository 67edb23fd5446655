//! The accounts an officer may name as trustees of an end-to-end ballot: id and name only (an officer
//! is not an admin and does not read the accounts list, its email addresses or other roles).

use serde::Serialize;

use crate::db::DbConnection;
use crate::error::AppResult;
use crate::services::auth::{self, Role};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrusteeCandidate {
    pub id: i64,
    pub name: String,
}

/// Every active account holding the trustee role, oldest first.
pub fn trustee_candidates(conn: &mut DbConnection) -> AppResult<Vec<TrusteeCandidate>> {
    Ok(auth::list_users(conn)?
        .into_iter()
        .filter(|u| u.has(Role::Trustee))
        .map(|u| TrusteeCandidate { id: u.id, name: u.name })
        .collect())
}
