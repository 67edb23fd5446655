//! The exact words put to the vote: what representatives and the projector read while a poll is open
//! (issue 13). Derived once, when the poll opens, from the motion as it then stands, so that what a poll
//! was on stays true after a carried amendment or rider has changed the motion.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::majority::{Counts, Majority};
use super::polls::{MotionState, ProceduralKind, Subject};

/// What kind of question is put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WordingKind {
    /// One part of a motion taken in parts.
    Part,
    /// The whole motion: stem and parts.
    Whole,
    /// An amendment: new words for a part or the stem.
    Amendment,
    /// A rider: a new part added at the end.
    Rider,
    /// A procedural motion ("That the question be now put").
    Procedural,
    /// The 'A' motions put together.
    AMotionsEnBloc,
}

/// A piece of a motion: a part with its label, or the stem (no label).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Passage {
    /// "(ii)"; null for the stem or a procedural motion's words.
    pub label: Option<String>,
    pub text: String,
}

impl Passage {
    fn stem(text: &str) -> Self {
        Passage { label: None, text: text.to_string() }
    }

    fn part(label: &str, text: &str) -> Self {
        Passage { label: Some(label.to_string()), text: text.to_string() }
    }

    fn plain(&self) -> String {
        match &self.label {
            Some(l) => format!("{l} {}", self.text),
            None => self.text.clone(),
        }
    }
}

/// One of the 'A' motions put together: its number, proposer and first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListedMotion {
    pub number: u32,
    pub proposer: Option<String>,
    pub first_line: String,
}

/// The words put to the vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Wording {
    pub kind: WordingKind,
    /// What is put, in one line: "Motion 12, part (ii)", "Amendment to motion 12, part (ii)".
    pub heading: String,
    /// The motion's proposer, for a part or the whole motion (an amendment, a rider or a procedural motion
    /// is moved by someone else; each 'A' motion put together has its own).
    pub proposer: Option<String>,
    /// The words voted on: the part; the stem and every part; the words as amended; the rider (with the
    /// label it would take); the procedural motion.
    pub words: Vec<Passage>,
    /// What `context` is: "Part of motion 12, which begins", "Replacing", "Added to motion 12", "On".
    pub context_heading: Option<String>,
    /// The words the vote changes, adds to or is about.
    pub context: Vec<Passage>,
    /// For the 'A' motions together: each motion.
    pub motions: Vec<ListedMotion>,
    pub majority: Majority,
    /// "Needs a two-thirds majority of those voting for or against; abstentions are not counted."
    pub majority_needed: String,
    /// All of the above as plain text, in reading order.
    pub text: String,
}

/// The words of a procedural motion: "That the question be now put", "That part (ii) be withdrawn".
pub fn procedural_words(kind: ProceduralKind, part: Option<&str>) -> String {
    let what = match part {
        Some(label) => format!("part {label}"),
        None => "the motion".to_string(),
    };
    match kind {
        ProceduralKind::MotionBeNowPut => "That the question be now put".to_string(),
        ProceduralKind::NextBusiness => match part {
            Some(label) => format!("That conference moves to next business on part {label}"),
            None => "That conference moves to next business".to_string(),
        },
        ProceduralKind::TakenAsReference => format!("That {what} be taken as a reference"),
        ProceduralKind::Withdrawal => format!("That {what} be withdrawn"),
        ProceduralKind::StandingOrders => "That standing orders be changed or suspended".to_string(),
    }
}

/// "Needs a simple majority: more votes for than against; abstentions are not counted."
pub fn majority_needed(majority: Majority) -> String {
    match majority {
        Majority::Simple => {
            "Needs a simple majority: more votes for than against; abstentions are not counted.".to_string()
        }
        Majority::TwoThirds => {
            "Needs a two-thirds majority of those voting for or against; abstentions are not counted.".to_string()
        }
    }
}

/// The longest first line shown for an 'A' motion, in characters.
pub const FIRST_LINE_CHARS: usize = 160;

