//! Results of an indicative ballot: counts and shares, the Trade Union Act 2016
//! thresholds (as information), breakdowns that keep small groups secret, turnout
//! rows, CSV and an accessible SVG chart.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::definition::{QuestionDef, QuestionKind};
use crate::audit::Results;

/// The note shown with the thresholds.
pub const THRESHOLDS_NOTE: &str = "Indicative ballot: thresholds from the Trade Union Act 2016 are shown as information only. The 40% test for important public services was abolished on 18 February 2026.";

/// Smallest group whose results a breakdown shows.
pub const MIN_GROUP: u64 = 10;

/// Thresholds to report against (fractions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Thresholds {
    /// Turnout needed (Trade Union Act 2016 s.2: 50%).
    pub turnout_min: f64,
    /// Yes votes needed as a share of all those entitled to vote (the former 40%
    /// test for important public services).
    pub yes_of_eligible_min: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { turnout_min: 0.5, yes_of_eligible_min: 0.4 }
    }
}

/// Votes for one option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OptionResult {
    /// The option text (`"yes"`/`"no"` for yes/no questions).
    pub option: String,
    pub votes: u64,
    /// votes / votes cast, 4 decimal places (for many_of these can add up to more than 1).
    pub share_of_cast: f64,
    /// votes / eligible, 4 decimal places.
    pub share_of_eligible: f64,
}

/// One question's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuestionResult {
    /// 1-based question number.
    pub number: usize,
    pub text: String,
    pub kind: QuestionKind,
    /// In definition order (yes, no for yes/no questions).
    pub options: Vec<OptionResult>,
}

/// The turnout test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThresholdTest {
    pub required: f64,
    /// 4 decimal places.
    pub actual: f64,
    /// Compared before rounding.
    pub met: bool,
    /// Whether the test is still in law (information either way: this is an indicative ballot).
    pub in_force: bool,
    pub note: String,
}

/// The "yes ≥ 40% of those entitled to vote" test, on the first yes/no question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct YesThresholdTest {
    /// 1-based number of the first yes/no question.
    pub question: usize,
    pub required: f64,
    pub actual: f64,
    pub met: bool,
    /// False: the test was abolished (on 18 February 2026); shown only for comparison.
    pub in_force: bool,
    /// When it was abolished, e.g. "2026-02-18".
    pub abolished_on: Option<String>,
    pub note: String,
}

/// When the 40% test for important public services was abolished.
pub const YES_TEST_ABOLISHED_ON: &str = "2026-02-18";

/// Thousands separated by commas, as figures are printed in the UK: 12590 → "12,590".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Both tests, always information only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThresholdsReport {
    pub turnout: ThresholdTest,
    /// None when the ballot has no yes/no question.
    pub yes_of_eligible: Option<YesThresholdTest>,
    pub information_only: bool,
    pub note: String,
}

/// A ballot's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BallotResults {
    pub eligible: u64,
    pub votes_cast: u64,
    /// votes cast / eligible, 4 decimal places.
    pub turnout: f64,
    pub questions: Vec<QuestionResult>,
    pub thresholds: ThresholdsReport,
}

/// `part / whole`, 0 when `whole` is 0.
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Round to 4 decimal places.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn met_word(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "not met"
    }
}

