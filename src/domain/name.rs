//! A person's name, as an account or the electoral roll holds it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A name that passed [`PersonName::parse`]: trimmed, 1 to 200 characters, and none of the characters
/// [`forbidden_char`] refuses (a line break could inject a mail header; a bidirectional override could
/// make a name read differently from what it is).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

/// Why a text is not a name. The `Display` text completes "name …" ("name is empty").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {max} characters", max = PersonName::MAX_CHARS)]
    TooLong,
    #[error("contains a control character (such as a line break)")]
    ForbiddenCharacter,
}

/// Characters refused in names (and in the roll's LMCs): control characters (a CR or LF could inject
/// mail headers), line and paragraph separators, bidirectional overrides and the byte-order mark.
pub fn forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

impl PersonName {
    /// Most characters in a name.
    pub const MAX_CHARS: usize = 200;

    /// Check `text` (surrounding white space ignored).
    pub fn parse(text: &str) -> Result<PersonName, NameError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(NameError::TooLong);
        }
        if name.chars().any(forbidden_char) {
            return Err(NameError::ForbiddenCharacter);
        }
        Ok(PersonName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for PersonName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for PersonName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for PersonName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl TryFrom<String> for PersonName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PersonName::parse(&s)
    }
}

impl From<PersonName> for String {
    fn from(n: PersonName) -> String {
        n.0
    }
}

#[cfg(test)]
#[path = "name_tests.rs"]
mod tests;