/// A motion's first line: its stem up to the first line break, cut at a word to at most
/// [`FIRST_LINE_CHARS`] characters (with "…" when cut).
pub fn first_line(stem: &str) -> String {
    let line = stem.trim().lines().next().unwrap_or("").trim();
    if line.chars().count() <= FIRST_LINE_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(FIRST_LINE_CHARS).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > FIRST_LINE_CHARS / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

fn heading_for(number: u32, subject: &Subject) -> String {
    let on = |part: &Option<String>| match part {
        Some(l) => format!("motion {number}, part {l}"),
        None => format!("motion {number}"),
    };
    match subject {
        Subject::Whole => format!("Motion {number}, as a whole"),
        Subject::Part { label } => format!("Motion {number}, part {label}"),
        Subject::Amendment { part: Some(l), .. } => format!("Amendment to motion {number}, part {l}"),
        Subject::Amendment { part: None, .. } => format!("Amendment to the stem of motion {number}"),
        Subject::Rider { .. } => format!("Rider to motion {number}"),
        Subject::Procedural { part, .. } => format!("Procedural motion on {}", on(part)),
    }
}

fn whole_motion(motion: &MotionState) -> Vec<Passage> {
    std::iter::once(Passage::stem(&motion.stem))
        .chain(motion.parts.iter().map(|p| Passage::part(&p.label, &p.text)))
        .collect()
}

fn part_text<'a>(motion: &'a MotionState, label: &str) -> Option<&'a str> {
    motion.parts.iter().find(|p| p.label == label).map(|p| p.text.as_str())
}

fn plain_text(w: &Wording) -> String {
    let mut out = vec![w.heading.clone()];
    if let Some(p) = &w.proposer {
        out.push(format!("Proposed by {p}"));
    }
    out.extend(w.words.iter().map(Passage::plain));
    if !w.context.is_empty() {
        if let Some(h) = &w.context_heading {
            out.push(format!("{h}:"));
        }
        out.extend(w.context.iter().map(Passage::plain));
    }
    for m in &w.motions {
        let by = m.proposer.as_deref().map(|p| format!(" ({p})")).unwrap_or_default();
        out.push(format!("Motion {}{by}: {}", m.number, m.first_line));
    }
    out.push(w.majority_needed.clone());
    out.join("\n")
}

fn finish(mut w: Wording) -> Wording {
    w.text = plain_text(&w);
    w
}

/// The words put to the vote by a poll on `subject` of motion `number` as it stands now (`motion`),
/// needing `majority`. The subject is assumed valid for the motion (`MotionState::validate`); a label
/// the motion lacks is shown as it is, with no text.
pub fn wording_of(
    number: u32,
    proposer: Option<&str>,
    motion: &MotionState,
    subject: &Subject,
    majority: Majority,
) -> Wording {
    let heading = heading_for(number, subject);
    let missing = || "(this part is not in the motion)".to_string();
    let (kind, words, context_heading, context) = match subject {
        Subject::Whole => (WordingKind::Whole, whole_motion(motion), None, vec![]),
        Subject::Part { label } => (
            WordingKind::Part,
            vec![Passage::part(label, part_text(motion, label).unwrap_or(&missing()))],
            Some(format!("Part of motion {number}, which begins")),
            vec![Passage::stem(&motion.stem)],
        ),
        Subject::Amendment { part: Some(label), text } => (
            WordingKind::Amendment,
            vec![Passage::part(label, &tidy(text))],
            Some(format!("Replacing part {label}")),
            vec![Passage::part(label, part_text(motion, label).unwrap_or(&missing()))],
        ),
        Subject::Amendment { part: None, text } => (
            WordingKind::Amendment,
            vec![Passage::stem(&tidy(text))],
            Some("Replacing the stem".to_string()),
            vec![Passage::stem(&motion.stem)],
        ),
        Subject::Rider { text } => (
            WordingKind::Rider,
            vec![Passage::part(&super::labels::next_label(&motion.labels()), &tidy(text))],
            Some(format!("Added to motion {number}")),
            whole_motion(motion),
        ),
        Subject::Procedural { kind, part } => {
            let context = match part {
                Some(label) => vec![Passage::part(label, part_text(motion, label).unwrap_or(&missing()))],
                None => whole_motion(motion),
            };
            (
                WordingKind::Procedural,
                vec![Passage::stem(&procedural_words(*kind, part.as_deref()))],
                Some(match part {
                    Some(l) => format!("On motion {number}, part {l}"),
                    None => format!("On motion {number}"),
                }),
                context,
            )
        }
    };
    // The motion's proposer moves the motion and its parts, not an amendment, a rider or a procedural motion.
    let proposer =
        matches!(kind, WordingKind::Part | WordingKind::Whole).then(|| proposer.map(str::to_string)).flatten();
    finish(Wording {
        kind,
        heading,
        proposer,
        words,
        context_heading,
        context,
        motions: vec![],
        majority,
        majority_needed: majority_needed(majority),
        text: String::new(),
    })
}

