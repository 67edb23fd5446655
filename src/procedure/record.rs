//! "The motion in full": the record a newspaper prints.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::majority::{Counts, Qualifier};
use super::outcome::{motion_outcome_text, Outcome, PartState, TakenAs};
use super::parser::ParsedMotion;

/// One part of a motion's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordPart {
    pub label: String,
    pub text: String,
    pub outcome: Option<Outcome>,
    pub qualifier: Option<Qualifier>,
    /// Known for electronic polls and counted shows of hands.
    pub counts: Option<Counts>,
}

/// Everything needed to print a motion in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MotionRecord {
    pub number: Option<u32>,
    /// The number as printed in the agenda ("27a"), printed instead of `number` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Votes the chair voided (and retook), each as "<question> — void: <reason>", printed after the outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voided: Vec<String>,
    pub proposer: Option<String>,
    pub agenda_committee: bool,
    pub stem: String,
    pub parts: Vec<RecordPart>,
    pub taken: TakenAs,
    pub whole_outcome: Option<Outcome>,
    pub whole_qualifier: Option<Qualifier>,
    pub whole_counts: Option<Counts>,
    /// The motion's outcome text; when `None` the renderers derive it
    /// (and print "UNDECIDED" if it cannot be derived yet).
    pub outcome_text: Option<String>,
}

impl MotionRecord {
    /// An undecided record of a parsed motion, taken as a whole.
    pub fn from_parsed(parsed: &ParsedMotion) -> Self {
        MotionRecord {
            number: parsed.number,
            item: None,
            voided: Vec::new(),
            proposer: parsed.proposer.clone(),
            agenda_committee: parsed.agenda_committee,
            stem: parsed.stem.clone(),
            parts: parsed
                .parts
                .iter()
                .map(|p| RecordPart {
                    label: p.label.clone(),
                    text: p.text.clone(),
                    outcome: None,
                    qualifier: None,
                    counts: None,
                })
                .collect(),
            taken: TakenAs::Whole,
            whole_outcome: None,
            whole_qualifier: None,
            whole_counts: None,
            outcome_text: None,
        }
    }

    /// The outcome text per the docs/domain.md table, from the outcomes in the record.
    pub fn derived_outcome_text(&self) -> Option<String> {
        let parts: Vec<PartState> = self
            .parts
            .iter()
            .map(|p| PartState { label: p.label.clone(), outcome: p.outcome, qualifier: p.qualifier })
            .collect();
        motion_outcome_text(self.taken, self.whole_outcome.map(|o| (o, self.whole_qualifier)), &parts)
    }

    /// Sets `outcome_text` from the outcomes in the record.
    pub fn with_derived_outcome_text(mut self) -> Self {
        self.outcome_text = self.derived_outcome_text();
        self
    }

    /// `outcome_text` if set, else the derived text, else "UNDECIDED".
    pub fn final_line(&self) -> String {
        self.outcome_text.clone().or_else(|| self.derived_outcome_text()).unwrap_or_else(|| "UNDECIDED".to_string())
    }

    /// "AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE:", "LAMBETH:",
    /// "AGENDA COMMITTEE:" or nothing.
    pub fn proposer_line(&self) -> Option<String> {
        let proposer = self.proposer.as_deref().map(str::trim).filter(|p| !p.is_empty());
        match (self.agenda_committee, proposer) {
            (true, Some(p)) => Some(format!("AGENDA COMMITTEE TO BE PROPOSED BY {}:", p.to_uppercase())),
            (true, None) => Some("AGENDA COMMITTEE:".to_string()),
            (false, Some(p)) => Some(format!("{}:", p.to_uppercase())),
            (false, None) => None,
        }
    }

    /// The opening line: number, proposer line, stem.
    fn opening(&self, number_fmt: impl Fn(&str) -> String, escape: impl Fn(&str) -> String) -> String {
        let mut pieces = Vec::new();
        match (&self.item, self.number) {
            (Some(item), _) => pieces.push(number_fmt(&escape(item))),
            (None, Some(n)) => pieces.push(number_fmt(&n.to_string())),
            (None, None) => {}
        }
        if let Some(line) = self.proposer_line() {
            pieces.push(escape(&line));
        }
        pieces.push(escape(&self.stem));
        pieces.join(" ")
    }

    /// The per-part result line, when the motion is taken in parts and the part is decided.
    fn part_result(&self, part: &RecordPart) -> Option<String> {
        if self.taken != TakenAs::Parts {
            return None;
        }
        let outcome = part.outcome?;
        let mut line = outcome.upper_with(part.qualifier);
        if let Some(counts) = &part.counts {
            line.push_str(" — ");
            line.push_str(&counts.describe());
        }
        Some(line)
    }

    /// The counts line of a motion taken as a whole, if known.
    fn whole_counts_line(&self) -> Option<String> {
        match self.taken {
            TakenAs::Whole => self.whole_counts.as_ref().map(Counts::describe),
            TakenAs::Parts => None,
        }
    }
}

