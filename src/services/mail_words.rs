//! The outbox's stored words (`mail_outbox.kind` and `mail_outbox.status`), as enums: a word this
//! version does not know is a load error (`db::text_sql`), never read as some other kind or as pending.
//! Kept apart from `mail.rs` (the outbox and its sender) so that file stays under 700 lines.

use crate::text_enum;

text_enum! {
    /// What a queued message is. Invitations and reminders of a ballot have their body rendered at send
    /// time (with the voter's code), and a set-password letter its link; the others are sent as stored.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum MailKind ("mail kind") {
        /// A ballot's invitation to vote.
        Invitation = "invitation",
        /// A reminder to a voter who has not voted yet.
        Reminder = "reminder",
        /// "Your vote was received".
        Confirmation = "confirmation",
        /// A ballot's published results.
        Results = "results",
        /// A link to set a password (a new account, a representative's registration, a reset).
        SetPassword = "set_password",
    }
}

text_enum! {
    /// Where a queued message is in sending.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum MailStatus ("mail status") {
        /// Waiting for its time (the first attempt, or a retry after a failure).
        Pending = "pending",
        /// Claimed by a sender, under a lease; taken again if the lease runs out.
        Sending = "sending",
        /// Handed to the relay (or written to the file outbox).
        Sent = "sent",
        /// Never sent: the ballot closed first.
        Cancelled = "cancelled",
    }
}
