//! Majorities, votes and qualifiers: deciding a single poll.
//!
//! docs/domain.md, "Polls": abstentions are never counted; a simple majority needs
//! `for > against` (a tie is lost); a two-thirds majority needs
//! `3·for ≥ 2·(for + against)` with at least one vote for.

use crate::text_enum;
use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum! {
    /// The majority a poll needs, stored on the poll.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Majority ("majority", loose) {
        /// Carried when `for > against`; a tie is lost.
        Simple = "simple",
        /// Carried when `3·for ≥ 2·(for + against)` and `for ≥ 1`.
        TwoThirds = "two_thirds",
    }
}

impl Majority {
    /// Words for people: "a simple majority", "a two-thirds majority".
    pub fn describe(&self) -> &'static str {
        match self {
            Majority::Simple => "a simple majority",
            Majority::TwoThirds => "a two-thirds majority",
        }
    }
}

text_enum! {
    /// One representative's vote in an electronic poll.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Choice ("choice", loose) {
        For = "for",
        Against = "against",
        Abstain = "abstain",
    }
}

/// The counts of a poll. JSON: `{"for": 212, "against": 40, "abstain": 9}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Counts {
    #[serde(rename = "for")]
    pub for_votes: u64,
    pub against: u64,
    pub abstain: u64,
}

impl Counts {
    /// Counts from the three numbers.
    pub fn new(for_votes: u64, against: u64, abstain: u64) -> Self {
        Counts { for_votes, against, abstain }
    }

    /// Counts of a list of votes.
    pub fn tally<I: IntoIterator<Item = Choice>>(choices: I) -> Self {
        let mut counts = Counts::default();
        for choice in choices {
            counts.add(choice);
        }
        counts
    }

    /// Adds one vote (saturating, so it can never overflow).
    pub fn add(&mut self, choice: Choice) {
        let slot = match choice {
            Choice::For => &mut self.for_votes,
            Choice::Against => &mut self.against,
            Choice::Abstain => &mut self.abstain,
        };
        *slot = slot.saturating_add(1);
    }

    /// The count for one choice.
    pub fn get(&self, choice: Choice) -> u64 {
        match choice {
            Choice::For => self.for_votes,
            Choice::Against => self.against,
            Choice::Abstain => self.abstain,
        }
    }

    /// Everyone who voted, abstentions included (saturating at `u64::MAX`).
    pub fn total(&self) -> u64 {
        self.for_votes.saturating_add(self.against).saturating_add(self.abstain)
    }

    /// Those "present and voting": for + against (saturating at `u64::MAX`).
    pub fn voting(&self) -> u64 {
        self.for_votes.saturating_add(self.against)
    }

    /// "for 212, against 40, abstain 9", as printed in the motion in full.
    pub fn describe(&self) -> String {
        format!("for {}, against {}, abstain {}", self.for_votes, self.against, self.abstain)
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

text_enum! {
    /// Qualifier printed after CARRIED.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Qualifier ("qualifier", loose, also = as_upper) {
        /// against = 0 and abstain = 0.
        Unanimously = "unanimously",
        /// against = 0 and abstain > 0.
        NemCon = "nem_con",
        /// A two-thirds poll that was carried (with some votes against).
        ByATwoThirdsMajority = "by_a_two_thirds_majority",
    }
}

impl Qualifier {
    /// "UNANIMOUSLY", "NEM CON", "BY A TWO-THIRDS MAJORITY".
    pub fn as_upper(&self) -> &'static str {
        match self {
            Qualifier::Unanimously => "UNANIMOUSLY",
            Qualifier::NemCon => "NEM CON",
            Qualifier::ByATwoThirdsMajority => "BY A TWO-THIRDS MAJORITY",
        }
    }
}

/// The result of a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub carried: bool,
    /// Only ever set when `carried`.
    pub qualifier: Option<Qualifier>,
}

impl Decision {
    /// A lost poll.
    pub const LOST: Decision = Decision { carried: false, qualifier: None };

    /// A carried poll with no qualifier.
    pub const CARRIED: Decision = Decision { carried: true, qualifier: None };

    /// "CARRIED", "CARRIED NEM CON", "LOST"...
    pub fn as_upper(&self) -> String {
        match (self.carried, self.qualifier) {
            (false, _) => "LOST".to_string(),
            (true, None) => "CARRIED".to_string(),
            (true, Some(q)) => format!("CARRIED {}", q.as_upper()),
        }
    }
}

