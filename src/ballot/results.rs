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
#[path = "results_tests.rs"]
mod tests;
