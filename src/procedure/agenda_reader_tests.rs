#![allow(clippy::unwrap_used)]

use super::*;
use std::collections::HashMap;

fn item<'a>(a: &'a Agenda, number: &str) -> &'a AgendaItem {
    a.items.iter().find(|i| i.number == number).unwrap_or_else(|| {
        panic!("no item {number}; items: {:?}", a.items.iter().map(|i| &i.number).collect::<Vec<_>>())
    })
}

fn numbers(a: &Agenda) -> Vec<&str> {
    a.items.iter().map(|i| i.number.as_str()).collect()
}

fn labels(i: &AgendaItem) -> Vec<&str> {
    i.parts.iter().map(|p| p.label.as_str()).collect()
}

/// Every non-blank line is in exactly one item, note or warning's unread lines.
fn accounted(text: &str, a: &Agenda) -> Result<(), String> {
    let mut count: HashMap<usize, usize> = HashMap::new();
    for i in &a.items {
        for l in &i.lines {
            *count.entry(*l).or_default() += 1;
        }
    }
    for n in &a.notes {
        for l in &n.lines {
            *count.entry(*l).or_default() += 1;
        }
    }
    for w in &a.warnings {
        for l in &w.unread {
            *count.entry(*l).or_default() += 1;
        }
    }
    for l in non_blank_lines(text) {
        match count.remove(&l) {
            Some(1) => {}
            Some(n) => return Err(format!("line {l} is in {n} places")),
            None => return Err(format!("line {l} is in no item, note or warning")),
        }
    }
    if let Some((l, _)) = count.into_iter().next() {
        return Err(format!("line {l} is not a non-blank line of the input"));
    }
    Ok(())
}

fn read(text: &str) -> Agenda {
    let a = read_agenda(text);
    if let Err(e) = accounted(text, &a) {
        panic!("{e}\n{a:#?}");
    }
    a
}

const SAMPLE: &str = include_str!("../../tests/fixtures/agenda-layouts.txt");

#[test]
fn the_layouts_fixture() {
    let a = read(SAMPLE);
    assert_eq!(
        numbers(&a),
        ["1", "2", "2a", "2b", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "a13", "205", "206", "EM1"],
        "{a:#?}"
    );
    let one = item(&a, "1");
    assert_eq!(one.proposer.as_deref(), Some("Mid Wessex"));
    assert!(one.agenda_committee);
    assert_eq!(one.section.as_deref(), Some("WORKFORCE"));
    assert_eq!(labels(one), ["(i)", "(ii)", "(iii)"]);
    assert!(one.stem.starts_with("That conference notes the fall in partner numbers"));
    assert!(one.stem.contains("(see annex B, pp. 3–4)"), "{}", one.stem);

    let two = item(&a, "2");
    assert_eq!(two.proposer.as_deref(), Some("Tyneside"), "colon missing after the proposer");
    assert!(two.agenda_committee);
    assert_eq!(two.bracket.as_deref(), Some("2"));
    assert_eq!(item(&a, "2a").bracket.as_deref(), Some("2"));
    assert_eq!(item(&a, "2b").bracket.as_deref(), Some("2"));
    assert_eq!(item(&a, "2a").proposer.as_deref(), Some("Fenland"));
    assert_eq!(item(&a, "2b").proposer.as_deref(), Some("Upper Dale"));
    assert!(item(&a, "2b").stem.starts_with("That this meeting"));

    let three = item(&a, "3");
    assert_eq!(three.proposer.as_deref(), Some("Riverside"));
    assert!(three.agenda_committee);
    assert_eq!(labels(three), ["(1)", "(2)"]);

    let four = item(&a, "4");
    assert_eq!(four.proposer.as_deref(), Some("Northern Regional Council"));
    assert_eq!(labels(four), ["(a)", "(b)", "(c)"]);
    assert_eq!(four.after_parts.as_deref(), Some("Conference asks that this is reported by June."));

    let five = item(&a, "5");
    assert!(five.stem.starts_with("Given that"));
    assert_eq!(labels(five), ["(i)", "(ii)"]);
    assert_eq!(five.subsection.as_deref(), Some("Training practices"));

    let six = item(&a, "6");
    assert_eq!(six.kind, ItemKind::Amendment);
    assert_eq!(six.amends.as_deref(), Some("5"));
    assert!(six.parts.is_empty(), "an amendment quoting parts is one text: {six:#?}");
    assert!(six.stem.contains("(i)") && six.stem.contains("(ii)"));
    assert_eq!(six.placement.as_deref(), Some("To follow item 5"));

    let seven = item(&a, "7");
    assert_eq!(seven.kind, ItemKind::Rider);
    assert_eq!(seven.amends.as_deref(), Some("5"));
    assert_eq!(seven.proposer.as_deref(), Some("Harbourside"));

    let eight = item(&a, "8");
    assert_eq!(labels(eight), ["(i)", "(ii)"], "bullets become (i), (ii)");
    assert_eq!(eight.section.as_deref(), Some("PREMISES"));

    assert_eq!(item(&a, "9").marks, [AgendaMark::A]);
    assert_eq!(item(&a, "10").marks, [AgendaMark::Ar]);
    let eleven = item(&a, "11");
    assert_eq!(labels(eleven), ["(i)", "(ii)", "(iii)"], "parts on one line are split");
    assert_eq!(item(&a, "12").proposer.as_deref(), Some("Lowland"), "number, proposer and text on three lines");
    assert_eq!(item(&a, "a13").proposer.as_deref(), Some("Moorside"));
    let starred = item(&a, "205");
    assert_eq!(starred.marks, [AgendaMark::Starred, AgendaMark::Grey]);
    assert_eq!(item(&a, "206").marks, [AgendaMark::Grey]);
    let em = item(&a, "EM1");
    assert_eq!(em.kind, ItemKind::Emergency);
    assert_eq!(em.proposer.as_deref(), Some("Coastal"));
    assert_eq!(em.seconder.as_deref(), Some("Inland"));

    let kinds: Vec<NoteKind> = a.notes.iter().map(|n| n.kind).collect();
    for k in [
        NoteKind::Heading,
        NoteKind::Placement,
        NoteKind::Erratum,
        NoteKind::Receive,
        NoteKind::Timetable,
        NoteKind::Text,
    ] {
        assert!(kinds.contains(&k), "no {k:?} note: {:#?}", a.notes);
    }
    assert!(a.notes.iter().any(|n| n.kind == NoteKind::Timetable && n.text.starts_with("9.30 am")));
    // The receive item's number is not an item.
    assert!(a.notes.iter().any(|n| n.kind == NoteKind::Receive && n.text.contains("annual report")));
    assert!(a.warnings.is_empty(), "{:#?}", a.warnings);
}

