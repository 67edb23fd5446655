//! Where a conference is, as stored.

use utoipa::ToSchema;

use crate::text_enum;

text_enum! {
    /// A conference is open (motions, polls and speakers) until its chair closes it; closed, it only reads.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ConferenceStatus ("conference status") {
        Open = "open",
        Closed = "closed",
    }
}
