//! An email address, checked by one deliberately strict rule.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An email address that passed [`EmailAddress::parse`]: trimmed and lowercased.
///
/// The rule: one `@`; the part before it 1 to 64 printable ASCII characters other than space and
/// `"(),:;<>[\]`, with no dot at either end and no two dots together; a domain of at least two
/// dot-separated labels of letters, digits and hyphens (1 to 63 each, no hyphen at either end); at most
/// 254 characters in all. Anything outside plain ASCII is refused, so a line break (a mail header
/// injection) can never get in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why a text is not an email address. The `Display` text completes "… is not a valid address: ".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("it is empty")]
    Empty,
    #[error("it is longer than 254 characters")]
    TooLong,
    #[error("it must contain exactly one @")]
    NotOneAt,
    #[error("the part before @ must be 1 to 64 characters")]
    LocalLength,
    #[error("the part before @ contains a character that is not allowed")]
    LocalCharacter,
    #[error("the part before @ has a misplaced dot")]
    LocalDot,
    #[error("the domain must contain a dot")]
    DomainWithoutDot,
    #[error("the domain is not valid")]
    DomainInvalid,
}

impl EmailAddress {
    /// Longest address accepted, in bytes (all of them ASCII).
    pub const MAX_LEN: usize = 254;

    /// Check `text` (surrounding white space ignored) and keep it lowercased.
    pub fn parse(text: &str) -> Result<EmailAddress, EmailError> {
        let email = text.trim();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.len() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let mut parts = email.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailError::NotOneAt);
        };
        if local.is_empty() || local.len() > 64 {
            return Err(EmailError::LocalLength);
        }
        if !local.bytes().all(|b| (0x21..=0x7e).contains(&b) && !b"\"(),:;<>[\\]".contains(&b)) {
            return Err(EmailError::LocalCharacter);
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(EmailError::LocalDot);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(EmailError::DomainWithoutDot);
        }
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if !labels.into_iter().all(label_ok) {
            return Err(EmailError::DomainInvalid);
        }
        Ok(EmailAddress(email.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for EmailAddress {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for EmailAddress {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> String {
        e.0
    }
}

#[cfg(test)]
#[path = "email_tests.rs"]
mod tests;
