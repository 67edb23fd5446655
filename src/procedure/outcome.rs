//! Outcomes of parts and motions, and the motion's outcome text (docs/domain.md table).

use crate::text_enum;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::majority::Qualifier;
text_enum! {
    /// How a part (or a motion taken as a whole) ended.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Outcome ("outcome", loose, also = as_upper) {
        Carried = "carried",
        /// Sent to GPC to consider rather than firm policy; the proposer accepts it.
        CarriedAsReference = "carried_as_reference",
        Lost = "lost",
        Withdrawn = "withdrawn",
        NotReached = "not_reached",
        MovedToNextBusiness = "moved_to_next_business",
        RuledOutOfOrder = "ruled_out_of_order",
        /// Fell (e.g. because an earlier decision made it redundant).
        Superseded = "superseded",
    }
}

impl Outcome {
    /// The printed text: "CARRIED", "CARRIED AS A REFERENCE", "LOST", …
    pub fn as_upper(&self) -> &'static str {
        match self {
            Outcome::Carried => "CARRIED",
            Outcome::CarriedAsReference => "CARRIED AS A REFERENCE",
            Outcome::Lost => "LOST",
            Outcome::Withdrawn => "WITHDRAWN",
            Outcome::NotReached => "NOT REACHED",
            Outcome::MovedToNextBusiness => "MOVED TO NEXT BUSINESS",
            Outcome::RuledOutOfOrder => "RULED OUT OF ORDER",
            Outcome::Superseded => "SUPERSEDED",
        }
    }

    /// The printed text with a qualifier. Only `Carried` takes one:
    /// "CARRIED NEM CON"; a qualifier on any other outcome is ignored.
    pub fn upper_with(&self, qualifier: Option<Qualifier>) -> String {
        match (self, qualifier) {
            (Outcome::Carried, Some(q)) => format!("CARRIED {}", q.as_upper()),
            _ => self.as_upper().to_string(),
        }
    }

    /// Outcomes that come from a poll ("carried"/"lost") rather than from the chair.
    pub fn is_voted(&self) -> bool {
        matches!(self, Outcome::Carried | Outcome::Lost)
    }
}

text_enum! {
    /// How the chair takes a motion: one poll on the whole, or one poll per part.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum TakenAs ("taken_as", loose) {
        #[default]
        Whole = "whole",
        Parts = "parts",
    }
}

/// One part's label and (possibly undecided) outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PartState {
    pub label: String,
    /// `None` while undecided.
    pub outcome: Option<Outcome>,
    pub qualifier: Option<Qualifier>,
}

impl PartState {
    /// An undecided part.
    pub fn undecided(label: impl Into<String>) -> Self {
        PartState { label: label.into(), outcome: None, qualifier: None }
    }

    /// A decided part with no qualifier.
    pub fn decided(label: impl Into<String>, outcome: Outcome) -> Self {
        PartState { label: label.into(), outcome: Some(outcome), qualifier: None }
    }
}

/// The motion's outcome text, exactly per the docs/domain.md table; `None` while undecided.
///
/// * `TakenAs::Whole` (also for a motion with no parts): from `whole` only —
///   "CARRIED" (+ " UNANIMOUSLY" / " NEM CON" / " BY A TWO-THIRDS MAJORITY"), or the
///   other outcome's text. `whole == None` → `None`.
/// * `TakenAs::Parts`: any part undecided, or no parts at all → `None`; all the same
///   → "CARRIED IN ALL PARTS", "LOST IN ALL PARTS", …; mixed → groups in order of first
///   appearance, e.g. "PARTS (i), (iii) AND (v) CARRIED; PART (ii) LOST". Per-part
///   qualifiers do not change the text; `whole` is ignored.
pub fn motion_outcome_text(
    taken: TakenAs,
    whole: Option<(Outcome, Option<Qualifier>)>,
    parts: &[PartState],
) -> Option<String> {
    match taken {
        TakenAs::Whole => whole.map(|(outcome, qualifier)| outcome.upper_with(qualifier)),
        TakenAs::Parts => parts_outcome_text(parts),
    }
}

