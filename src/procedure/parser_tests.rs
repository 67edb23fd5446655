use super::*;
use crate::procedure::labels::to_roman;

const SEED: &str = include_str!("../../tests/fixtures/motion-2025-online-access.txt");

fn parse(text: &str) -> ParsedMotion {
    match parse_printed_motion(text) {
        Ok(m) => m,
        Err(e) => panic!("failed to parse: {e}\n---\n{text}"),
    }
}

fn err(text: &str) -> ParseError {
    match parse_printed_motion(text) {
        Ok(m) => panic!("expected an error, got {m:?}"),
        Err(e) => e,
    }
}

fn labels(m: &ParsedMotion) -> Vec<&str> {
    m.parts.iter().map(|p| p.label.as_str()).collect()
}

fn texts(m: &ParsedMotion) -> Vec<&str> {
    m.parts.iter().map(|p| p.text.as_str()).collect()
}

#[test]
fn seed_fixture() {
    let m = parse(SEED);
    assert_eq!(m.number, None);
    assert_eq!(m.proposer.as_deref(), Some("North Staffordshire"));
    assert!(m.agenda_committee);
    assert!(m.stem.starts_with("That conference is deeply concerned"));
    assert!(m.stem.ends_with("Conference:"));
    assert!(m.stem.contains("(08:00–18:30)"));
    assert!(m.stem.contains("2025 / 26"));
    assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)", "(iv)", "(v)"]);
    assert_eq!(
            texts(&m),
            [
                "rejects the government’s contractual requirement for GP practices to guarantee universal patient access throughout all core hours, condemning it as a cynical political stunt that is unfunded, unsafe, and knowingly undeliverable in the context of current workforce collapse",
                "insists that practices must retain flexibility to deliver access in ways that reflect the needs and demographics of their patient population",
                "insists that online consultations may be curtailed when safe working limits have been reached",
                "demands the immediate removal of these access mandates, which reduce care to box-ticking targets and put patients at risk",
                "mandates GPCE to prepare options for action, including non-compliance with access requirements, should government refuse to revise the 2025 / 26 contract variation.",
            ]
        );
    assert!(m.parts.iter().all(|p| !p.text.contains("(08:00")));
    assert_eq!(
            m.stem,
            "That conference is deeply concerned that the 2025 / 26 contract variation requires practices to maintain continuous online, telephone and physical access throughout core hours (08:00–18:30). Conference:"
        );
}

#[test]
fn seed_fixture_with_crlf_and_outcome_line() {
    let pasted = format!("{}\r\nCARRIED IN ALL PARTS\r\n", SEED.trim_end().replace('\n', "\r\n"));
    assert_eq!(parse(&pasted), parse(SEED));
}

#[test]
fn seed_fixture_on_one_line() {
    let one_line = SEED.replace('\n', " ");
    let m = parse(&one_line);
    assert_eq!(m, parse(SEED));
}

#[test]
fn written_by_agenda_committee_on_own_line() {
    let m = parse(
            "Written by the Agenda Committee and proposed by Lambeth LMC\nThat conference believes the contract is unfunded.",
        );
    assert!(m.agenda_committee);
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    assert_eq!(m.stem, "That conference believes the contract is unfunded.");
    assert!(m.parts.is_empty());
}

#[test]
fn written_by_agenda_committee_with_colon() {
    let m =
        parse("Written by the Agenda Committee and proposed by Lambeth LMC: That conference:\n(i) notes\n(ii) demands");
    assert!(m.agenda_committee);
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    assert_eq!(m.stem, "That conference:");
    assert_eq!(texts(&m), ["notes", "demands"]);
}

#[test]
fn proposed_by_prefix() {
    let m = parse("PROPOSED BY BATH AND NORTH EAST SOMERSET: That conference demands more.");
    assert!(!m.agenda_committee);
    assert_eq!(m.proposer.as_deref(), Some("Bath and North East Somerset"));
    assert_eq!(m.stem, "That conference demands more.");
}

