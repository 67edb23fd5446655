//! Agenda marks set by the agenda committee.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
}
