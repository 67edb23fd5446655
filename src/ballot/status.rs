//! Where a ballot is, as stored.

use utoipa::ToSchema;

use crate::text_enum;

text_enum! {
    /// A ballot is drafted, opened, closed, and its record published (docs/domain.md).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum BallotStatus ("ballot status") {
        Draft = "draft",
        Open = "open",
        Closed = "closed",
        Published = "published",
    }
}