#[test]
fn name_colon_prefix() {
    let m = parse("Lambeth LMC: That conference demands more.");
    assert!(!m.agenda_committee);
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    let m = parse("NEWCASTLE UPON TYNE: That conference demands more.");
    assert_eq!(m.proposer.as_deref(), Some("Newcastle upon Tyne"));
}

#[test]
fn name_on_own_line() {
    let m = parse("Lambeth LMC\nThat conference demands more.");
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    let m = parse("NORTH STAFFORDSHIRE\nThat conference demands more.");
    assert_eq!(m.proposer.as_deref(), Some("North Staffordshire"));
    assert!(!m.agenda_committee);
}

#[test]
fn no_proposer() {
    let m = parse("That conference demands more.");
    assert_eq!(m.proposer, None);
    assert!(!m.agenda_committee);
    assert_eq!(m.number, None);
    let m = parse("that conference demands more.");
    assert_eq!(m.stem, "that conference demands more.", "case kept as printed");
}

#[test]
fn agenda_committee_alone() {
    let m = parse("AGENDA COMMITTEE: That conference thanks the staff.");
    assert!(m.agenda_committee);
    assert_eq!(m.proposer, None);
}

#[test]
fn motion_numbers() {
    let m = parse("12 AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE: That conference x.");
    assert_eq!(m.number, Some(12));
    assert_eq!(m.proposer.as_deref(), Some("North Staffordshire"));
    assert!(m.agenda_committee);
    let m = parse("12. Lambeth LMC: That conference x.");
    assert_eq!(m.number, Some(12));
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    let m = parse("Motion 7\nLambeth LMC\nThat conference x.");
    assert_eq!(m.number, Some(7));
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    let m = parse("MOTION 103 – Wessex LMCs: That conference x.");
    assert_eq!(m.number, Some(103));
    assert_eq!(m.proposer.as_deref(), Some("Wessex"));
    let m = parse("12\nThat conference x.");
    assert_eq!(m.number, Some(12));
    assert_eq!(m.proposer, None);
    let m = parse("3. That conference x.");
    assert_eq!(m.number, Some(3));
    assert_eq!(m.stem, "That conference x.");
}

#[test]
fn proposer_normalisation() {
    assert_eq!(normalise_proposer("NORTH STAFFORDSHIRE"), "North Staffordshire");
    assert_eq!(normalise_proposer("north staffordshire"), "North Staffordshire");
    assert_eq!(normalise_proposer("Lambeth LMC"), "Lambeth");
    assert_eq!(normalise_proposer("LONDONWIDE LMCS"), "Londonwide");
    assert_eq!(normalise_proposer("KINGSTON UPON THAMES"), "Kingston upon Thames");
    assert_eq!(normalise_proposer("THE ISLE OF WIGHT"), "The Isle of Wight");
    assert_eq!(normalise_proposer("STOKE-ON-TRENT"), "Stoke-on-Trent");
    assert_eq!(normalise_proposer("GPC ENGLAND"), "GPC England");
    assert_eq!(normalise_proposer("GPCE"), "GPCE");
    assert_eq!(normalise_proposer("BMA UK  NHS   ICB"), "BMA UK NHS ICB");
    assert_eq!(normalise_proposer("KING'S LYNN"), "King's Lynn");
    assert_eq!(normalise_proposer("BEDFORDSHIRE AND HERTFORDSHIRE LMC"), "Bedfordshire and Hertfordshire");
    assert_eq!(normalise_proposer("Cambridgeshire Local Medical Committee"), "Cambridgeshire");
    assert_eq!(normalise_proposer("LMC"), "LMC", "a bare LMC is not stripped to nothing");
    assert_eq!(normalise_proposer("DERBYSHIRE (SOUTH)"), "Derbyshire (South)");
}