/// Counts and shares for each question, and the threshold tests.
/// `counts` is the tally (from the audit record); missing counts are taken as 0.
pub fn results(questions: &[QuestionDef], counts: &Results, eligible: u64, thresholds: &Thresholds) -> BallotResults {
    let cast = counts.votes_cast;
    let question_results: Vec<QuestionResult> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let keys: Vec<String> = match q.kind {
                QuestionKind::YesNo => vec!["yes".into(), "no".into()],
                _ => q.options.clone(),
            };
            let recorded = counts.questions.get(i).map(|c| &c.counts);
            QuestionResult {
                number: i + 1,
                text: q.text.clone(),
                kind: q.kind,
                options: keys
                    .into_iter()
                    .map(|option| {
                        let votes = recorded.and_then(|c| c.get(&option)).copied().unwrap_or(0);
                        OptionResult {
                            share_of_cast: round4(ratio(votes, cast)),
                            share_of_eligible: round4(ratio(votes, eligible)),
                            option,
                            votes,
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    let turnout_raw = ratio(cast, eligible);
    let turnout_met = eligible > 0 && turnout_raw >= thresholds.turnout_min;
    let turnout = ThresholdTest {
        required: thresholds.turnout_min,
        actual: round4(turnout_raw),
        met: turnout_met,
        in_force: true,
        note: format!(
            "Turnout {} ({} of {} eligible). The Trade Union Act 2016 requires at least {} for an industrial action ballot: {}.",
            pct(turnout_raw),
            thousands(cast),
            thousands(eligible),
            pct(thresholds.turnout_min),
            met_word(turnout_met)
        ),
    };
    let yes_of_eligible = question_results
        .iter()
        .find(|q| q.kind == QuestionKind::YesNo)
        .map(|q| {
            let yes = q
                .options
                .iter()
                .find(|o| o.option == "yes")
                .map_or(0, |o| o.votes);
            let raw = ratio(yes, eligible);
            let met = eligible > 0 && raw >= thresholds.yes_of_eligible_min;
            YesThresholdTest {
                question: q.number,
                required: thresholds.yes_of_eligible_min,
                actual: round4(raw),
                met,
                in_force: false,
                abolished_on: Some(YES_TEST_ABOLISHED_ON.to_string()),
                note: format!(
                    "{} voted yes to question {}: {} of the {} entitled to vote. The test of at least {} of those entitled to vote (important public services) was abolished on 18 February 2026; for comparison only, it would have been {}.",
                    thousands(yes),
                    q.number,
                    pct(raw),
                    thousands(eligible),
                    pct(thresholds.yes_of_eligible_min),
                    met_word(met)
                ),
            }
        });

    BallotResults {
        eligible,
        votes_cast: cast,
        turnout: round4(turnout_raw),
        questions: question_results,
        thresholds: ThresholdsReport {
            turnout,
            yes_of_eligible,
            information_only: true,
            note: THRESHOLDS_NOTE.to_string(),
        },
    }
}

// ---------------------------------------------------------------------------
// Breakdowns.

/// Aggregate counters the service keeps for one group (an LMC area or a role).
/// Never built from per-entry labels: entries carry no group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTally {
    /// `"lmc"` or `"role"`.
    pub dimension: String,
    pub group: String,
    pub eligible: u64,
    pub voted: u64,
    /// The group's tally, when the service keeps one.
    pub counts: Option<Results>,
}

/// One group's row in a results breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GroupRow {
    pub dimension: String,
    pub group: String,
    pub eligible: u64,
    /// None when suppressed.
    pub voted: Option<u64>,
    /// voted / eligible, 4 decimal places; None when suppressed.
    pub turnout: Option<f64>,
    pub suppressed: bool,
    pub note: Option<String>,
    /// Per question, votes per option; None when suppressed or not kept.
    pub counts: Option<Vec<BTreeMap<String, u64>>>,
}

/// Rows of a results breakdown. A group with fewer than `min_group` voters has its
/// voted figure, turnout and counts hidden (its eligible count is still shown).
///
/// Then, so that a hidden group cannot be worked out by subtracting the shown
/// groups from the published totals, while the hidden groups of a dimension
/// together have between 1 and `min_group − 1` voters, the smallest shown group
/// of that dimension is hidden too.
pub fn breakdown(groups: Vec<GroupTally>, min_group: u64) -> Vec<GroupRow> {
    let sizes: Vec<(&str, u64)> = groups.iter().map(|g| (g.dimension.as_str(), g.voted)).collect();
    let hidden = suppression(&sizes, min_group, "voters");

    groups
        .into_iter()
        .zip(hidden)
        .map(|(g, note)| match note {
            Some(note) => GroupRow {
                dimension: g.dimension,
                group: g.group,
                eligible: g.eligible,
                voted: None,
                turnout: None,
                suppressed: true,
                note: Some(note),
                counts: None,
            },
            None => GroupRow {
                turnout: Some(round4(ratio(g.voted, g.eligible))),
                voted: Some(g.voted),
                counts: g.counts.map(|r| r.questions.into_iter().map(|q| q.counts).collect()),
                dimension: g.dimension,
                group: g.group,
                eligible: g.eligible,
                suppressed: false,
                note: None,
            },
        })
        .collect()
}

/// Live turnout for one group, as officers and the scrutineer see it while the ballot is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TurnoutRow {
    pub dimension: String,
    pub group: String,
    pub eligible: u64,
    /// Voters so far, rounded down to a multiple of `step`; absent when the group is suppressed.
    pub voted: Option<u64>,
    /// `voted` / eligible, 4 decimal places; absent when suppressed.
    pub turnout: Option<f64>,
    pub suppressed: bool,
    pub note: Option<String>,
}

/// Which groups to hide, one per group: `None` to show it, or the reason. A group whose `size` is under
/// `min_group` is hidden, and within each dimension, while the hidden groups add up to fewer than
/// `min_group`, the smallest shown group is hidden too (so no hidden figure can be worked out by
/// subtraction). Results use voters as the size; live turnout uses the (frozen) roll.
pub fn suppression(groups: &[(&str, u64)], min_group: u64, what: &str) -> Vec<Option<String>> {
    let small = format!("fewer than {min_group} {what}");
    let secondary = "hidden so that a smaller group's figures cannot be worked out by subtraction";
    let mut hidden: Vec<Option<String>> =
        groups.iter().map(|(_, size)| (*size < min_group).then(|| small.clone())).collect();
    let mut dimensions: Vec<&str> = Vec::new();
    for (d, _) in groups {
        if !dimensions.contains(d) {
            dimensions.push(d);
        }
    }
    for dim in dimensions {
        loop {
            let in_dim = || groups.iter().enumerate().filter(|(_, g)| g.0 == dim);
            let hidden_size: u64 = in_dim().filter(|(i, _)| hidden[*i].is_some()).map(|(_, g)| g.1).sum();
            if hidden_size == 0 || hidden_size >= min_group {
                break;
            }
            let next = in_dim().filter(|(i, _)| hidden[*i].is_none()).min_by_key(|(_, g)| g.1).map(|(i, _)| i);
            match next {
                Some(i) => hidden[i] = Some(secondary.to_string()),
                None => break,
            }
        }
    }
    hidden
}

/// Live turnout by group, under the same small-group rule as results, made safe to watch:
/// - which groups are hidden is decided by the roll (eligible), which is frozen while the ballot is
///   open, so the set of hidden groups never changes as votes arrive (a group appearing when one more
///   person voted would reveal that person's group);
/// - a shown group's count moves only in steps of `min_group` (rounded down), so no single vote shows
///   as a step in a group (the overall count is exact; it names no group).
pub fn live_turnout(groups: &[GroupTally], min_group: u64) -> Vec<TurnoutRow> {
    let sizes: Vec<(&str, u64)> = groups.iter().map(|g| (g.dimension.as_str(), g.eligible)).collect();
    let hidden = suppression(&sizes, min_group, "on the roll");
    let step = min_group.max(1);
    groups
        .iter()
        .zip(hidden)
        .map(|(g, note)| {
            let shown = note.is_none().then(|| g.voted / step * step);
            TurnoutRow {
                dimension: g.dimension.clone(),
                group: g.group.clone(),
                eligible: g.eligible,
                voted: shown,
                turnout: shown.map(|v| round4(ratio(v, g.eligible))),
                suppressed: note.is_some(),
                note: note.or_else(|| Some(format!("rounded down to a multiple of {step} while voting is open"))),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// CSV and SVG.

/// Characters that make a spreadsheet read a cell as a formula (or a DDE command) when they start it:
/// `= + - @`, their full-width forms `＝ ＋ － ＠` (which some spreadsheets fold to ASCII), `|`, and a
/// tab, carriage return or line feed.
const FORMULA_STARTS: [char; 11] =
    ['=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '|', '\t', '\r'];

/// Whether a spreadsheet could run this text as a formula: its first character, or its first after
/// leading spaces (some spreadsheets skip them), is one of [`FORMULA_STARTS`] or a line feed.
pub fn looks_like_formula(s: &str) -> bool {
    let first = s.chars().next();
    let first_visible = s.trim_start_matches(' ').chars().next();
    [first, first_visible].into_iter().flatten().any(|c| FORMULA_STARTS.contains(&c) || c == '\n')
}

/// Defuse a spreadsheet formula by prefixing `'` (the cell then shows the text as written).
pub fn defuse_formula(s: &str) -> String {
    if looks_like_formula(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A CSV cell: formulas defused, quoted when needed.
pub fn csv_cell(s: &str) -> String {
    let s = defuse_formula(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One row per option: `question,option,votes,share_of_cast,share_of_eligible`
/// (question = 1-based number; shares as fractions with 4 decimals; CRLF line ends).
pub fn results_csv(results: &BallotResults) -> String {
    let mut out = String::from("question,option,votes,share_of_cast,share_of_eligible\r\n");
    for q in &results.questions {
        for o in &q.options {
            let _ = write!(
                out,
                "{},{},{},{:.4},{:.4}\r\n",
                q.number,
                csv_cell(&o.option),
                o.votes,
                o.share_of_cast,
                o.share_of_eligible
            );
        }
    }
    out
}

/// Escape text for XML content and attributes, dropping characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

fn option_label(kind: QuestionKind, option: &str) -> String {
    match (kind, option) {
        (QuestionKind::YesNo, "yes") => "Yes".to_string(),
        (QuestionKind::YesNo, "no") => "No".to_string(),
        _ => option.to_string(),
    }
}

/// A self-contained, accessible horizontal bar chart of one question: `role="img"`
/// with a `<title>` and a `<desc>` giving every figure in words; each bar labelled
/// with its option, votes and share of votes cast; NHS blue (#005eb8) bars and
/// dark text (#212b32) on white. Bars are scaled to 100% of votes cast.
pub fn results_svg(question: &QuestionResult, title: &str) -> String {
    const WIDTH: u32 = 720;
    const MARGIN: u32 = 16;
    const TOP: u32 = 64;
    const ROW: u32 = 56;
    const VALUE_SPACE: u32 = 180;
    let bar_max = WIDTH - 2 * MARGIN - VALUE_SPACE;
    let rows = question.options.len() as u32;
    let height = TOP + rows * ROW + 16;

    let mut hasher = Sha256::new();
    hasher.update(title.as_bytes());
    hasher.update(question.text.as_bytes());
    hasher.update(question.number.to_le_bytes());
    let id = format!("carried-chart-{}", &hex::encode(hasher.finalize())[..12]);

    let mut desc = format!("Question {}: {}.", question.number, question.text);
    for o in &question.options {
        let _ = write!(
            desc,
            " {}: {} {} ({} of votes cast).",
            option_label(question.kind, &o.option),
            thousands(o.votes),
            if o.votes == 1 { "vote" } else { "votes" },
            pct(o.share_of_cast)
        );
    }
    if question.kind == QuestionKind::ManyOf {
        desc.push_str(" Voters could choose more than one option, so shares can add up to more than 100%.");
    }

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"Arial, Helvetica, sans-serif\">"
    );
    let _ = writeln!(svg, "<title id=\"{id}-title\">{}</title>", xml_escape(title));
    let _ = writeln!(svg, "<desc id=\"{id}-desc\">{}</desc>", xml_escape(&desc));
    let _ = writeln!(svg, "<rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>");
    let _ = writeln!(
        svg,
        "<text x=\"{MARGIN}\" y=\"28\" font-size=\"18\" font-weight=\"bold\" fill=\"#212b32\">{}</text>",
        xml_escape(&truncate(title, 70))
    );
    let _ = writeln!(
        svg,
        "<text x=\"{MARGIN}\" y=\"50\" font-size=\"14\" fill=\"#212b32\">{}</text>",
        xml_escape(&truncate(&format!("{}. {}", question.number, question.text), 95))
    );
    for (i, o) in question.options.iter().enumerate() {
        let y = TOP + i as u32 * ROW;
        let share = o.share_of_cast.clamp(0.0, 1.0);
        let bar = (share * f64::from(bar_max)).round() as u32;
        let bar = if o.votes > 0 { bar.max(2) } else { 0 };
        let label = option_label(question.kind, &o.option);
        let _ = writeln!(svg, "<g>");
        let _ = writeln!(svg, "<title>{}</title>", xml_escape(&label));
        let _ = writeln!(
            svg,
            "<text x=\"{MARGIN}\" y=\"{}\" font-size=\"14\" fill=\"#212b32\">{}</text>",
            y + 14,
            xml_escape(&truncate(&label, 90))
        );
        let _ =
            writeln!(svg, "<rect x=\"{MARGIN}\" y=\"{}\" width=\"{bar_max}\" height=\"24\" fill=\"#e8edee\"/>", y + 22);
        let _ = writeln!(svg, "<rect x=\"{MARGIN}\" y=\"{}\" width=\"{bar}\" height=\"24\" fill=\"#005eb8\"/>", y + 22);
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"14\" fill=\"#212b32\">{} ({})</text>",
            MARGIN + bar_max + 8,
            y + 39,
            thousands(o.votes),
            pct(o.share_of_cast)
        );
        let _ = writeln!(svg, "</g>");
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::audit::{self, QuestionCounts};
    use proptest::prelude::*;

    #[test]
    fn thousands_are_separated_by_commas() {
        for (n, s) in [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1000, "1,000"),
            (12590, "12,590"),
            (123456, "123,456"),
            (1234567, "1,234,567"),
        ] {
            assert_eq!(thousands(n), s);
        }
    }

    fn yn() -> QuestionDef {
        QuestionDef {
            text: "Are you prepared to undertake one or more examples of collective action?".into(),
            kind: QuestionKind::YesNo,
            options: vec![],
            max: None,
        }
    }

    fn counts(cast: u64, qs: Vec<Vec<(&str, u64)>>) -> Results {
        Results {
            votes_cast: cast,
            questions: qs
                .into_iter()
                .map(|c| QuestionCounts { counts: c.into_iter().map(|(k, v)| (k.to_string(), v)).collect() })
                .collect(),
        }
    }

    #[test]
    fn bma_2024_reference_figures() {
        let r = results(&[yn()], &counts(8518, vec![vec![("yes", 8375), ("no", 143)]]), 12590, &Thresholds::default());
        assert_eq!(r.turnout, 0.6766);
        assert!(r.thresholds.turnout.met);
        assert_eq!(r.thresholds.turnout.actual, 0.6766);
        assert_eq!(r.thresholds.turnout.required, 0.5);
        let yes = &r.questions[0].options[0];
        assert_eq!((yes.option.as_str(), yes.votes), ("yes", 8375));
        assert_eq!(yes.share_of_cast, 0.9832);
        assert_eq!(yes.share_of_eligible, 0.6652);
        let y = r.thresholds.yes_of_eligible.as_ref().unwrap();
        assert_eq!((y.question, y.actual, y.required, y.met), (1, 0.6652, 0.4, true));
        assert!(r.thresholds.information_only);
        assert_eq!(r.thresholds.note, THRESHOLDS_NOTE);
        assert!(r.thresholds.turnout.note.contains("Turnout 67.7% (8,518 of 12,590 eligible)"));
        assert!(y.note.starts_with("8,375 voted yes to question 1: 66.5% of the 12,590"));
        assert!(r.thresholds.turnout.in_force);
        assert!(!y.in_force && y.abolished_on.as_deref() == Some("2026-02-18"));
        assert!(y.note.contains("abolished on 18 February 2026; for comparison only"), "{}", y.note);
    }

    #[test]
    fn thresholds_not_met_and_exact_boundaries() {
        let q = [yn()];
        let r = results(&q, &counts(5, vec![vec![("yes", 2), ("no", 3)]]), 10, &Thresholds::default());
        assert!(r.thresholds.turnout.met, "exactly 50% meets the test");
        let y = r.thresholds.yes_of_eligible.unwrap();
        assert!(!y.met && y.actual == 0.2);
        let r = results(&q, &counts(4, vec![vec![("yes", 4), ("no", 0)]]), 10, &Thresholds::default());
        assert!(!r.thresholds.turnout.met);
        assert!(r.thresholds.yes_of_eligible.unwrap().met, "exactly 40% meets the test");
        let custom = Thresholds { turnout_min: 0.3, yes_of_eligible_min: 0.5 };
        let r = results(&q, &counts(4, vec![vec![("yes", 4), ("no", 0)]]), 10, &custom);
        assert!(r.thresholds.turnout.met && !r.thresholds.yes_of_eligible.unwrap().met);
    }

    #[test]
    fn zero_eligible_and_zero_votes_are_safe() {
        let r = results(&[yn()], &counts(0, vec![vec![("yes", 0), ("no", 0)]]), 0, &Thresholds::default());
        assert_eq!(r.turnout, 0.0);
        assert!(!r.thresholds.turnout.met);
        assert!(r.questions[0].options.iter().all(|o| o.share_of_cast == 0.0 && o.share_of_eligible == 0.0));
        // Missing counts are zeros.
        let r = results(&[yn()], &counts(0, vec![]), 5, &Thresholds::default());
        assert_eq!(r.questions[0].options.len(), 2);
    }

    #[test]
    fn no_yes_no_question_means_no_yes_test() {
        let q = QuestionDef {
            text: "Which?".into(),
            kind: QuestionKind::OneOf,
            options: vec!["A".into(), "B".into()],
            max: None,
        };
        let r = results(
            &[q.clone(), yn()],
            &counts(3, vec![vec![("A", 1), ("B", 2)], vec![("yes", 3), ("no", 0)]]),
            4,
            &Thresholds::default(),
        );
        assert_eq!(r.thresholds.yes_of_eligible.as_ref().map(|y| y.question), Some(2));
        assert_eq!(r.questions[0].options[1].share_of_cast, 0.6667);
        let r = results(&[q], &counts(3, vec![vec![("A", 1), ("B", 2)]]), 4, &Thresholds::default());
        assert!(r.thresholds.yes_of_eligible.is_none());
    }

    #[test]
    fn results_serialise() {
        let r = results(&[yn()], &counts(1, vec![vec![("yes", 1), ("no", 0)]]), 2, &Thresholds::default());
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["questions"][0]["kind"], "yes_no");
        assert_eq!(v["thresholds"]["information_only"], true);
        assert_eq!(v["turnout"], 0.5);
    }

    fn group(dim: &str, name: &str, eligible: u64, voted: u64) -> GroupTally {
        GroupTally {
            dimension: dim.into(),
            group: name.into(),
            eligible,
            voted,
            counts: Some(counts(voted, vec![vec![("yes", voted), ("no", 0)]])),
        }
    }

    #[test]
    fn small_groups_are_suppressed_with_their_complement() {
        let rows = breakdown(
            vec![
                group("role", "partner", 500, 300),
                group("role", "salaried", 300, 120),
                group("role", "locum", 20, 4),
                group("role", "registrar", 50, 30),
                group("lmc", "Devon", 400, 250),
                group("lmc", "Kent", 470, 204),
            ],
            MIN_GROUP,
        );
        let by = |g: &str| rows.iter().find(|r| r.group == g).unwrap();
        let locum = by("locum");
        assert!(locum.suppressed && locum.voted.is_none() && locum.counts.is_none() && locum.turnout.is_none());
        assert_eq!(locum.eligible, 20);
        assert_eq!(locum.note.as_deref(), Some("fewer than 10 voters"));
        // The smallest other role is hidden too, or locum = total − the rest.
        let reg = by("registrar");
        assert!(reg.suppressed);
        assert!(reg.note.as_deref().unwrap().contains("subtraction"));
        assert!(!by("salaried").suppressed && !by("partner").suppressed);
        assert_eq!(by("partner").voted, Some(300));
        assert_eq!(by("partner").turnout, Some(0.6));
        assert_eq!(by("partner").counts.as_ref().unwrap()[0]["yes"], 300);
        assert!(!by("Devon").suppressed && !by("Kent").suppressed);
    }

    #[test]
    fn enough_hidden_voters_need_no_secondary_suppression() {
        let rows = breakdown(
            vec![
                group("lmc", "A", 30, 6),
                group("lmc", "B", 30, 7),
                group("lmc", "C", 30, 20),
                group("lmc", "D", 30, 0),
            ],
            10,
        );
        let hidden: Vec<&str> = rows.iter().filter(|r| r.suppressed).map(|r| r.group.as_str()).collect();
        assert_eq!(hidden, vec!["A", "B", "D"]);
        // A lone group with no voters reveals nothing: nothing else is hidden.
        let rows = breakdown(vec![group("lmc", "A", 30, 0), group("lmc", "B", 30, 20)], 10);
        assert!(rows[0].suppressed && !rows[1].suppressed);
    }

    #[test]
    fn live_turnout_hides_small_groups_by_roll_and_moves_in_steps() {
        let rows = live_turnout(
            &[
                group("lmc", "Devon", 30, 17),
                group("lmc", "Kent", 12, 12),
                group("lmc", "Rutland", 3, 1),
                group("role", "partner", 45, 30),
            ],
            MIN_GROUP,
        );
        let by = |g: &str| rows.iter().find(|r| r.group == g).unwrap();
        assert_eq!((by("Devon").voted, by("Devon").turnout), (Some(10), Some(0.3333)));
        // Rutland has 3 on the roll: hidden, and Kent (the smallest other) with it.
        assert!(by("Rutland").suppressed && by("Rutland").voted.is_none() && by("Rutland").turnout.is_none());
        assert!(by("Kent").suppressed && by("Kent").note.as_deref().unwrap().contains("subtraction"));
        assert_eq!(by("partner").voted, Some(30));
        assert!(!by("partner").suppressed);
    }

    fn sample() -> BallotResults {
        let many = QuestionDef {
            text: "Which actions?".into(),
            kind: QuestionKind::ManyOf,
            options: vec!["=HYPERLINK(\"x\")".into(), "Limit contacts, safely".into(), "<b>&</b>".into()],
            max: Some(2),
        };
        results(
            &[yn(), many],
            &counts(
                8518,
                vec![
                    vec![("yes", 8375), ("no", 143)],
                    vec![("=HYPERLINK(\"x\")", 1), ("Limit contacts, safely", 7000), ("<b>&</b>", 0)],
                ],
            ),
            12590,
            &Thresholds::default(),
        )
    }

    #[test]
    fn csv_output() {
        let csv = results_csv(&sample());
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "question,option,votes,share_of_cast,share_of_eligible");
        assert_eq!(lines[1], "1,yes,8375,0.9832,0.6652");
        assert_eq!(lines[2], "1,no,143,0.0168,0.0114");
        assert_eq!(lines[3], "2,\"'=HYPERLINK(\"\"x\"\")\",1,0.0001,0.0001");
        assert_eq!(lines[4], "2,\"Limit contacts, safely\",7000,0.8218,0.5560");
        assert_eq!(lines[5], "2,<b>&</b>,0,0.0000,0.0000");
        assert_eq!(lines[6], "");
    }

    #[test]
    fn svg_is_accessible_and_escaped() {
        let r = sample();
        let svg = results_svg(&r.questions[1], "GP ballot & \"results\"");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"carried-chart-"));
        assert!(svg.contains("<title id=\"carried-chart-"));
        assert!(svg.contains(">GP ballot &amp; &quot;results&quot;</title>"));
        assert!(svg.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("7,000 (82.2%)"));
        assert!(svg.contains("fill=\"#005eb8\""));
        assert!(svg.contains("shares can add up to more than 100%"));
        assert!(svg.trim_end().ends_with("</svg>"));
        let yn = results_svg(&r.questions[0], "Q1");
        assert!(yn.contains(">Yes</text>") && yn.contains("8,375 (98.3%)"));
        assert!(yn.contains("Yes: 8,375 votes (98.3% of votes cast)."));
        // Balanced tags (a rough well-formedness check).
        for tag in ["svg", "g", "title", "desc", "text"] {
            assert_eq!(yn.matches(&format!("<{tag}")).count(), yn.matches(&format!("</{tag}>")).count(), "{tag}");
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12590), "12,590");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(xml_escape("a\u{1}b\tc'"), "ab c&apos;");
        assert_eq!(round4(0.66521), 0.6652);
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@x"), "'@x");
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn every_formula_start_is_defused() {
        for bad in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\u{FF1D}HYPERLINK(\"x\")",
            "\u{FF0B}1",
            "\u{FF0D}1",
            "\u{FF20}x",
            "|calc",
            "\tx",
            "\rx",
            "\nx",
            "  =1",
            " |x",
        ] {
            assert!(looks_like_formula(bad), "{bad:?}");
            assert!(csv_cell(bad).trim_start_matches('"').starts_with('\''), "{bad:?} -> {}", csv_cell(bad));
        }
        for fine in ["plain", "Limit contacts, safely", "a=b", "1-2", "x|y", "(ii) CARRIED"] {
            assert!(!looks_like_formula(fine), "{fine:?}");
        }
        assert_eq!(csv_cell("|x, y"), "\"'|x, y\"");
    }

    proptest! {
        /// Shares are fractions in [0, 1] with at most 4 decimals, consistent with the
        /// counts, whatever the counts (including zero eligible).
        #[test]
        fn shares_are_bounded_fractions(
            yes in 0u64..5000, no in 0u64..5000, extra in 0u64..5000,
        ) {
            let cast = yes + no;
            let eligible = cast + extra;
            let r = results(&[yn()], &counts(cast, vec![vec![("yes", yes), ("no", no)]]), eligible, &Thresholds::default());
            prop_assert!(r.turnout >= 0.0 && r.turnout <= 1.0);
            for o in &r.questions[0].options {
                prop_assert!(o.share_of_cast >= 0.0 && o.share_of_cast <= 1.0);
                prop_assert!(o.share_of_eligible <= o.share_of_cast + 1e-9 || cast == 0);
                prop_assert_eq!(round4(o.share_of_cast), o.share_of_cast);
            }
            let y = r.thresholds.yes_of_eligible.unwrap();
            prop_assert_eq!(y.met, eligible > 0 && 10 * yes >= 4 * eligible);
            prop_assert_eq!(r.thresholds.turnout.met, eligible > 0 && 2 * cast >= eligible);
        }

        /// No breakdown ever shows a group under the minimum, and the hidden groups of
        /// a dimension never add up to between 1 and min − 1 voters while any group is shown.
        #[test]
        fn breakdown_never_reveals_a_small_group(
            voted in proptest::collection::vec(0u64..30, 1..8), min in 1u64..15,
        ) {
            let groups: Vec<GroupTally> = voted
                .iter()
                .enumerate()
                .map(|(i, v)| group("lmc", &format!("g{i}"), 40, *v))
                .collect();
            let rows = breakdown(groups, min);
            for (row, v) in rows.iter().zip(&voted) {
                if *v < min {
                    prop_assert!(row.suppressed && row.voted.is_none() && row.counts.is_none());
                }
                if !row.suppressed {
                    prop_assert_eq!(row.voted, Some(*v));
                }
            }
            let hidden: u64 = rows.iter().zip(&voted).filter(|(r, _)| r.suppressed).map(|(_, v)| *v).sum();
            let any_shown = rows.iter().any(|r| !r.suppressed);
            prop_assert!(!(any_shown && hidden > 0 && hidden < min));
        }

        /// Live turnout: which groups are hidden depends only on the roll, never on votes; a hidden
        /// group's voters add up with the other hidden groups to 0 or at least the minimum on the roll;
        /// shown figures are multiples of the minimum; and one more vote changes at most one shown
        /// figure, by exactly the minimum, never one for a group under the minimum.
        #[test]
        fn live_turnout_never_steps_by_one_voter(
            sizes in proptest::collection::vec((0u64..40, 0u64..40), 1..8),
            min in 1u64..15,
            who in 0usize..8,
        ) {
            let groups: Vec<GroupTally> = sizes
                .iter()
                .enumerate()
                .map(|(i, (e, v))| group(if i % 2 == 0 { "lmc" } else { "role" }, &format!("g{i}"), *e, (*v).min(*e)))
                .collect();
            let before = live_turnout(&groups, min);
            for dim in ["lmc", "role"] {
                let hidden: u64 = before.iter().filter(|r| r.dimension == dim && r.suppressed).map(|r| r.eligible).sum();
                let shown = before.iter().any(|r| r.dimension == dim && !r.suppressed);
                prop_assert!(!(shown && hidden > 0 && hidden < min));
            }
            for (row, g) in before.iter().zip(&groups) {
                if g.eligible < min {
                    prop_assert!(row.suppressed && row.voted.is_none());
                }
                if let Some(v) = row.voted {
                    prop_assert!(v % min == 0 && v <= g.voted && g.voted - v < min);
                }
            }
            // One more voter in group `who` (if the roll has room).
            let i = who % groups.len();
            let mut after_groups = groups.clone();
            if after_groups[i].voted < after_groups[i].eligible {
                after_groups[i].voted += 1;
            }
            let after = live_turnout(&after_groups, min);
            let mut changed = 0;
            for (a, b) in before.iter().zip(&after) {
                prop_assert_eq!(a.suppressed, b.suppressed);
                if a.voted != b.voted {
                    changed += 1;
                    prop_assert_eq!(b.voted.unwrap_or(0) - a.voted.unwrap_or(0), min);
                    prop_assert!(a.eligible >= min);
                }
            }
            prop_assert!(changed <= 1);
        }
    }

    #[test]
    fn results_from_an_audit_tally() {
        let q = [yn()];
        let audit_q: Vec<audit::Question> = q.iter().map(QuestionDef::to_audit).collect();
        let answers = [serde_json::json!(["yes"]), serde_json::json!(["no"]), serde_json::json!(["yes"])];
        let tally = audit::tally(&audit_q, &answers);
        let r = results(&q, &tally, 4, &Thresholds::default());
        assert_eq!(r.votes_cast, 3);
        assert_eq!(r.questions[0].options[0].votes, 2);
        assert_eq!(r.turnout, 0.75);
    }
}
