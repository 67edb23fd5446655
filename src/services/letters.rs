//! Every letter the service writes, in one place: the words of each email, given what it needs. The mail
//! outbox (`services::mail`) queues and sends them; nothing here touches the database.

/// One letter: its subject line and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// A one-time link to set a password (an account made without one, or a new link on request).
pub fn set_password(name: &str, public_url: &str, token: &str, subject: &str) -> Letter {
    Letter {
        subject: format!("{subject}: set your password"),
        body: format!(
            "Dear {name},\n\nSet your password here (the link works once, for {hours} hours):\n{public_url}/set-password?token={token}\n\n\
             Then sign in at {public_url}/ with this email address.\n",
            hours = crate::services::auth::SET_PASSWORD_HOURS,
        ),
    }
}