#[test]
fn the_shared_sample() {
    let text = include_str!("../../tests/fixtures/agenda-sample.txt");
    let a = read(text);
    assert_eq!(numbers(&a), ["12", "12a", "12b", "13", "14", "15", "16", "17", "18", "19"]);
    assert_eq!(item(&a, "15").after_parts.as_deref(), Some("These measures must be in place before April 2027."));
    assert_eq!(item(&a, "16").kind, ItemKind::Amendment);
    assert_eq!(item(&a, "17").kind, ItemKind::Rider);
    assert_eq!(item(&a, "14").proposer.as_deref(), Some("Lambeth"));
}

#[test]
fn new_number_new_proposer_and_heading_each_start_an_item() {
    // Three motions pasted together are three items, never one motion with three parts.
    let text = "1 KENT: That conference asks for more.\n2 SURREY: That conference asks for less.\n3 SUSSEX: That conference asks for none.";
    let a = read(text);
    assert_eq!(numbers(&a), ["1", "2", "3"]);
    assert!(a.items.iter().all(|i| i.parts.is_empty()));
    // A proposer line without a number starts a new item (numbered after the one before, with a warning).
    let text = "1 KENT: That conference asks for more.\nSURREY:\nThat conference asks for less.";
    let a = read(text);
    assert_eq!(a.items.len(), 2);
    assert_eq!(a.items[1].proposer.as_deref(), Some("Surrey"));
    assert!(a.warnings.iter().any(|w| w.line == 2 && w.message.contains("no number")), "{:#?}", a.warnings);
}

#[test]
fn numbered_part_lines_are_parts_but_numbered_items_are_items() {
    let text = "4 KENT: That conference:\n1. asks for one\n2. asks for two\n3. Ends the third\n5 SURREY: That conference asks.";
    let a = read(text);
    assert_eq!(numbers(&a), ["4", "5"]);
    assert_eq!(labels(&a.items[0]), ["(1)", "(2)", "(3)"]);
}

#[test]
fn a_label_gap_is_a_warning_on_its_line_and_the_text_is_kept() {
    let text = "4 KENT: That conference:\n(i) asks for one\n(iii) asks for three";
    let a = read(text);
    assert_eq!(labels(&a.items[0]), ["(i)"]);
    assert!(a.items[0].parts[0].text.contains("asks for three"));
    assert_eq!(a.warnings.len(), 1);
    assert_eq!(a.warnings[0].line, 3);
    assert!(a.warnings[0].message.contains("missing"), "{}", a.warnings[0].message);
}

