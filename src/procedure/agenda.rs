//! Agenda marks set by the agenda committee.

use crate::text_enum;

use utoipa::ToSchema;

text_enum! {
    /// A mark on a motion in the agenda.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AgendaMark ("agenda mark", loose, also = describe) {
        /// Starred: chosen for debate.
        Starred = "starred",
        /// Chosen motion (for debate) from a bracketed group.
        Chosen = "chosen",
        /// 'A': existing policy or non-controversial; voted without debate unless challenged.
        A = "a",
        /// 'AR': existing policy, reaffirmed without debate.
        Ar = "ar",
        /// Grey section: unlikely to be reached.
        Grey = "grey",
        /// A composite of several motions written by the agenda committee.
        Composite = "composite",
        /// Ruled incompetent by virtue of structure or wording.
        Incompetent = "incompetent",
    }
}

impl AgendaMark {
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
