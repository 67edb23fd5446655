#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::CommitteeAction::*;
use super::*;

fn read(text: &str) -> CommitteeMotion {
    read_committee_motion(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn items(m: &CommitteeMotion) -> Vec<&str> {
    m.items.iter().map(String::as_str).collect()
}

#[test]
fn an_a_motion_in_the_usual_wordings() {
    for text in [
        "That item 217 be an 'A' motion.",
        "That item 217 be an ‘A’ motion",
        "that item 217 be an A motion",
        "That motion 217 be treated as an \"A\" motion.",
        "That conference agrees that item 217 should be designated an 'A' motion.",
        "That item number 217 be marked 'A'.",
        "THAT ITEM 217 BE AN 'A' MOTION",
    ] {
        let m = read(text);
        assert_eq!(items(&m), ["217"], "{text}");
        assert_eq!(m.actions, [MarkA], "{text}");
    }
}

#[test]
fn an_ar_motion() {
    let m = read("That items 12 and 13 be 'AR' motions.");
    assert_eq!(items(&m), ["12", "13"]);
    assert_eq!(m.actions, [MarkAr]);
    assert_eq!(read("That item 40 be an AR motion").actions, [MarkAr]);
}

#[test]
fn the_article_a_is_not_the_mark() {
    // "be a motion …" is not an 'A' motion; nothing else is said, so it cannot be applied.
    assert_eq!(read_committee_motion("That item 12 be a motion for debate."), Err(NotCommitteeMotion::NoAction));
    assert_eq!(read("That item 12 be a starred motion.").actions, [Star]);
}

#[test]
fn grey_section_both_ways() {
    for text in [
        "That item 88 be moved to the grey section.",
        "That item 88 be placed in the grey section",
        "That item 88 be transferred into the Grey Section.",
        "That item 88 be a grey motion.",
    ] {
        assert_eq!(read(text).actions, [ToGrey], "{text}");
    }
    for text in [
        "That item 205 be moved out of the grey section.",
        "That item 205 be removed from the grey section",
        "That item 205 be moved from the grey section to the main agenda.",
        "That item 205 be taken out of the gray section and debated.",
    ] {
        assert_eq!(read(text).actions, [FromGrey], "{text}");
    }
    assert_eq!(
        read_committee_motion("That item 5 be moved from the grey section to the grey section."),
        Err(NotCommitteeMotion::Contradictory)
    );
}

#[test]
fn taken_in_parts_and_withdrawn() {
    let m = read("That motion 27 be taken in parts.");
    assert_eq!((items(&m), m.actions.clone()), (vec!["27"], vec![TakeInParts]));
    assert_eq!(read("That item 27 be voted on separately").actions, [TakeInParts]);
    let m = read("That items 30, 31 and 32 be withdrawn.");
    assert_eq!(items(&m), ["30", "31", "32"]);
    assert_eq!(m.actions, [Withdraw]);
}

#[test]
fn lettered_numbers_lists_and_ranges() {
    assert_eq!(items(&read("That items 27a, 27b and a278 be 'A' motions")), ["27a", "27b", "a278"]);
    assert_eq!(items(&read("That items 12 to 15 be moved to the grey section")), ["12", "13", "14", "15"]);
    assert_eq!(items(&read("That items 12-14 be moved to the grey section")), ["12", "13", "14"]);
    assert_eq!(items(&read("That motions 7 and 7 be withdrawn")), ["7"]);
    assert_eq!(items(&read("That item EM1 be withdrawn")), ["EM1"]);
    assert!(matches!(read_committee_motion("That items 15 to 12 be withdrawn"), Err(NotCommitteeMotion::BadRange(_))));
    assert!(matches!(read_committee_motion("That items 1 to 9999 be withdrawn"), Err(NotCommitteeMotion::BadRange(_))));
}

#[test]
fn two_actions_together() {
    let m = read("That item 60 be an 'A' motion and be moved out of the grey section.");
    assert_eq!(m.actions, [MarkA, FromGrey]);
}

#[test]
fn ordinary_motions_are_not_committee_motions() {
    for (text, why) in [
        ("That conference believes that practices need more funding.", NotCommitteeMotion::NoItem),
        ("That conference asks for item 6, first", NotCommitteeMotion::NoBe),
        ("That item 12 not be taken in parts", NotCommitteeMotion::Negated),
        ("That item 12 be not withdrawn", NotCommitteeMotion::Negated),
        ("That item 12 be debated first", NotCommitteeMotion::NoAction),
        ("", NotCommitteeMotion::NoItem),
    ] {
        assert_eq!(read_committee_motion(text), Err(why), "{text}");
    }
}

#[test]
fn item_numbers() {
    for ok in ["1", "217", "27a", "27ab", "a278", "EM1", "em12"] {
        assert!(is_item_number(ok), "{ok}");
    }
    for bad in ["", "0", "abc", "12345", "27abc", "abc1", "1.5", "-"] {
        assert!(!is_item_number(bad), "{bad}");
    }
}

fn arb_number() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..=400).prop_map(|n| n.to_string()),
        (1u32..=400, "[a-h]").prop_map(|(n, l)| format!("{n}{l}")),
        (1u32..=400).prop_map(|n| format!("a{n}")),
    ]
}

fn phrasing(a: CommitteeAction, plural: bool) -> &'static str {
    match (a, plural) {
        (MarkA, false) => "be an 'A' motion",
        (MarkA, true) => "be ‘A’ motions",
        (MarkAr, false) => "be an 'AR' motion",
        (MarkAr, true) => "be AR motions",
        (Star, _) => "be starred",
        (ToGrey, _) => "be moved to the grey section",
        (FromGrey, _) => "be moved out of the grey section",
        (TakeInParts, _) => "be taken in parts",
        (Withdraw, _) => "be withdrawn",
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any list of distinct numbers with any one action reads back as written.
    #[test]
    fn wordings_read_back(
        numbers in proptest::collection::vec(arb_number(), 1..6),
        action in prop::sample::select(vec![MarkA, MarkAr, Star, ToGrey, FromGrey, TakeInParts, Withdraw]),
        lead in prop::sample::select(vec!["That", "that", "That conference agrees that"]),
        end in prop::sample::select(vec![".", "", ";"]),
    ) {
        let mut distinct: Vec<String> = Vec::new();
        for n in numbers {
            if !distinct.iter().any(|d| d.eq_ignore_ascii_case(&n)) {
                distinct.push(n);
            }
        }
        let plural = distinct.len() > 1;
        let list = match distinct.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
            [] => unreachable!(),
        };
        let text = format!("{lead} {} {list} {}{end}", if plural { "items" } else { "item" }, phrasing(action, plural));
        let m = read_committee_motion(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(m.items, distinct, "{}", text);
        prop_assert_eq!(m.actions, vec![action], "{}", text);
    }

    /// Any text at all: an answer, never a panic; what is read names at least one item and one action.
    #[test]
    fn never_panics(text in "\\PC{0,200}") {
        if let Ok(m) = read_committee_motion(&text) {
            prop_assert!(!m.items.is_empty() && !m.actions.is_empty());
            prop_assert!(m.items.len() <= MAX_ITEMS);
        }
    }
}