fn parts_outcome_text(parts: &[PartState]) -> Option<String> {
    let outcomes: Vec<Outcome> = parts.iter().map(|p| p.outcome).collect::<Option<_>>()?;
    let first = *outcomes.first()?;
    if outcomes.iter().all(|o| *o == first) {
        return Some(format!("{} IN ALL PARTS", first.as_upper()));
    }
    let mut groups: Vec<(Outcome, Vec<&str>)> = Vec::new();
    for (part, outcome) in parts.iter().zip(&outcomes) {
        match groups.iter_mut().find(|(o, _)| o == outcome) {
            Some((_, labels)) => labels.push(part.label.as_str()),
            None => groups.push((*outcome, vec![part.label.as_str()])),
        }
    }
    let texts: Vec<String> = groups
        .iter()
        .map(|(outcome, labels)| match labels.as_slice() {
            [one] => format!("PART {one} {}", outcome.as_upper()),
            many => format!("PARTS {} {}", join_with_and(many), outcome.as_upper()),
        })
        .collect();
    Some(texts.join("; "))
}

/// "(i)", "(i) AND (ii)", "(i), (iii) AND (v)".
fn join_with_and(labels: &[&str]) -> String {
    match labels {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} AND {}", init.join(", "), last),
    }
}

/// When a conference closes, everything undecided becomes `NotReached`. Taken as a
/// whole (or with no parts): an undecided `whole` becomes NOT REACHED, and undecided
/// parts take the whole's outcome (so parts never disagree with their motion). Taken
/// in parts: every undecided part becomes NOT REACHED. Decided outcomes are never
/// touched. Returns how many outcomes were set.
pub fn undecided_become_not_reached(
    taken: TakenAs,
    whole: &mut Option<(Outcome, Option<Qualifier>)>,
    parts: &mut [PartState],
) -> usize {
    let mut changed = 0;
    if taken == TakenAs::Whole || parts.is_empty() {
        let outcome = match *whole {
            Some((outcome, _)) => outcome,
            None => {
                *whole = Some((Outcome::NotReached, None));
                changed += 1;
                Outcome::NotReached
            }
        };
        changed += decide_undecided(parts, outcome);
    } else {
        changed += decide_undecided(parts, Outcome::NotReached);
    }
    changed
}

/// Sets every undecided part to `outcome` (no qualifier); returns how many.
fn decide_undecided(parts: &mut [PartState], outcome: Outcome) -> usize {
    let mut changed = 0;
    for part in parts.iter_mut().filter(|p| p.outcome.is_none()) {
        part.outcome = Some(outcome);
        part.qualifier = None;
        changed += 1;
    }
    changed
}