#[test]
fn heading_before_proposer_is_ignored() {
    let m = parse("GP CONTRACT\nLambeth LMC\nThat conference x.");
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    let m = parse("GP CONTRACT\nLambeth LMC: That conference x.");
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    let m = parse("Written by the Agenda Committee and\nproposed by Lambeth LMC\nThat conference x.");
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    assert!(m.agenda_committee);
}

#[test]
fn per_part_outcome_suffixes_dropped() {
    let m = parse("That conference:\n(i) one — CARRIED\n(ii) two — LOST\n(iii) three – CARRIED NEM CON — for 5, against 0, abstain 1");
    assert_eq!(texts(&m), ["one", "two", "three"]);
}

#[test]
fn seconded_by_is_dropped() {
    let m = parse("Proposed by Lambeth LMC, seconded by Southwark LMC\nThat conference x.");
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
}

#[test]
fn roman_labels_in_all_forms() {
    for (a, b, c) in [("(i)", "(ii)", "(iii)"), ("i)", "ii)", "iii)"), ("i.", "ii.", "iii.")] {
        let m = parse(&format!("That conference:\n{a} one\n{b} two\n{c} three"));
        assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)"], "{a}");
        assert_eq!(texts(&m), ["one", "two", "three"]);
    }
}

#[test]
fn arabic_labels() {
    for (a, b) in [("1.", "2."), ("1)", "2)"), ("(1)", "(2)")] {
        let m = parse(&format!("That conference:\n{a} one\n{b} two"));
        assert_eq!(labels(&m), ["(1)", "(2)"], "{a}");
    }
}

#[test]
fn alphabetic_labels() {
    for (a, b) in [("a)", "b)"), ("(a)", "(b)"), ("a.", "b.")] {
        let m = parse(&format!("That conference:\n{a} one\n{b} two"));
        assert_eq!(labels(&m), ["(a)", "(b)"], "{a}");
    }
    for (a, b) in [("A.", "B."), ("A)", "B)"), ("(A)", "(B)")] {
        let m = parse(&format!("That conference:\n{a} one\n{b} two"));
        assert_eq!(labels(&m), ["(A)", "(B)"], "{a}");
    }
}

#[test]
fn upper_roman_labels() {
    let m = parse("That conference:\nI. one\nII. two\nIII. three\nIV. four");
    assert_eq!(labels(&m), ["(I)", "(II)", "(III)", "(IV)"]);
}

#[test]
fn i_after_h_is_alphabetic() {
    let letters = "abcdefghijk";
    let body: Vec<String> = letters.chars().map(|c| format!("({c}) part {c}")).collect();
    let m = parse(&format!("That conference:\n{}", body.join("\n")));
    let expected: Vec<String> = letters.chars().map(|c| format!("({c})")).collect();
    assert_eq!(labels(&m), expected);
    assert_eq!(m.parts[8].text, "part i");
}

#[test]
fn roman_through_x_and_beyond() {
    let body: Vec<String> = (1..=12).map(|n| format!("({}) part {n}", to_roman(n).unwrap())).collect();
    let m = parse(&format!("That conference:\n{}", body.join("\n")));
    assert_eq!(m.parts.len(), 12);
    assert_eq!(m.parts[4].label, "(v)");
    assert_eq!(m.parts[9].label, "(x)");
    assert_eq!(m.parts[11].label, "(xii)");
}

#[test]
fn bullets() {
    let m = parse("That conference:\n- one\n– two\n• three\n* four\n— five");
    assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)", "(iv)", "(v)"]);
    assert_eq!(texts(&m), ["one", "two", "three", "four", "five"]);
}

#[test]
fn bullet_before_a_label_uses_the_label() {
    let m = parse("That conference:\n- (i) one\n- (ii) two");
    assert_eq!(labels(&m), ["(i)", "(ii)"]);
    assert_eq!(texts(&m), ["one", "two"]);
}

