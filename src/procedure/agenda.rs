//! Agenda marks set by the agenda committee.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::UnknownName;

/// A mark on a motion in the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgendaMark {
    /// Starred: chosen for debate.
    Starred,
    /// Chosen motion (for debate) from a bracketed group.
    Chosen,
    /// 'A': existing policy or non-controversial; voted without debate unless challenged.
    A,
    /// 'AR': existing policy, reaffirmed without debate.
    Ar,
    /// Grey section: unlikely to be reached.
    Grey,
    /// A composite of several motions written by the agenda committee.
    Composite,
    /// Ruled incompetent by virtue of structure or wording.
    Incompetent,
}

impl AgendaMark {
    /// Every mark, in a stable order.
    pub const ALL: [AgendaMark; 7] = [
        AgendaMark::Starred,
        AgendaMark::Chosen,
        AgendaMark::A,
        AgendaMark::Ar,
        AgendaMark::Grey,
        AgendaMark::Composite,
        AgendaMark::Incompetent,
    ];

    /// The snake_case name used in JSON: "starred", "chosen", "a", "ar", "grey", "composite", "incompetent".
    pub fn as_str(&self) -> &'static str {
        match self {
            AgendaMark::Starred => "starred",
            AgendaMark::Chosen => "chosen",
            AgendaMark::A => "a",
            AgendaMark::Ar => "ar",
            AgendaMark::Grey => "grey",
            AgendaMark::Composite => "composite",
            AgendaMark::Incompetent => "incompetent",
        }
    }

    /// 'A' (carried en bloc) and 'AR' (reaffirmed) motions may be recorded CARRIED
    /// without a poll of their own.
    pub fn allows_carried_without_poll(&self) -> bool {
        matches!(self, AgendaMark::A | AgendaMark::Ar)
    }

    /// Short name for people: "starred", "A", "AR", "ruled incompetent", …
    pub fn describe(&self) -> &'static str {
        match self {
            AgendaMark::Starred => "starred",
            AgendaMark::Chosen => "chosen",
            AgendaMark::A => "A",
            AgendaMark::Ar => "AR",
            AgendaMark::Grey => "grey",
            AgendaMark::Composite => "composite",
            AgendaMark::Incompetent => "ruled incompetent",
        }
    }
}

impl fmt::Display for AgendaMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AgendaMark {
    type Err = UnknownName;

    /// Accepts the snake_case name or the short name, ignoring case ("AR", "a", "ruled incompetent").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        AgendaMark::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(wanted) || m.describe().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownName::new("agenda mark", s, AgendaMark::ALL.map(|m| m.as_str())))
    }
}

/// Whether any of the marks lets the motion be recorded CARRIED without a poll of its own.
pub fn may_be_carried_without_poll(marks: &[AgendaMark]) -> bool {
    marks.iter().any(AgendaMark::allows_carried_without_poll)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_use_their_agenda_names() {
        let v: Vec<AgendaMark> =
            serde_json::from_str(r#"["a","ar","starred","grey","composite","incompetent","chosen"]"#).expect("parses");
        assert_eq!(v.len(), 7);
        assert_eq!(serde_json::to_string(&AgendaMark::Ar).expect("ser"), "\"ar\"");
        assert_eq!(AgendaMark::Ar.describe(), "AR");
        assert!(serde_json::from_str::<AgendaMark>("\"gold\"").is_err());
    }

    #[test]
    fn names_parse_and_helpers() {
        for m in AgendaMark::ALL {
            assert_eq!(serde_json::to_string(&m).expect("ser"), format!("\"{}\"", m.as_str()));
            assert_eq!(m.as_str().parse::<AgendaMark>().expect("parses"), m);
            assert_eq!(m.describe().parse::<AgendaMark>().expect("parses"), m);
            assert_eq!(m.to_string(), m.as_str());
        }
        assert_eq!("AR".parse::<AgendaMark>().expect("parses"), AgendaMark::Ar);
        assert!("bracketed".parse::<AgendaMark>().is_err());
        assert!(may_be_carried_without_poll(&[AgendaMark::Composite, AgendaMark::A]));
        assert!(may_be_carried_without_poll(&[AgendaMark::Ar]));
        assert!(!may_be_carried_without_poll(&[AgendaMark::Starred, AgendaMark::Grey]));
    }
}