/// Whether the counts carry the poll under `majority` (abstentions ignored).
pub fn is_carried(majority: Majority, counts: &Counts) -> bool {
    let for_votes = u128::from(counts.for_votes);
    let against = u128::from(counts.against);
    match majority {
        Majority::Simple => for_votes > against,
        // u64 values widened to u128: 3 · (2^64 − 1) and 2 · 2 · (2^64 − 1) both fit.
        Majority::TwoThirds => for_votes >= 1 && 3 * for_votes >= 2 * (for_votes + against),
    }
}

/// Decides a poll from its counts.
///
/// Qualifier (only when carried), by precedence: `Unanimously` (against = 0 and
/// abstain = 0), then `NemCon` (against = 0, abstain > 0), then
/// `ByATwoThirdsMajority` (a two-thirds poll that was carried).
pub fn decide(majority: Majority, counts: &Counts) -> Decision {
    if !is_carried(majority, counts) {
        return Decision::LOST;
    }
    let qualifier = if counts.against == 0 && counts.abstain == 0 {
        Some(Qualifier::Unanimously)
    } else if counts.against == 0 {
        Some(Qualifier::NemCon)
    } else if majority == Majority::TwoThirds {
        Some(Qualifier::ByATwoThirdsMajority)
    } else {
        None
    };
    Decision { carried: true, qualifier }
}