#[test]
fn duplicate_numbers_are_kept_apart() {
    let a = read("4 KENT: That conference asks.\n4 SURREY: That conference asks again.");
    assert_eq!(numbers(&a), ["4", "4/2"]);
    assert!(a.warnings.iter().any(|w| w.message.contains("appears twice")));
}

#[test]
fn lines_that_are_not_items() {
    let a = read("Page 3 of 20\n17\n\nAGENDA\n10.15 - Coffee\nItems in the grey section are unlikely to be reached.");
    assert!(a.items.is_empty(), "{a:#?}");
    assert!(a.warnings.iter().any(|w| w.unread == [2]), "a lone number is not an item: {:#?}", a.warnings);
}

#[test]
fn amendment_without_an_item_is_warned() {
    let a = read("7 Amendment by KENT: that the words \"at once\" be added.");
    assert_eq!(a.items[0].kind, ItemKind::Amendment);
    assert_eq!(a.items[0].amends, None);
    assert!(a.warnings.iter().any(|w| w.message.contains("names no item")));
}

#[test]
fn stem_that_does_not_begin_with_that_is_warned() {
    let a = read("7 KENT:\nConference believes in bells.");
    assert_eq!(a.items.len(), 1);
    assert!(a.warnings.iter().any(|w| w.line == 2 && w.message.contains("does not begin")), "{:#?}", a.warnings);
}

#[test]
fn a_year_alone_on_a_line_continues_the_sentence() {
    let a = read(
        "9 KENT: That conference asks for funding by April\n2027\nat the latest.\n\n10 SURREY: That conference agrees.",
    );
    assert_eq!(numbers(&a), ["9", "10"]);
    assert_eq!(a.items[0].stem, "That conference asks for funding by April 2027 at the latest.");
}

#[test]
fn a_name_line_before_a_bare_numbered_item_is_its_proposer() {
    let a = read("Contract\n\n13 SURREY: That conference thanks.\n\nLambeth LMC\n14 That conference asks.\n\nPremises\n\n15 KENT: That conference agrees.");
    assert_eq!(numbers(&a), ["13", "14", "15"]);
    assert_eq!(a.items[1].proposer.as_deref(), Some("Lambeth"));
    assert_eq!(
        a.items[1].section.as_deref(),
        Some("Contract"),
        "a title-case heading is the section when none came before"
    );
    assert_eq!(a.items[2].subsection.as_deref(), Some("Premises"));
}

#[test]
fn a_name_alone_on_its_line_is_the_proposer() {
    let a = read("7\nNORTH STAFFORDSHIRE\nThat conference asks.\n\n8 KENT: That conference agrees.\n\nLambeth LMC\nThat conference thanks.");
    assert_eq!(numbers(&a), ["7", "8", "8-1"]);
    assert_eq!(a.items[0].proposer.as_deref(), Some("North Staffordshire"));
    assert_eq!(a.items[2].proposer.as_deref(), Some("Lambeth"));
}

#[test]
fn continuation_lines_join_their_part() {
    let text = "9 KENT: That conference:\n(i) asks the government to\nfund practices fully\n(ii) asks again";
    let a = read(text);
    assert_eq!(a.items[0].parts[0].text, "asks the government to fund practices fully");
}

#[test]
fn empty_and_odd_input() {
    for text in ["", "\n\n", "   ", "*", "A 1", "1.", "(i)", "That", "AR", "EM", "— 3 —"] {
        let a = read(text);
        let _ = serde_json::to_string(&a).unwrap();
    }
}

#[test]
fn too_long_is_cut_with_a_warning() {
    let text = format!("1 KENT: That conference asks for {}.", "much ".repeat(MAX_AGENDA_CHARS / 5 + 1));
    let a = read_agenda(&text);
    assert!(a.warnings.iter().any(|w| w.message.contains("too long")));
}