#[test]
fn continuation_lines() {
    let m = parse(
            "Lambeth LMC\nThat conference believes\n  that the contract   is\nunfunded. Conference:\n(i) rejects the\n   variation\n(ii) demands\nrestoration (in full) of funding",
        );
    assert_eq!(m.stem, "That conference believes that the contract is unfunded. Conference:");
    assert_eq!(texts(&m), ["rejects the variation", "demands restoration (in full) of funding"]);
}

#[test]
fn blank_lines_between_parts() {
    let m = parse("\n\nThat conference:\n\n(i) one\n\n\n(ii) two\n\n");
    assert_eq!(texts(&m), ["one", "two"]);
}

#[test]
fn parentheses_in_text_are_not_labels() {
    let m = parse("That conference notes core hours (08:00–18:30) and (a) matters (i) too.");
    assert!(m.parts.is_empty());
    assert_eq!(m.stem, "That conference notes core hours (08:00–18:30) and (a) matters (i) too.");
}

#[test]
fn one_line_paste() {
    let m = parse(
        "That conference: (i) rejects the variation (08:00–18:30) (ii) insists on flexibility; (iii) demands removal.",
    );
    assert_eq!(m.stem, "That conference:");
    assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)"]);
    assert_eq!(texts(&m), ["rejects the variation (08:00–18:30)", "insists on flexibility;", "demands removal."]);
}

#[test]
fn one_line_paste_needs_sequence() {
    // (i) and (iii) without (ii): a single "(i)" is not enough to split.
    let m = parse("That conference: (i) rejects the variation (iii) insists.");
    assert!(m.parts.is_empty());
    // Labels glued to a word are not split.
    let m = parse("That conference notes x(i) and y(ii) z.");
    assert!(m.parts.is_empty());
}

#[test]
fn parts_pasted_on_the_line_after_the_stem() {
    let m = parse("That conference:\n(i) rejects it (ii) insists (iii) demands");
    assert_eq!(labels(&m), ["(i)", "(ii)", "(iii)"]);
    assert_eq!(texts(&m), ["rejects it", "insists", "demands"]);
}

#[test]
fn unicode_spaces_and_quotes() {
    let m = parse("\u{FEFF}Lambeth\u{00A0}LMC:\u{00A0}That\u{00A0}conference\u{2009}welcomes the government’s “offer”.\n(i)\u{00A0}one");
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    assert_eq!(m.stem, "That conference welcomes the government’s “offer”.");
    assert_eq!(texts(&m), ["one"]);
}

#[test]
fn quoted_motion() {
    let m = parse("Lambeth LMC: “That conference demands more.”");
    assert_eq!(m.stem, "That conference demands more.");
    let m = parse("\"That conference:\n(i) one\n(ii) two\".");
    assert_eq!(m.stem, "That conference:");
    assert_eq!(texts(&m), ["one", "two."]);
}

#[test]
fn trailing_outcomes_dropped() {
    for tail in [
        "CARRIED IN ALL PARTS",
        "— CARRIED",
        "LOST",
        "Carried nem con",
        "CARRIED BY A TWO-THIRDS MAJORITY",
        "PARTS (i), (iii) AND (v) CARRIED; PART (ii) LOST",
        "**CARRIED AS A REFERENCE**",
        "for 212, against 40, abstain 9",
        "CARRIED — for 212, against 40, abstain 9",
        "UNDECIDED",
    ] {
        let m = parse(&format!("That conference:\n(i) one\n(ii) two\n{tail}"));
        assert_eq!(texts(&m), ["one", "two"], "{tail}");
    }
    let m = parse("That conference demands more. — CARRIED");
    assert_eq!(m.stem, "That conference demands more.");
    let m = parse("That conference demands more. — CARRIED NEM CON — for 3, against 0, abstain 1");
    assert_eq!(m.stem, "That conference demands more.");
    // Lower-case words after a dash are motion text.
    let m = parse("That conference accepts that the vote – lost");
    assert_eq!(m.stem, "That conference accepts that the vote – lost");
}