/// The words put when the 'A' motions are taken together: each motion's number, proposer and first
/// line (from its stem).
pub fn wording_of_a_motions(motions: &[(u32, Option<String>, String)], majority: Majority) -> Wording {
    let numbers: Vec<String> = motions.iter().map(|(n, _, _)| n.to_string()).collect();
    let heading = match numbers.len() {
        1 => format!("The 'A' motions, put together: motion {}", numbers[0]),
        _ => format!("The 'A' motions, put together: motions {}", numbers.join(", ")),
    };
    finish(Wording {
        kind: WordingKind::AMotionsEnBloc,
        heading,
        proposer: None,
        words: vec![],
        context_heading: None,
        context: vec![],
        motions: motions
            .iter()
            .map(|(number, proposer, stem)| ListedMotion {
                number: *number,
                proposer: proposer.clone(),
                first_line: first_line(stem),
            })
            .collect(),
        majority,
        majority_needed: majority_needed(majority),
        text: String::new(),
    })
}

fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shares of a closed poll as the BMA reports them: of those voting for or against (abstentions are not
/// counted), in percent to one decimal place.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Percentages {
    #[serde(rename = "for")]
    pub for_votes: f64,
    pub against: f64,
}

/// `None` when nobody voted for or against.
pub fn percentages(counts: &Counts) -> Option<Percentages> {
    let voting = counts.voting();
    if voting == 0 {
        return None;
    }
    let share = |n: u64| (n as f64 * 1000.0 / voting as f64).round() / 10.0;
    Some(Percentages { for_votes: share(counts.for_votes), against: share(counts.against) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procedure::TakenAs;

    fn seed() -> MotionState {
        let mut m = MotionState::new(
            "That conference is deeply concerned about access. Conference:",
            vec![
                ("(i)".into(), "rejects the requirement".into()),
                ("(ii)".into(), "insists that practices must retain flexibility to deliver access".into()),
                ("(iii)".into(), "demands funding".into()),
            ],
        );
        m.taken = TakenAs::Parts;
        m
    }

    #[test]
    fn a_part_gives_its_label_and_text_with_the_stem_for_context() {
        let w = wording_of(
            1,
            Some("North Staffordshire"),
            &seed(),
            &Subject::Part { label: "(ii)".into() },
            Majority::Simple,
        );
        assert_eq!(w.kind, WordingKind::Part);
        assert_eq!(w.heading, "Motion 1, part (ii)");
        assert_eq!(
            w.words,
            vec![Passage::part("(ii)", "insists that practices must retain flexibility to deliver access")]
        );
        assert_eq!(w.context, vec![Passage::stem("That conference is deeply concerned about access. Conference:")]);
        assert_eq!(w.proposer.as_deref(), Some("North Staffordshire"));
        assert!(w.text.contains("(ii) insists that practices must retain flexibility to deliver access"), "{}", w.text);
        assert!(w.text.starts_with("Motion 1, part (ii)\nProposed by North Staffordshire\n"), "{}", w.text);
        assert!(w.text.ends_with("abstentions are not counted."), "{}", w.text);
    }

    #[test]
    fn the_whole_motion_gives_the_stem_and_every_part() {
        let w = wording_of(4, None, &seed(), &Subject::Whole, Majority::TwoThirds);
        assert_eq!(w.kind, WordingKind::Whole);
        assert_eq!(w.heading, "Motion 4, as a whole");
        assert_eq!(w.words.len(), 4);
        assert_eq!(w.words[0].label, None);
        assert_eq!(w.words[3], Passage::part("(iii)", "demands funding"));
        assert!(w.context.is_empty() && w.context_heading.is_none());
        assert!(w.majority_needed.starts_with("Needs a two-thirds majority"));
        assert!(!w.text.contains("Proposed by"));
    }

    #[test]
    fn an_amendment_gives_its_words_and_the_words_it_replaces() {
        let amend = Subject::Amendment { part: Some("(iii)".into()), text: "  demands   full funding ".into() };
        let w = wording_of(2, None, &seed(), &amend, Majority::Simple);
        assert_eq!(w.kind, WordingKind::Amendment);
        assert_eq!(w.heading, "Amendment to motion 2, part (iii)");
        assert_eq!(w.words, vec![Passage::part("(iii)", "demands full funding")]);
        assert_eq!(w.context_heading.as_deref(), Some("Replacing part (iii)"));
        assert_eq!(w.context, vec![Passage::part("(iii)", "demands funding")]);
        assert!(w.text.contains("Replacing part (iii):\n(iii) demands funding"), "{}", w.text);

        let stem = Subject::Amendment { part: None, text: "That conference is alarmed. Conference:".into() };
        let w = wording_of(2, None, &seed(), &stem, Majority::Simple);
        assert_eq!(w.heading, "Amendment to the stem of motion 2");
        assert_eq!(w.words, vec![Passage::stem("That conference is alarmed. Conference:")]);
        assert_eq!(w.context, vec![Passage::stem("That conference is deeply concerned about access. Conference:")]);
    }

    #[test]
    fn a_rider_gives_its_words_as_the_next_part_and_the_motion_it_adds_to() {
        let w =
            wording_of(3, Some("Lambeth"), &seed(), &Subject::Rider { text: "mandates GPC".into() }, Majority::Simple);
        assert_eq!(w.kind, WordingKind::Rider);
        assert_eq!(w.proposer, None, "the motion's proposer does not move the rider");
        assert_eq!(w.heading, "Rider to motion 3");
        assert_eq!(w.words, vec![Passage::part("(iv)", "mandates GPC")]);
        assert_eq!(w.context_heading.as_deref(), Some("Added to motion 3"));
        assert_eq!(w.context.len(), 4);
        // A motion with no parts: the rider would be part (i).
        let m = MotionState::new("That conference believes.", vec![]);
        let w = wording_of(3, None, &m, &Subject::Rider { text: "x".into() }, Majority::Simple);
        assert_eq!(w.words[0].label.as_deref(), Some("(i)"));
    }

    #[test]
    fn a_procedural_motion_gives_its_words_and_the_majority_it_needs() {
        let closure = Subject::Procedural { kind: ProceduralKind::MotionBeNowPut, part: None };
        let w = wording_of(5, None, &seed(), &closure, Majority::TwoThirds);
        assert_eq!(w.kind, WordingKind::Procedural);
        assert_eq!(w.heading, "Procedural motion on motion 5");
        assert_eq!(w.words, vec![Passage::stem("That the question be now put")]);
        assert_eq!(w.context_heading.as_deref(), Some("On motion 5"));
        assert_eq!(w.context.len(), 4);
        assert!(w.text.contains("That the question be now put\n"));
        assert!(w.text.contains("Needs a two-thirds majority of those voting for or against"), "{}", w.text);

        let withdraw = Subject::Procedural { kind: ProceduralKind::Withdrawal, part: Some("(i)".into()) };
        let w = wording_of(5, None, &seed(), &withdraw, Majority::Simple);
        assert_eq!(w.heading, "Procedural motion on motion 5, part (i)");
        assert_eq!(w.words[0].text, "That part (i) be withdrawn");
        assert_eq!(w.context, vec![Passage::part("(i)", "rejects the requirement")]);
        assert!(w.majority_needed.starts_with("Needs a simple majority"));
    }

    #[test]
    fn every_procedural_kind_has_words() {
        for kind in ProceduralKind::ALL {
            for part in [None, Some("(ii)")] {
                let words = procedural_words(kind, part);
                assert!(words.starts_with("That "), "{words}");
                if let (Some(l), true) = (part, kind != ProceduralKind::MotionBeNowPut && kind.may_target_part()) {
                    assert!(words.contains(l), "{words}");
                }
            }
        }
    }

    #[test]
    fn the_a_motions_each_with_number_proposer_and_first_line() {
        let long = format!("That conference {}\nsecond line", "reaffirms its policy ".repeat(20));
        let w = wording_of_a_motions(
            &[
                (7, Some("Lambeth".into()), "That conference supports the partnership model.".into()),
                (9, None, long.clone()),
            ],
            Majority::Simple,
        );
        assert_eq!(w.kind, WordingKind::AMotionsEnBloc);
        assert_eq!(w.heading, "The 'A' motions, put together: motions 7, 9");
        assert_eq!(w.motions[0].first_line, "That conference supports the partnership model.");
        assert_eq!(w.motions[0].proposer.as_deref(), Some("Lambeth"));
        let cut = w.motions[1].first_line.strip_suffix('…').expect("cut with an ellipsis");
        assert!(long.starts_with(&format!("{cut} ")), "cut at a word: {cut}");
        assert!(w.motions[1].first_line.chars().count() <= FIRST_LINE_CHARS + 1);
        assert!(w.text.contains("Motion 7 (Lambeth): That conference supports the partnership model."), "{}", w.text);
        let one = wording_of_a_motions(&[(2, None, "That x.".into())], Majority::Simple);
        assert_eq!(one.heading, "The 'A' motions, put together: motion 2");
    }

    #[test]
    fn first_lines() {
        assert_eq!(first_line("  That conference:\n(i) does"), "That conference:");
        assert_eq!(first_line(""), "");
        let no_spaces = "x".repeat(400);
        assert_eq!(first_line(&no_spaces).chars().count(), FIRST_LINE_CHARS + 1);
    }

    #[test]
    fn wording_round_trips_through_json() {
        let w = wording_of(1, None, &seed(), &Subject::Part { label: "(i)".into() }, Majority::Simple);
        let json = serde_json::to_value(&w).expect("ser");
        assert_eq!(json["kind"], "part");
        assert_eq!(json["words"][0]["label"], "(i)");
        let back: Wording = serde_json::from_value(json).expect("de");
        assert_eq!(back, w);
    }

    #[test]
    fn percentages_of_those_voting_for_or_against() {
        let p = percentages(&Counts::new(212, 40, 9)).expect("some voted");
        assert_eq!(p.for_votes, 84.1);
        assert_eq!(p.against, 15.9);
        let p = percentages(&Counts::new(2, 1, 100)).expect("some voted");
        assert_eq!((p.for_votes, p.against), (66.7, 33.3));
        assert_eq!(percentages(&Counts::new(0, 0, 5)), None);
        assert_eq!(percentages(&Counts::default()), None);
        let p = percentages(&Counts::new(5, 0, 0)).expect("some voted");
        assert_eq!((p.for_votes, p.against), (100.0, 0.0));
    }
}