/// Applies a motion-level outcome decided before any vote (withdrawn, not reached,
/// next business, ruled out of order, 'AR' reaffirmed → carried, 'A' en bloc →
/// carried) to the whole and to every part still undecided. Returns how many
/// outcomes were set.
pub fn apply_to_all(
    outcome: Outcome,
    whole: &mut Option<(Outcome, Option<Qualifier>)>,
    parts: &mut [PartState],
) -> usize {
    let mut changed = 0;
    if whole.is_none() {
        *whole = Some((outcome, None));
        changed += 1;
    }
    changed + decide_undecided(parts, outcome)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parts(v: &[(&str, Option<Outcome>)]) -> Vec<PartState> {
        v.iter().map(|(l, o)| PartState { label: l.to_string(), outcome: *o, qualifier: None }).collect()
    }

    #[test]
    fn names() {
        assert_eq!(serde_json::to_string(&Outcome::CarriedAsReference).unwrap(), "\"carried_as_reference\"");
        assert_eq!(serde_json::to_string(&Outcome::MovedToNextBusiness).unwrap(), "\"moved_to_next_business\"");
        assert_eq!(serde_json::to_string(&Outcome::RuledOutOfOrder).unwrap(), "\"ruled_out_of_order\"");
        assert_eq!(serde_json::to_string(&Outcome::NotReached).unwrap(), "\"not_reached\"");
        assert_eq!(serde_json::to_string(&TakenAs::Parts).unwrap(), "\"parts\"");
        assert_eq!(serde_json::to_string(&TakenAs::Whole).unwrap(), "\"whole\"");
        for o in Outcome::ALL {
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
            assert_eq!(o.as_str().parse::<Outcome>().unwrap(), o);
            assert_eq!(o.as_upper().parse::<Outcome>().unwrap(), o);
            assert_eq!(o.to_string().parse::<Outcome>().unwrap(), o);
        }
        assert_eq!(" Parts ".parse::<TakenAs>().unwrap(), TakenAs::Parts);
        let err = "fell".parse::<Outcome>().unwrap_err();
        assert!(err.to_string().contains("superseded"), "{err}");
        assert!("halves".parse::<TakenAs>().is_err());
    }

    #[test]
    fn upper_texts() {
        let expected = [
            "CARRIED",
            "CARRIED AS A REFERENCE",
            "LOST",
            "WITHDRAWN",
            "NOT REACHED",
            "MOVED TO NEXT BUSINESS",
            "RULED OUT OF ORDER",
            "SUPERSEDED",
        ];
        for (o, e) in Outcome::ALL.iter().zip(expected) {
            assert_eq!(o.as_upper(), e);
        }
    }

    #[test]
    fn whole_texts() {
        assert_eq!(motion_outcome_text(TakenAs::Whole, None, &[]), None);
        assert_eq!(
            motion_outcome_text(TakenAs::Whole, Some((Outcome::Carried, None)), &[]).as_deref(),
            Some("CARRIED")
        );
        for (q, text) in [
            (Qualifier::Unanimously, "CARRIED UNANIMOUSLY"),
            (Qualifier::NemCon, "CARRIED NEM CON"),
            (Qualifier::ByATwoThirdsMajority, "CARRIED BY A TWO-THIRDS MAJORITY"),
        ] {
            assert_eq!(
                motion_outcome_text(TakenAs::Whole, Some((Outcome::Carried, Some(q))), &[]).as_deref(),
                Some(text)
            );
        }
        for o in Outcome::ALL.into_iter().filter(|o| *o != Outcome::Carried) {
            assert_eq!(
                motion_outcome_text(TakenAs::Whole, Some((o, Some(Qualifier::NemCon))), &[]),
                Some(o.as_upper().to_string()),
                "qualifier ignored on {o}"
            );
        }
    }

    #[test]
    fn whole_ignores_parts() {
        let p = parts(&[("(i)", Some(Outcome::Lost)), ("(ii)", None)]);
        assert_eq!(motion_outcome_text(TakenAs::Whole, Some((Outcome::Carried, None)), &p).as_deref(), Some("CARRIED"));
        assert_eq!(motion_outcome_text(TakenAs::Whole, None, &p), None);
    }

    #[test]
    fn parts_all_same() {
        let p = parts(&[
            ("(i)", Some(Outcome::Carried)),
            ("(ii)", Some(Outcome::Carried)),
            ("(iii)", Some(Outcome::Carried)),
        ]);
        assert_eq!(motion_outcome_text(TakenAs::Parts, None, &p).as_deref(), Some("CARRIED IN ALL PARTS"));
        let p = parts(&[("(i)", Some(Outcome::Lost)), ("(ii)", Some(Outcome::Lost))]);
        assert_eq!(motion_outcome_text(TakenAs::Parts, None, &p).as_deref(), Some("LOST IN ALL PARTS"));
        let p = parts(&[("(a)", Some(Outcome::CarriedAsReference)), ("(b)", Some(Outcome::CarriedAsReference))]);
        assert_eq!(
            motion_outcome_text(TakenAs::Parts, None, &p).as_deref(),
            Some("CARRIED AS A REFERENCE IN ALL PARTS")
        );
    }

    #[test]
    fn parts_mixed_domain_example() {
        let p = parts(&[
            ("(i)", Some(Outcome::Carried)),
            ("(ii)", Some(Outcome::Lost)),
            ("(iii)", Some(Outcome::Carried)),
            ("(iv)", Some(Outcome::CarriedAsReference)),
            ("(v)", Some(Outcome::Carried)),
        ]);
        assert_eq!(
            motion_outcome_text(TakenAs::Parts, None, &p).as_deref(),
            Some("PARTS (i), (iii) AND (v) CARRIED; PART (ii) LOST; PART (iv) CARRIED AS A REFERENCE")
        );
    }

    #[test]
    fn parts_mixed_order_of_first_appearance() {
        let p = parts(&[("(1)", Some(Outcome::Lost)), ("(2)", Some(Outcome::Carried)), ("(3)", Some(Outcome::Lost))]);
        assert_eq!(
            motion_outcome_text(TakenAs::Parts, None, &p).as_deref(),
            Some("PARTS (1) AND (3) LOST; PART (2) CARRIED")
        );
    }

    #[test]
    fn parts_qualifiers_do_not_change_text() {
        let mut p = parts(&[("(i)", Some(Outcome::Carried)), ("(ii)", Some(Outcome::Carried))]);
        p[0].qualifier = Some(Qualifier::Unanimously);
        assert_eq!(motion_outcome_text(TakenAs::Parts, None, &p).as_deref(), Some("CARRIED IN ALL PARTS"));
        p[1].outcome = Some(Outcome::Lost);
        assert_eq!(motion_outcome_text(TakenAs::Parts, None, &p).as_deref(), Some("PART (i) CARRIED; PART (ii) LOST"));
    }

    #[test]
    fn parts_undecided_or_empty() {
        let p = parts(&[("(i)", Some(Outcome::Carried)), ("(ii)", None)]);
        assert_eq!(motion_outcome_text(TakenAs::Parts, None, &p), None);
        assert_eq!(motion_outcome_text(TakenAs::Parts, Some((Outcome::Carried, None)), &[]), None);
    }

    #[test]
    fn closing_marks_not_reached() {
        let mut whole = None;
        let mut p = parts(&[("(i)", Some(Outcome::Carried)), ("(ii)", None), ("(iii)", None)]);
        assert_eq!(undecided_become_not_reached(TakenAs::Parts, &mut whole, &mut p), 2);
        assert_eq!(whole, None);
        assert_eq!(
            motion_outcome_text(TakenAs::Parts, whole, &p).as_deref(),
            Some("PART (i) CARRIED; PARTS (ii) AND (iii) NOT REACHED")
        );
        assert_eq!(undecided_become_not_reached(TakenAs::Parts, &mut whole, &mut p), 0);

        let mut whole = None;
        let mut p = parts(&[("(i)", None)]);
        assert_eq!(undecided_become_not_reached(TakenAs::Whole, &mut whole, &mut p), 2);
        assert_eq!(whole, Some((Outcome::NotReached, None)));
        assert_eq!(p[0].outcome, Some(Outcome::NotReached), "parts follow the whole");

        let mut whole = Some((Outcome::Carried, Some(Qualifier::NemCon)));
        let mut p = parts(&[("(i)", None), ("(ii)", Some(Outcome::Carried))]);
        assert_eq!(undecided_become_not_reached(TakenAs::Whole, &mut whole, &mut p), 1);
        assert_eq!(whole, Some((Outcome::Carried, Some(Qualifier::NemCon))));
        assert_eq!(p[0].outcome, Some(Outcome::Carried));

        let mut whole = Some((Outcome::Lost, None));
        let mut none: Vec<PartState> = Vec::new();
        assert_eq!(undecided_become_not_reached(TakenAs::Whole, &mut whole, &mut none), 0);
        assert_eq!(whole, Some((Outcome::Lost, None)));

        let mut whole = None;
        assert_eq!(undecided_become_not_reached(TakenAs::Parts, &mut whole, &mut none), 1);
        assert_eq!(whole, Some((Outcome::NotReached, None)));
    }

    #[test]
    fn motion_level_outcome_applies_to_every_part() {
        let mut whole = None;
        let mut p = parts(&[("(i)", None), ("(ii)", None)]);
        apply_to_all(Outcome::Withdrawn, &mut whole, &mut p);
        assert_eq!(motion_outcome_text(TakenAs::Parts, whole, &p).as_deref(), Some("WITHDRAWN IN ALL PARTS"));
        assert_eq!(motion_outcome_text(TakenAs::Whole, whole, &p).as_deref(), Some("WITHDRAWN"));
    }

    fn outcome_strategy() -> impl Strategy<Value = Option<Outcome>> {
        prop_oneof![
            1 => Just(None),
            8 => (0usize..Outcome::ALL.len()).prop_map(|i| Some(Outcome::ALL[i])),
        ]
    }

    fn roman_parts(outcomes: &[Option<Outcome>]) -> Vec<PartState> {
        outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| PartState {
                label: format!("({})", super::super::labels::to_roman(i as u32 + 1).unwrap()),
                outcome: *o,
                qualifier: None,
            })
            .collect()
    }

    /// Labels mentioned in a mixed text, in order, by group.
    fn groups_of(text: &str) -> Vec<(String, Vec<String>)> {
        text.split("; ")
            .map(|group| {
                let rest = group.strip_prefix("PARTS ").or_else(|| group.strip_prefix("PART ")).unwrap();
                let close = rest.rfind(')').unwrap();
                let (labels, outcome) = rest.split_at(close + 1);
                let labels = labels.split([',', ' ']).filter(|s| s.starts_with('(')).map(str::to_string).collect();
                (outcome.trim().to_string(), labels)
            })
            .collect()
    }

    proptest! {
        #[test]
        fn text_is_none_iff_some_part_undecided(outcomes in proptest::collection::vec(outcome_strategy(), 1..12)) {
            let p = roman_parts(&outcomes);
            let text = motion_outcome_text(TakenAs::Parts, None, &p);
            prop_assert_eq!(text.is_none(), outcomes.iter().any(|o| o.is_none()));
        }

        #[test]
        fn all_equal_is_in_all_parts(i in 0usize..8, n in 1usize..12) {
            let o = Outcome::ALL[i];
            let p = roman_parts(&vec![Some(o); n]);
            let text = motion_outcome_text(TakenAs::Parts, None, &p).unwrap();
            prop_assert_eq!(text, format!("{} IN ALL PARTS", o.as_upper()));
        }

        #[test]
        fn mixed_text_mentions_every_label_once_in_order(ix in proptest::collection::vec(0usize..8, 2..15)) {
            let outcomes: Vec<Option<Outcome>> = ix.iter().map(|i| Some(Outcome::ALL[*i])).collect();
            prop_assume!(outcomes.iter().any(|o| *o != outcomes[0]));
            let p = roman_parts(&outcomes);
            let text = motion_outcome_text(TakenAs::Parts, None, &p).unwrap();
            prop_assert!(!text.contains("IN ALL PARTS"));
            let groups = groups_of(&text);
            let mut seen: Vec<String> = Vec::new();
            let mut group_outcomes: Vec<String> = Vec::new();
            for (outcome, labels) in &groups {
                // each group's outcome appears once; labels keep motion order within a group
                prop_assert!(!group_outcomes.contains(outcome));
                group_outcomes.push(outcome.clone());
                let positions: Vec<usize> = labels.iter()
                    .map(|l| p.iter().position(|part| &part.label == l).unwrap())
                    .collect();
                prop_assert!(positions.windows(2).all(|w| w[0] < w[1]));
                for pos in &positions {
                    prop_assert_eq!(p[*pos].outcome.unwrap().as_upper(), outcome.as_str());
                }
                seen.extend(labels.iter().cloned());
            }
            let mut all: Vec<String> = p.iter().map(|x| x.label.clone()).collect();
            let mut seen_sorted = seen.clone();
            all.sort();
            seen_sorted.sort();
            prop_assert_eq!(all, seen_sorted, "every label exactly once");
            // groups appear in order of first appearance
            let firsts: Vec<usize> = groups.iter()
                .map(|(_, labels)| p.iter().position(|part| part.label == labels[0]).unwrap())
                .collect();
            prop_assert!(firsts.windows(2).all(|w| w[0] < w[1]));
        }

        #[test]
        fn closing_leaves_nothing_undecided(outcomes in proptest::collection::vec(outcome_strategy(), 0..10), whole_set: bool, in_parts: bool) {
            let taken = if in_parts { TakenAs::Parts } else { TakenAs::Whole };
            let mut p = roman_parts(&outcomes);
            let before = p.clone();
            let mut whole = if whole_set { Some((Outcome::Lost, None)) } else { None };
            undecided_become_not_reached(taken, &mut whole, &mut p);
            prop_assert!(p.iter().all(|x| x.outcome.is_some()), "no part left undecided");
            if taken == TakenAs::Parts && !p.is_empty() {
                prop_assert!(motion_outcome_text(taken, whole, &p).is_some());
            } else {
                prop_assert!(whole.is_some());
                prop_assert!(motion_outcome_text(TakenAs::Whole, whole, &p).is_some());
            }
            for (b, a) in before.iter().zip(&p) {
                if b.outcome.is_some() { prop_assert_eq!(b, a); }
            }
        }
    }
}