#[test]
fn per_part_outcome_lines_dropped() {
    let m = parse("That conference:\n(i) one\n    CARRIED — for 212, against 40, abstain 9\n(ii) two\n    LOST\nPART (i) CARRIED; PART (ii) LOST");
    assert_eq!(texts(&m), ["one", "two"]);
}

#[test]
fn empty_input() {
    for input in ["", "   ", "\n\n  \r\n", "\u{00A0}", "CARRIED"] {
        let e = err(input);
        assert_eq!((e.line, e.column), (1, 1), "{input:?}");
        assert_eq!(e.message, "the motion is empty");
    }
}

#[test]
fn missing_that_after_proposer_colon() {
    let e = err("AGENDA COMMITTEE TO BE PROPOSED BY WESSEX: Conference believes x.");
    assert_eq!(e.line, 1);
    assert_eq!(e.column, 44);
    assert_eq!(e.message, "expected the motion to begin with \"That\" (after the proposer)");
    assert_eq!(e.to_string(), "line 1, column 44: expected the motion to begin with \"That\" (after the proposer)");
}

#[test]
fn missing_that_after_proposer_line() {
    let e = err("Lambeth LMC\nConference believes x.");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("after the proposer"));
}

#[test]
fn missing_that_no_proposer() {
    let e = err("  Conference believes that x.");
    assert_eq!((e.line, e.column), (1, 3));
    assert_eq!(e.message, "expected the motion to begin with \"That\"");
    let e = err("12. Conference believes that x.");
    assert_eq!((e.line, e.column), (1, 5));
}

#[test]
fn gap_in_labels() {
    let e = err("That conference:\n(i) one\n(ii) two\n(iv) four");
    assert_eq!((e.line, e.column), (4, 1));
    assert_eq!(e.message, "parts go (i), (ii), then (iv): part (iii) is missing");
    assert_eq!(e.to_string(), "line 4, column 1: parts go (i), (ii), then (iv): part (iii) is missing");
    let e = err("That conference:\n1. one\n4. four");
    assert_eq!(e.message, "parts go (1), then (4): parts (2) and (3) are missing");
    let e = err("That conference:\n(a) one\n(f) six");
    assert_eq!(e.message, "parts go (a), then (f): parts (b) to (e) are missing");
}

#[test]
fn repeated_label() {
    let e = err("That conference:\n(i) one\n(ii) two\n(ii) again");
    assert_eq!((e.line, e.column), (4, 1));
    assert_eq!(e.message, "part (ii) appears twice (lines 3 and 4)");
    let e = err("That conference:\n(a) one\n(b) two\n(c) three\n(a) again");
    assert_eq!(e.message, "part (a) appears twice (lines 2 and 5)");
}

#[test]
fn mixed_styles() {
    let e = err("That conference:\n(i) one\n(ii) two\n(c) three");
    assert_eq!(e.line, 4);
    assert!(e.message.contains("use one style of label"), "{}", e.message);
    assert!(e.message.contains("labelled (i), (ii)"), "{}", e.message);
    let e = err("That conference:\n(i) one\n- two");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("bullet"), "{}", e.message);
    let e = err("That conference:\n- one\n(ii) two");
    assert!(e.message.contains("bullets"), "{}", e.message);
    let e = err("That conference:\n(a) one\n2. two");
    assert!(e.message.contains("use one style"), "{}", e.message);
}

#[test]
fn first_label_must_start_sequence() {
    let e = err("That conference:\n(iii) three\n(iv) four");
    assert_eq!((e.line, e.column), (2, 1));
    assert_eq!(e.message, "the first part is labelled (iii); parts should be labelled from (i)");
    let e = err("That conference:\n  (c) three");
    assert_eq!((e.line, e.column), (2, 3));
    assert_eq!(e.message, "the first part is labelled (c); parts should be labelled from (a)");
    let e = err("That conference:\n2. two");
    assert!(e.message.ends_with("from (1)"), "{}", e.message);
}

