//! Every letter the service writes, in one place: the words of each email, given what it needs. The mail
//! outbox (`services::mail`) queues and sends them; nothing here touches the database.

use chrono::NaiveDateTime;

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

/// A representative registered for a conference by a chair, with a new account and a one-time link to
/// set its password.
pub fn representative_registered(name: &str, lmc: &str, conference: &str, public_url: &str, token: &str) -> Letter {
    Letter {
        subject: format!("You are registered as a representative: {conference}"),
        body: format!(
            "Dear {name},\n\nYou are registered as a representative of {lmc} at {conference}.\n\n\
             Set your password here (the link works once, for {hours} hours):\n{public_url}/set-password?token={token}\n\n\
             Then sign in at {public_url}/ with this email address to vote during the conference.\n",
            hours = crate::services::auth::SET_PASSWORD_HOURS,
        ),
    }
}

/// The subject of a voter's invitation to an indicative ballot (its body, which carries the voting code,
/// is written when the mail is sent: [`ballot_invitation_body`]).
pub fn ballot_invitation_subject(title: &str) -> String {
    format!("Your vote: {title}")
}

/// The subject of a reminder to a voter who has not voted yet (the body: [`ballot_invitation_body`]).
pub fn ballot_reminder_subject(title: &str) -> String {
    format!("Reminder: your vote in {title}")
}

/// What the invitation or reminder is for: an indicative ballot's voter with their voting code.
pub struct BallotCall<'a> {
    /// A reminder (the voter has not voted yet) rather than the first invitation.
    pub reminder: bool,
    pub name: &'a str,
    pub title: &'a str,
    pub public_url: &'a str,
    pub ballot_id: i64,
    pub code: &'a str,
    /// When voting closes (UTC), if it is set.
    pub closes_at: Option<NaiveDateTime>,
}

/// "Voting closes at 17:00 on Friday 4 December 2026 (UK time)." and a blank line, or nothing.
fn closes_line(closes_at: Option<NaiveDateTime>) -> String {
    closes_at
        .map(|c| {
            format!(
                "Voting closes at {} (UK time).\n\n",
                c.and_utc().with_timezone(&chrono_tz::Europe::London).format("%H:%M on %A %-d %B %Y")
            )
        })
        .unwrap_or_default()
}

/// The body of an indicative ballot's invitation or reminder, with the voter's link and code.
pub fn ballot_invitation_body(call: &BallotCall<'_>) -> String {
    let BallotCall { reminder, name, title, public_url: url, ballot_id, code, closes_at } = *call;
    let closes = closes_line(closes_at);
    let opening = if reminder { "This is a reminder: you have not voted yet.\n\n" } else { "" };
    format!(
        "Dear {name},\n\n{opening}You are invited to vote in the indicative ballot \"{title}\".\n\n\
         Vote here (the link is yours alone; do not forward it):\n{url}/vote/{ballot_id}?code={code}\n\n\
         Or go to {url}/vote/{ballot_id} and enter your voting code: {code}\n\n{closes}\
         Your vote is secret: nothing we keep links you to how you voted. You can vote once, and your vote is final.\n",
    )
}

/// What an end-to-end ballot's invitation carries: the voter's link and their private credential. Not
/// `Debug`, so the credential cannot reach a log through a `{:?}`.
pub struct E2eInvitation<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub public_url: &'a str,
    pub ballot_id: i64,
    /// The private credential, unsealed by the mail sender just before sending: this letter is its only copy.
    pub credential: &'a str,
    /// When voting closes (UTC), if it is set.
    pub closes_at: Option<NaiveDateTime>,
}

/// The body of an end-to-end ballot's invitation, with the voter's link and credential (docs/e2e.md). Its
/// subject is the indicative ballot's ([`ballot_invitation_subject`]), given when the ballot opens.
pub fn e2e_invitation_body(call: &E2eInvitation<'_>) -> String {
    let E2eInvitation { name, title, public_url: url, ballot_id, credential: code, closes_at } = *call;
    let closes = closes_line(closes_at);
    format!(
        "Dear {name},\n\nYou are invited to vote in the end-to-end verifiable ballot \"{title}\".\n\n\
         Vote here (the link is yours alone; do not forward it):\n{url}/vote/{ballot_id}?code={code}\n\n\
         Or go to {url}/vote/{ballot_id} and enter your voting code: {code}\n\n{closes}\
         Your answers are encrypted on your own device before they are sent: no one running the service can read \
         them, and only the trustees together can count them. We do not keep your voting code: this email is the \
         only copy, so keep it until you have voted. You can vote once, and your vote is final.\n\n\
         When you vote you are shown a tracker: it appears in the published record of the ballot, which anyone \
         can verify (with carried verify or Belenios's own belenios-tool).\n"
    )
}

/// The body of a reminder to an end-to-end ballot's voter who has not voted yet. It cannot carry the
/// credential, which the service does not keep, so it sends the voter back to their invitation.
pub fn e2e_reminder_body(name: &str, title: &str, closes_at: Option<NaiveDateTime>) -> String {
    let closes = closes_line(closes_at);
    format!(
        "Dear {name},\n\nThis is a reminder: you have not voted yet in the end-to-end verifiable ballot \"{title}\".\n\n\
         Vote with the link in your invitation email. Its voting code was sent only once: we do not keep it, \
         so we cannot send it again.\n\n{closes}"
    )
}

/// "Your vote was received": no receipt and no time, so it links the voter to nothing (docs/secrecy.md).
pub fn vote_received(name: &str, title: &str) -> Letter {
    Letter {
        subject: format!("Your vote was received: {title}"),
        body: format!(
            "Dear {name},\n\nYour vote in \"{title}\" has been received and counted. It is final.\n\n\
             Your receipt code was shown on screen when you voted (we do not keep a copy that links it to you). \
             When the ballot closes, you can find it in the published record to check your vote was counted.\n"
        ),
    }
}

/// A ballot's results are published: to everyone on its roll.
pub fn results_published(name: &str, title: &str, public_url: &str, ballot_id: i64) -> Letter {
    Letter {
        subject: format!("Results: {title}"),
        body: format!(
            "Dear {name},\n\nThe results of \"{title}\" are published:\n{public_url}/ballots/{ballot_id}/results\n\n\
             Check your receipt, or recount the whole ballot yourself, from the same page.\n"
        ),
    }
}

#[cfg(test)]
#[path = "letters_tests.rs"]
mod tests;