/// A letter whose lower case is longer in bytes (Ⱥ is two bytes, ⱥ three) must not shift where the
/// reader looks in the original line: it once panicked slicing "… that item 12" by the lower-cased
/// line's offsets. Found by `every_line_is_read_once`.
#[test]
fn letters_that_grow_when_lower_cased_do_not_shift_offsets() {
    assert_eq!(lines::named_item("ȺȺ that item 12 "), Some("12".to_string()));
    assert_eq!(lines::named_item("Ⱥ Amendment to motion 27a"), Some("27a".to_string()));
    let text = "Rider BEDFORDSHIRE: ȺAmendment by KENT: that item 12 ";
    let a = read_agenda(text);
    assert!(accounted(text, &a).is_ok());
    let (h, body) = lines::split_header("Amendment by ȺKENT and seconded by ȺȺ SURREY: that item 3").unwrap();
    assert_eq!(h.seconder.as_deref(), Some("Ⱥⱥ Surrey"));
    assert!(body.is_some());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("12 ".to_string()),
            Just("12a ".to_string()),
            Just("* 205 ".to_string()),
            Just("A 18 ".to_string()),
            Just("AR ".to_string()),
            Just("a278 ".to_string()),
            Just("That conference ".to_string()),
            Just("Given that ".to_string()),
            Just("BEDFORDSHIRE: ".to_string()),
            Just("AGENDA COMMITTEE TO BE PROPOSED BY CLEVELAND".to_string()),
            Just("Written by the Agenda Committee and proposed by Lambeth LMC".to_string()),
            Just("41 Motion by London Regional Council:".to_string()),
            Just("Emergency motion by X and seconded by Y:".to_string()),
            Just("Amendment by KENT: that item 12 ".to_string()),
            Just("Rider ".to_string()),
            Just("(i) ".to_string()),
            Just("ii. ".to_string()),
            Just("1. ".to_string()),
            Just("a) ".to_string()),
            Just("- ".to_string()),
            Just("To follow item 10".to_string()),
            Just("Erratum: ".to_string()),
            Just("Receive: ".to_string()),
            Just("9.00 am - ".to_string()),
            Just("PREMISES".to_string()),
            Just("Grey section".to_string()),
            Just(". ".to_string()),
            Just(": ".to_string()),
            "[a-zA-Z]{1,8} ",
            "\\PC{0,6}",
        ]
    }

    proptest! {
        #[test]
        fn every_line_is_read_once(pieces in proptest::collection::vec(fragment(), 0..60)) {
            let text = pieces.concat();
            let a = read_agenda(&text);
            prop_assert!(accounted(&text, &a).is_ok(), "{:?}\n{}", accounted(&text, &a), text);
            let mut seen = std::collections::HashSet::new();
            for i in &a.items {
                prop_assert!(seen.insert(i.number.to_lowercase()), "number {} twice", i.number);
                prop_assert!(!i.stem.is_empty() || !i.parts.is_empty());
            }
        }

        #[test]
        fn never_panics_on_anything(text in "\\PC{0,600}") {
            let a = read_agenda(&text);
            prop_assert!(accounted(&text, &a).is_ok(), "{:?}", accounted(&text, &a));
        }

        #[test]
        fn printed_agendas_read_back(
            specs in proptest::collection::vec((0usize..4, 0usize..4, proptest::collection::vec("[a-z]{2,8}( [a-z]{2,8}){0,4}", 0..5)), 1..30),
        ) {
            let proposers = ["KENT", "North Wessex", "LAMBETH LMC", "Isle of Wight"];
            let mut text = String::from("SAMPLE CONFERENCE\n\nFIRST SECTION\n\n");
            let mut want = Vec::new();
            for (n, (form, who, parts)) in specs.iter().enumerate() {
                let number = n + 1;
                let p = proposers[*who];
                let head = match form {
                    0 => format!("{number} {}: That conference", p.to_uppercase()),
                    1 => format!("{number} AGENDA COMMITTEE TO BE PROPOSED BY {}: That conference", p.to_uppercase()),
                    2 => format!("Written by the Agenda Committee and proposed by {p}\n{number} That conference"),
                    _ => format!("{number}\n{}:\nThat conference", p.to_uppercase()),
                };
                text.push_str(&head);
                if parts.is_empty() {
                    text.push_str(" asks for more.\n\n");
                } else {
                    text.push_str(":\n");
                    for (k, part) in parts.iter().enumerate() {
                        text.push_str(&format!("({}) {part}\n", crate::procedure::to_roman(k as u32 + 1).unwrap()));
                    }
                    text.push('\n');
                }
                want.push((number.to_string(), parts.len()));
            }
            let a = read_agenda(&text);
            prop_assert!(accounted(&text, &a).is_ok());
            let got: Vec<(String, usize)> = a.items.iter().map(|i| (i.number.clone(), i.parts.len())).collect();
            prop_assert_eq!(got, want, "{}", text);
            prop_assert!(a.items.iter().all(|i| i.proposer.is_some()));
            prop_assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        }
    }
}