#[test]
fn part_without_text() {
    let e = err("That conference:\n(i) one\n(ii)\n(iii) three");
    assert_eq!((e.line, e.column), (3, 1));
    assert_eq!(e.message, "part (ii) has no text");
    // Text on the next line belongs to the label.
    let m = parse("That conference:\n(i)\none\n(ii)\ntwo");
    assert_eq!(texts(&m), ["one", "two"]);
    // A quoted motion whose last part is only the closing quote (found by never_panics_on_motion_like_text).
    let e = err("“That \na) ”");
    assert_eq!(e.message, "part (a) has no text");
    assert_eq!((e.line, e.column), (2, 1));
}

#[test]
fn stem_with_no_text() {
    let e = err("Lambeth LMC: That");
    assert_eq!(e.message, "the motion has no text after \"That\"");
    assert_eq!((e.line, e.column), (1, 14));
}

#[test]
fn too_many_parts() {
    let body: Vec<String> = (1..=51).map(|n| format!("{n}. part")).collect();
    let e = err(&format!("That conference:\n{}", body.join("\n")));
    assert_eq!(e.line, 52);
    assert!(e.message.contains("at most 50 parts"), "{}", e.message);
    let body: Vec<String> = (1..=50).map(|n| format!("{n}. part")).collect();
    assert_eq!(parse(&format!("That conference:\n{}", body.join("\n"))).parts.len(), 50);
}

#[test]
fn too_long() {
    let long = format!("That conference {}", "x".repeat(MAX_MOTION_CHARS));
    let e = err(&long);
    assert_eq!(e.line, 1);
    assert_eq!(e.column, MAX_MOTION_CHARS + 1);
    assert!(e.message.contains("too long"), "{}", e.message);
    let ok = format!("That {}", "x".repeat(MAX_MOTION_CHARS - 5));
    assert!(parse_printed_motion(&ok).is_ok());
}

#[test]
fn lone_cr_line_endings() {
    let m = parse("Lambeth LMC\rThat conference:\r(i) one\r(ii) two");
    assert_eq!(m.proposer.as_deref(), Some("Lambeth"));
    assert_eq!(texts(&m), ["one", "two"]);
    let e = err("That conference:\r\n(i) one\r\n(iii) two");
    assert_eq!(e.line, 3);
}

#[test]
fn words_that_look_like_labels_are_text() {
    let m = parse("That conference:\n(i) notes\ni.e. the obvious\nMr. Smith agrees\n(ii) demands\n1.5 million more");
    assert_eq!(texts(&m), ["notes i.e. the obvious Mr. Smith agrees", "demands 1.5 million more"]);
}

#[test]
fn thatcher_is_not_that() {
    let e = err("Thatcherism is back.");
    assert_eq!(e.message, "expected the motion to begin with \"That\"");
}

#[test]
fn outcome_text_reader() {
    assert_eq!(parse_outcome_text("carried nem con"), Some((Outcome::Carried, Some(Qualifier::NemCon))));
    assert_eq!(parse_outcome_text("NOT REACHED"), Some((Outcome::NotReached, None)));
    assert_eq!(parse_outcome_text("nope"), None);
}

#[test]
fn serde_of_parse_results() {
    let m = parse("That conference:\n(i) one");
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["parts"][0]["label"], "(i)");
    let e = err("");
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json, serde_json::json!({"line": 1, "column": 1, "message": "the motion is empty"}));
}