/// Plain text, e.g.
///
/// ```text
/// 12 AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE: That conference … Conference:
/// (i) rejects the government’s …
///     CARRIED — for 212, against 40, abstain 9
/// (ii) insists that …
///     CARRIED UNANIMOUSLY — for 3, against 0, abstain 0
/// CARRIED IN ALL PARTS
/// ```
///
/// Per-part result lines only when taken in parts (and the part is decided); taken
/// as a whole, the counts line (if known) comes after the last part; the last line
/// is the outcome text, or "UNDECIDED".
pub fn render_text(r: &MotionRecord) -> String {
    let mut lines = vec![r.opening(|n| n.to_string(), |s| s.to_string())];
    for part in &r.parts {
        lines.push(format!("{} {}", part.label, part.text));
        if let Some(result) = r.part_result(part) {
            lines.push(format!("    {result}"));
        }
    }
    if let Some(counts) = r.whole_counts_line() {
        lines.push(counts);
    }
    lines.push(r.final_line());
    for v in &r.voided {
        lines.push(format!("(Vote voided by the chair: {v})"));
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Escapes Markdown's special characters in motion text.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The same content as [`render_text`] in Markdown: the opening paragraph, the
/// parts as a list (with each part's result in italics on a second line), the
/// counts of a whole vote in italics, and the outcome text in bold.
pub fn render_markdown(r: &MotionRecord) -> String {
    let mut out = r.opening(|n| format!("**{n}.**"), escape_markdown);
    out.push_str("\n\n");
    if !r.parts.is_empty() {
        for part in &r.parts {
            out.push_str(&format!("- {} {}", escape_markdown(&part.label), escape_markdown(&part.text)));
            if let Some(result) = r.part_result(part) {
                out.push_str(&format!("\\\n  *{result}*"));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    if let Some(counts) = r.whole_counts_line() {
        out.push_str(&format!("*{counts}*\n\n"));
    }
    out.push_str(&format!("**{}**\n", escape_markdown(&r.final_line())));
    for v in &r.voided {
        out.push_str(&format!("\n*Vote voided by the chair: {}*\n", escape_markdown(v)));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::procedure::parser::parse_printed_motion;

    const SEED: &str = include_str!("../../tests/fixtures/motion-2025-online-access.txt");
    const SEED_OUTCOME: &str = include_str!("../../tests/fixtures/motion-2025-online-access.outcome");

    #[test]
    fn voided_votes_are_printed_after_the_outcome() {
        let mut r = seed_record();
        r.voided = vec!["Motion 12: part (ii) — void: the wrong part was put".into()];
        let text = render_text(&r);
        assert!(
            text.trim_end()
                .ends_with("(Vote voided by the chair: Motion 12: part (ii) — void: the wrong part was put)"),
            "{text}"
        );
        assert!(render_markdown(&r)
            .contains("*Vote voided by the chair: Motion 12: part (ii) — void: the wrong part was put*"));
        r.item = Some("12a".into());
        assert!(render_text(&r).starts_with("12a "));
    }

    fn seed_record() -> MotionRecord {
        let parsed = parse_printed_motion(SEED).unwrap();
        let mut r = MotionRecord::from_parsed(&parsed);
        r.number = Some(12);
        r.taken = TakenAs::Parts;
        let results = [
            (Counts::new(212, 40, 9), None),
            (Counts::new(3, 0, 0), Some(Qualifier::Unanimously)),
            (Counts::new(150, 0, 12), Some(Qualifier::NemCon)),
            (Counts::new(200, 50, 0), None),
            (Counts::new(180, 70, 10), None),
        ];
        for (part, (counts, qualifier)) in r.parts.iter_mut().zip(results) {
            part.outcome = Some(Outcome::Carried);
            part.qualifier = qualifier;
            part.counts = Some(counts);
        }
        r
    }

    #[test]
    fn seed_in_full() {
        let r = seed_record();
        let text = render_text(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with(
            "12 AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE: That conference is deeply concerned"
        ));
        assert!(lines[0].ends_with("Conference:"));
        assert!(lines[1].starts_with("(i) rejects the government’s contractual requirement"));
        assert_eq!(lines[2], "    CARRIED — for 212, against 40, abstain 9");
        assert!(lines[3].starts_with("(ii) insists that practices"));
        assert_eq!(lines[4], "    CARRIED UNANIMOUSLY — for 3, against 0, abstain 0");
        assert_eq!(lines[6], "    CARRIED NEM CON — for 150, against 0, abstain 12");
        assert_eq!(lines.len(), 12);
        assert_eq!(lines[11], "CARRIED IN ALL PARTS");
        assert_eq!(lines[11], SEED_OUTCOME.trim());
        assert!(text.ends_with("CARRIED IN ALL PARTS\n"));
    }

    #[test]
    fn render_text_round_trips_through_the_parser() {
        let r = seed_record();
        let parsed = parse_printed_motion(&render_text(&r)).unwrap();
        assert_eq!(parsed.number, Some(12));
        assert_eq!(parsed.proposer.as_deref(), Some("North Staffordshire"));
        assert!(parsed.agenda_committee);
        assert_eq!(parsed.stem, r.stem);
        let texts: Vec<&str> = parsed.parts.iter().map(|p| p.text.as_str()).collect();
        let expected: Vec<&str> = r.parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, expected);
    }

    #[test]
    fn whole_motion_with_counts() {
        let parsed = parse_printed_motion("Lambeth LMC: That conference:\n(a) one\n(b) two").unwrap();
        let mut r = MotionRecord::from_parsed(&parsed);
        r.whole_outcome = Some(Outcome::Carried);
        r.whole_qualifier = Some(Qualifier::ByATwoThirdsMajority);
        r.whole_counts = Some(Counts::new(20, 5, 1));
        // Part outcomes are not printed when taken as a whole.
        r.parts[0].outcome = Some(Outcome::Lost);
        assert_eq!(
            render_text(&r),
            "LAMBETH: That conference:\n(a) one\n(b) two\nfor 20, against 5, abstain 1\nCARRIED BY A TWO-THIRDS MAJORITY\n"
        );
    }

    #[test]
    fn show_of_hands_without_counts() {
        let parsed = parse_printed_motion("That conference thanks the staff.").unwrap();
        let mut r = MotionRecord::from_parsed(&parsed);
        r.whole_outcome = Some(Outcome::Carried);
        assert_eq!(render_text(&r), "That conference thanks the staff.\nCARRIED\n");
    }

    #[test]
    fn undecided_and_partly_decided() {
        let parsed = parse_printed_motion("That conference:\n(i) one\n(ii) two").unwrap();
        let mut r = MotionRecord::from_parsed(&parsed);
        assert_eq!(render_text(&r), "That conference:\n(i) one\n(ii) two\nUNDECIDED\n");
        r.taken = TakenAs::Parts;
        r.parts[0].outcome = Some(Outcome::Lost);
        assert_eq!(render_text(&r), "That conference:\n(i) one\n    LOST\n(ii) two\nUNDECIDED\n");
        r.parts[1].outcome = Some(Outcome::CarriedAsReference);
        assert_eq!(
            render_text(&r),
            "That conference:\n(i) one\n    LOST\n(ii) two\n    CARRIED AS A REFERENCE\nPART (i) LOST; PART (ii) CARRIED AS A REFERENCE\n"
        );
    }

    #[test]
    fn stored_outcome_text_wins() {
        let parsed = parse_printed_motion("That conference x.").unwrap();
        let mut r = MotionRecord::from_parsed(&parsed);
        r.whole_outcome = Some(Outcome::Carried);
        r.outcome_text = Some("CARRIED (A MOTIONS EN BLOC)".into());
        assert!(render_text(&r).ends_with("CARRIED (A MOTIONS EN BLOC)\n"));
        let r = r.with_derived_outcome_text();
        assert_eq!(r.outcome_text.as_deref(), Some("CARRIED"));
    }

    #[test]
    fn proposer_lines() {
        let parsed = parse_printed_motion("That x y.").unwrap();
        let mut r = MotionRecord::from_parsed(&parsed);
        assert_eq!(r.proposer_line(), None);
        r.agenda_committee = true;
        assert_eq!(r.proposer_line().as_deref(), Some("AGENDA COMMITTEE:"));
        r.proposer = Some("Kingston upon Thames".into());
        assert_eq!(r.proposer_line().as_deref(), Some("AGENDA COMMITTEE TO BE PROPOSED BY KINGSTON UPON THAMES:"));
        r.agenda_committee = false;
        assert_eq!(r.proposer_line().as_deref(), Some("KINGSTON UPON THAMES:"));
    }

    #[test]
    fn markdown() {
        let r = seed_record();
        let md = render_markdown(&r);
        assert!(md.starts_with(
            "**12.** AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE: That conference is deeply concerned"
        ));
        assert!(md.contains("\n\n- (i) rejects the government’s"));
        assert!(md.contains("\\\n  *CARRIED — for 212, against 40, abstain 9*\n- (ii) insists"));
        assert!(md.ends_with("\n\n**CARRIED IN ALL PARTS**\n"));

        let parsed = parse_printed_motion("That conference wants *more* GPs_now [sic].").unwrap();
        let mut r = MotionRecord::from_parsed(&parsed);
        r.whole_outcome = Some(Outcome::Lost);
        r.whole_counts = Some(Counts::new(1, 2, 3));
        assert_eq!(
            render_markdown(&r),
            "That conference wants \\*more\\* GPs\\_now \\[sic\\].\n\n*for 1, against 2, abstain 3*\n\n**LOST**\n"
        );
    }

    #[test]
    fn record_json() {
        let r = seed_record();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["taken"], "parts");
        assert_eq!(json["parts"][0]["counts"]["for"], 212);
        assert_eq!(json["parts"][1]["qualifier"], "unanimously");
        let back: MotionRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }
}