/// Checks a show-of-hands result entered by the chair.
///
/// Without counts the chair's declaration stands, with no qualifier. With counts,
/// `decide` must agree with the declaration; the qualifier then comes from the counts.
pub fn check_declared(
    majority: Majority,
    declared_carried: bool,
    counts: Option<&Counts>,
) -> Result<Decision, super::errors::DeclarationError> {
    let Some(counts) = counts else {
        return Ok(Decision { carried: declared_carried, qualifier: None });
    };
    let decision = decide(majority, counts);
    if decision.carried == declared_carried {
        return Ok(decision);
    }
    Err(super::errors::DeclarationError { majority, declared_carried, counts: *counts })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(f: u64, a: u64, ab: u64) -> Counts {
        Counts::new(f, a, ab)
    }

    #[test]
    fn serde_names() {
        assert_eq!(serde_json::to_string(&Majority::TwoThirds).unwrap(), "\"two_thirds\"");
        assert_eq!(serde_json::to_string(&Majority::Simple).unwrap(), "\"simple\"");
        assert_eq!(serde_json::to_string(&Choice::For).unwrap(), "\"for\"");
        assert_eq!(serde_json::to_string(&Choice::Against).unwrap(), "\"against\"");
        assert_eq!(serde_json::to_string(&Choice::Abstain).unwrap(), "\"abstain\"");
        assert_eq!(serde_json::to_string(&Qualifier::ByATwoThirdsMajority).unwrap(), "\"by_a_two_thirds_majority\"");
        assert_eq!(serde_json::to_string(&Qualifier::NemCon).unwrap(), "\"nem_con\"");
        assert_eq!(serde_json::to_string(&Qualifier::Unanimously).unwrap(), "\"unanimously\"");
    }

    #[test]
    fn counts_json_uses_for() {
        let json = serde_json::to_value(c(3, 2, 1)).unwrap();
        assert_eq!(json, serde_json::json!({"for": 3, "against": 2, "abstain": 1}));
        let back: Counts = serde_json::from_value(json).unwrap();
        assert_eq!(back, c(3, 2, 1));
    }

    #[test]
    fn from_str_round_trips() {
        for m in Majority::ALL {
            assert_eq!(m.as_str().parse::<Majority>().unwrap(), m);
        }
        for ch in Choice::ALL {
            assert_eq!(ch.as_str().parse::<Choice>().unwrap(), ch);
        }
        for q in Qualifier::ALL {
            assert_eq!(q.as_str().parse::<Qualifier>().unwrap(), q);
            assert_eq!(q.as_upper().parse::<Qualifier>().unwrap(), q);
        }
        let err = "three_quarters".parse::<Majority>().unwrap_err();
        assert!(err.to_string().contains("simple"), "{err}");
    }

    #[test]
    fn qualifier_upper() {
        assert_eq!(Qualifier::Unanimously.as_upper(), "UNANIMOUSLY");
        assert_eq!(Qualifier::NemCon.as_upper(), "NEM CON");
        assert_eq!(Qualifier::ByATwoThirdsMajority.as_upper(), "BY A TWO-THIRDS MAJORITY");
    }

    #[test]
    fn add_and_total() {
        let mut counts = Counts::default();
        counts.add(Choice::For);
        counts.add(Choice::For);
        counts.add(Choice::Against);
        counts.add(Choice::Abstain);
        assert_eq!(counts, c(2, 1, 1));
        assert_eq!(counts.total(), 4);
        assert_eq!(counts.voting(), 3);
        assert_eq!(counts.get(Choice::For), 2);
        assert_eq!(Counts::tally([Choice::Against, Choice::Against, Choice::For]), c(1, 2, 0));
        let mut full = c(u64::MAX, u64::MAX, u64::MAX);
        full.add(Choice::For);
        assert_eq!(full.for_votes, u64::MAX);
        assert_eq!(full.total(), u64::MAX);
        assert_eq!(c(212, 40, 9).to_string(), "for 212, against 40, abstain 9");
    }

    #[test]
    fn simple_majority() {
        assert!(decide(Majority::Simple, &c(2, 1, 0)).carried);
        assert!(!decide(Majority::Simple, &c(1, 1, 0)).carried, "tie is lost");
        assert!(!decide(Majority::Simple, &c(0, 0, 0)).carried);
        assert!(!decide(Majority::Simple, &c(0, 0, 5)).carried);
        assert!(!decide(Majority::Simple, &c(1, 2, 100)).carried);
        assert!(decide(Majority::Simple, &c(3, 2, 100)).carried);
    }

    #[test]
    fn two_thirds_majority() {
        assert!(decide(Majority::TwoThirds, &c(2, 1, 0)).carried, "exactly 2/3");
        assert!(!decide(Majority::TwoThirds, &c(3, 2, 0)).carried, "60%");
        assert!(decide(Majority::TwoThirds, &c(20, 10, 50)).carried);
        assert!(!decide(Majority::TwoThirds, &c(19, 10, 0)).carried);
        assert!(!decide(Majority::TwoThirds, &c(0, 0, 0)).carried, "needs one for");
        assert!(!decide(Majority::TwoThirds, &c(0, 0, 7)).carried);
        assert!(decide(Majority::TwoThirds, &c(1, 0, 0)).carried);
    }

    #[test]
    fn qualifiers_and_precedence() {
        let d = decide(Majority::Simple, &c(5, 0, 0));
        assert_eq!(d.qualifier, Some(Qualifier::Unanimously));
        let d = decide(Majority::TwoThirds, &c(5, 0, 0));
        assert_eq!(d.qualifier, Some(Qualifier::Unanimously), "unanimous beats two-thirds");
        let d = decide(Majority::Simple, &c(5, 0, 2));
        assert_eq!(d.qualifier, Some(Qualifier::NemCon));
        let d = decide(Majority::TwoThirds, &c(5, 0, 2));
        assert_eq!(d.qualifier, Some(Qualifier::NemCon), "nem con beats two-thirds");
        let d = decide(Majority::TwoThirds, &c(5, 1, 2));
        assert_eq!(d.qualifier, Some(Qualifier::ByATwoThirdsMajority));
        let d = decide(Majority::Simple, &c(5, 1, 2));
        assert_eq!(d, Decision::CARRIED);
        let d = decide(Majority::Simple, &c(0, 1, 0));
        assert_eq!(d, Decision::LOST);
        assert_eq!(decide(Majority::Simple, &c(0, 0, 0)), Decision::LOST);
    }

    #[test]
    fn decision_upper() {
        assert_eq!(Decision::LOST.as_upper(), "LOST");
        assert_eq!(Decision::CARRIED.as_upper(), "CARRIED");
        assert_eq!(decide(Majority::Simple, &c(1, 0, 1)).as_upper(), "CARRIED NEM CON");
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        let max = u64::MAX;
        assert!(!decide(Majority::Simple, &c(max, max, max)).carried);
        assert!(decide(Majority::TwoThirds, &c(max, max / 2, max)).carried);
        assert!(!decide(Majority::TwoThirds, &c(max, max / 2 + 1, 0)).carried);
        assert!(decide(Majority::TwoThirds, &c(max, 0, 0)).carried);
        assert_eq!(decide(Majority::TwoThirds, &c(max, 1, 0)).qualifier, Some(Qualifier::ByATwoThirdsMajority));
    }

    #[test]
    fn declared_without_counts() {
        assert_eq!(check_declared(Majority::Simple, true, None), Ok(Decision::CARRIED));
        assert_eq!(check_declared(Majority::TwoThirds, false, None), Ok(Decision::LOST));
    }

    #[test]
    fn declared_with_agreeing_counts() {
        assert_eq!(
            check_declared(Majority::Simple, true, Some(&c(10, 0, 2))),
            Ok(Decision { carried: true, qualifier: Some(Qualifier::NemCon) })
        );
        assert_eq!(check_declared(Majority::Simple, false, Some(&c(10, 12, 0))), Ok(Decision::LOST));
    }

    #[test]
    fn declared_with_disagreeing_counts() {
        let err = check_declared(Majority::Simple, true, Some(&c(10, 12, 0))).unwrap_err().to_string();
        assert_eq!(err, "the counts given (for 10, against 12) mean the motion was lost, not carried");
        let err = check_declared(Majority::Simple, false, Some(&c(12, 10, 3))).unwrap_err().to_string();
        assert!(
            err.starts_with("the counts given (for 12, against 10, abstain 3) mean the motion was carried, not lost")
        );
        let err = check_declared(Majority::Simple, true, Some(&c(10, 10, 0))).unwrap_err().to_string();
        assert!(err.contains("a tie is lost"), "{err}");
        let err = check_declared(Majority::TwoThirds, true, Some(&c(10, 6, 0))).unwrap_err().to_string();
        assert!(err.contains("two-thirds"), "{err}");
    }

    proptest! {
        #[test]
        fn abstentions_never_change_carried(f in 0u64..1000, a in 0u64..1000, x in 0u64..1000, y in 0u64..1000) {
            for m in Majority::ALL {
                prop_assert_eq!(decide(m, &c(f, a, x)).carried, decide(m, &c(f, a, y)).carried);
            }
        }

        #[test]
        fn adding_a_for_vote_never_loses(f in 0u64..u64::MAX, a: u64, ab: u64) {
            for m in Majority::ALL {
                if decide(m, &c(f, a, ab)).carried {
                    prop_assert!(decide(m, &c(f + 1, a, ab)).carried);
                }
            }
        }

        #[test]
        fn adding_an_against_vote_never_wins(f: u64, a in 0u64..u64::MAX, ab: u64) {
            for m in Majority::ALL {
                if !decide(m, &c(f, a, ab)).carried {
                    prop_assert!(!decide(m, &c(f, a + 1, ab)).carried);
                }
            }
        }

        #[test]
        fn two_thirds_implies_simple(f: u64, a: u64, ab: u64) {
            if decide(Majority::TwoThirds, &c(f, a, ab)).carried {
                prop_assert!(decide(Majority::Simple, &c(f, a, ab)).carried);
            }
        }

        #[test]
        fn qualifier_rules(f in 0u64..50, a in 0u64..50, ab in 0u64..50) {
            for m in Majority::ALL {
                let d = decide(m, &c(f, a, ab));
                if !d.carried {
                    prop_assert_eq!(d.qualifier, None);
                }
                match d.qualifier {
                    Some(Qualifier::Unanimously) => prop_assert!(a == 0 && ab == 0 && f > 0),
                    Some(Qualifier::NemCon) => prop_assert!(a == 0 && ab > 0),
                    Some(Qualifier::ByATwoThirdsMajority) => {
                        prop_assert!(m == Majority::TwoThirds && a > 0)
                    }
                    None => prop_assert!(!d.carried || (a > 0 && m == Majority::Simple)),
                }
            }
        }

        #[test]
        fn matches_exact_fractions(f in 0u64..200, a in 0u64..200) {
            let share = if f + a == 0 { 0.0 } else { f as f64 / (f + a) as f64 };
            let two_thirds = decide(Majority::TwoThirds, &c(f, a, 0)).carried;
            prop_assert_eq!(two_thirds, f >= 1 && 3 * f >= 2 * (f + a));
            if f + a > 0 && (share - 2.0 / 3.0).abs() > 1e-9 {
                prop_assert_eq!(two_thirds, share > 2.0 / 3.0);
            }
        }

        #[test]
        fn declared_agrees_with_decide(f in 0u64..30, a in 0u64..30, ab in 0u64..30, declared: bool) {
            for m in Majority::ALL {
                let counts = c(f, a, ab);
                let d = decide(m, &counts);
                match check_declared(m, declared, Some(&counts)) {
                    Ok(got) => { prop_assert_eq!(got, d); prop_assert_eq!(declared, d.carried); }
                    Err(msg) => { prop_assert_ne!(declared, d.carried); prop_assert!(msg.to_string().starts_with("the counts given")); }
                }
            }
        }
    }
}