mod properties {
    use super::super::*;
    use crate::procedure::record::{render_text, MotionRecord};
    use proptest::prelude::*;

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("That ".to_string()),
            Just("(i) ".to_string()),
            Just("(ii) ".to_string()),
            Just("(iii) ".to_string()),
            Just("a) ".to_string()),
            Just("1. ".to_string()),
            Just("- ".to_string()),
            Just("— CARRIED".to_string()),
            Just("LOST".to_string()),
            Just("PROPOSED BY ".to_string()),
            Just("AGENDA COMMITTEE TO BE PROPOSED BY X: ".to_string()),
            Just(": ".to_string()),
            Just("“".to_string()),
            Just("”".to_string()),
            Just("\u{00A0}".to_string()),
            Just("(08:00–18:30)".to_string()),
            Just("Motion 12 ".to_string()),
            "[a-zA-Z]{1,8} ",
            "\\PC{0,6}",
        ]
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-z]{1,9}"
    }

    fn words(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(word(), 1..max).prop_map(|w| w.join(" "))
    }

    proptest! {
        #[test]
        fn never_panics_on_anything(text in "\\PC{0,400}") {
            let _ = parse_printed_motion(&text);
        }

        #[test]
        fn never_panics_on_motion_like_text(pieces in proptest::collection::vec(fragment(), 0..40)) {
            let text = pieces.concat();
            match parse_printed_motion(&text) {
                Ok(m) => {
                    prop_assert!(m.stem.to_ascii_lowercase().starts_with("that"));
                    prop_assert!(m.parts.iter().all(|p| !p.text.is_empty()));
                    prop_assert!(m.parts.len() <= MAX_PARTS);
                }
                Err(e) => {
                    prop_assert!(e.line >= 1 && e.column >= 1);
                    let lines = text.replace("\r\n", "\n").replace('\r', "\n").split('\n').count();
                    prop_assert!(e.line <= lines.max(1), "{} > {}", e.line, lines);
                    prop_assert!(!e.message.is_empty());
                }
            }
        }

        #[test]
        fn printed_motions_parse_back(
            number in proptest::option::of(1u32..500),
            proposer in proptest::option::of(prop_oneof![
                Just("North Staffordshire"), Just("Lambeth"), Just("Newcastle upon Tyne"),
                Just("Bath and North East Somerset"), Just("Isle of Wight"),
            ]),
            agenda_committee: bool,
            stem in words(12),
            parts in proptest::collection::vec(words(10), 0..12),
            style_ix in 0usize..5,
            form in 0usize..3,
        ) {
            let style = LabelStyle::ALL[style_ix];
            let mut text = String::new();
            if let Some(n) = number {
                text.push_str(&format!("{n}. "));
            }
            match (agenda_committee, proposer) {
                (true, Some(p)) => text.push_str(&format!("AGENDA COMMITTEE TO BE PROPOSED BY {}: ", p.to_uppercase())),
                (false, Some(p)) => text.push_str(&format!("{p} LMC\n")),
                _ => {}
            }
            text.push_str(&format!("That {stem}:"));
            for (i, part) in parts.iter().enumerate() {
                let token = style.token(i as u32 + 1).unwrap();
                let label = match form { 0 => format!("({token})"), 1 => format!("{token})"), _ => format!("{token}.") };
                text.push_str(&format!("\n{label} {part}"));
            }
            let m = parse_printed_motion(&text).unwrap();
            prop_assert_eq!(m.number, number);
            prop_assert_eq!(m.proposer.as_deref(), proposer);
            prop_assert_eq!(m.agenda_committee, agenda_committee && proposer.is_some());
            prop_assert_eq!(&m.stem, &format!("That {stem}:"));
            let labels: Vec<String> = (1..=parts.len()).map(|n| style.label(n as u32).unwrap()).collect();
            prop_assert_eq!(m.parts.iter().map(|p| p.label.clone()).collect::<Vec<_>>(), labels);
            prop_assert_eq!(m.parts.iter().map(|p| p.text.clone()).collect::<Vec<_>>(), parts.clone());

            // The motion in full parses back to the same motion.
            let again = parse_printed_motion(&render_text(&MotionRecord::from_parsed(&m))).unwrap();
            prop_assert_eq!(again, m);
        }
    }
}
